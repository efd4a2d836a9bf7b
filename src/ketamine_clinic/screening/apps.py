from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ketamine_clinic.screening"
    label = "screening"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 10, "screening/_chart_section.html", "chart_card", "screening", ("evaluation.view", "consent.witness")),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy, sections

        register_app(self, clinic_policy, sections)
