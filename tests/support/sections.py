"""One registered chart or Today section rendered on its own, as its page renders it."""

from django.template import Context, Template

from ketamine_clinic.core import sections

_PAGE = Template("{% load page_sections %}{% if section %}{% render_section section %}{% endif %}")


def section_named(page: str, name: str) -> sections.Section:
    return next(s for s in sections.sections(page) if s.name == name)


def render_section(page: str, name: str, request, patient=None) -> str:
    """The section's HTML for ``request.user`` (loading its data): "" when their role may not see it."""
    shown = sections.show(section_named(page, name), request, patient)
    return _PAGE.render(Context({"request": request, "patient": patient, "section": shown}))
