"""``{% render_section section %}``: one ``core.sections.Shown`` rendered inside the page.

Rendered within the page's own context (not a fresh one) so that the section sees ``request``,
``patient`` and ``csrf_token``, and its times show in the zone base.html set for the page.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section) -> str:
    section_template = context.template.engine.get_template(section.template)
    with context.push(section.context):
        return section_template.render(context)
