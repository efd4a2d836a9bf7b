"""What an app declares at start-up, registered in one call from its ``AppConfig.ready()``.

An app's config lists its sections as data (``clinic_sections``: page, order, template, the name of the
context function in its ``sections`` module, section name, actions) and hands its ``clinic_policy`` module over:

    clinic_sections = (("chart", 45, "inventory/_chart_section.html", "chart_context", "inventory", ("inventory.view",)),)

    def ready(self):
        from ketamine_clinic.clinic_settings import register_app
        from . import clinic_policy, sections
        register_app(self, clinic_policy, sections)

A context function may have a companion named ``<its name>_reads`` in the same module: the lists it
reads (``core.sections``), which the page then reads for all its sections in one statement.
"""

from ketamine_clinic.core.sections import register as register_section

from .registry import register


def register_app(config, clinic_policy=None, sections=None) -> None:
    """Register the app's settings (and optional ``VALIDATORS``) and the sections its config declares."""
    if clinic_policy is not None:
        register(clinic_policy.SETTINGS, getattr(clinic_policy, "VALIDATORS", None))
    for page, order, template, context_fn_name, name, actions in getattr(config, "clinic_sections", ()):
        register_section(page, order, template, getattr(sections, context_fn_name), name=name, actions=actions,
                         reads=getattr(sections, f"{context_fn_name}_reads", None))
