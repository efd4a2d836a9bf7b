from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "ketamine_clinic.outcomes"
    label = "outcomes"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.core.sections import register as register_section

        from . import sections

        register_section("chart", 20, "assessments/_chart_section.html", sections.chart_summary, name="assessments",
                         actions=("assessment.view",))
