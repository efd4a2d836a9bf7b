from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "ketamine_clinic.education"
    label = "education"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, sections

        register(clinic_policy.SETTINGS)
        register_section("chart", 60, "education/_chart_section.html", sections.chart_context, name="education",
                         actions=("education.view",))
