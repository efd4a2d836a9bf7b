from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "ketamine_clinic.outcomes"
    label = "outcomes"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 20, "assessments/_chart_section.html", "chart_summary", "assessments", ("assessment.view",)),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import groups, sections

        register_app(self, sections=sections)
        groups.connect()  # the rows the dashboard aggregates follow outcomes, diagnoses and plans
