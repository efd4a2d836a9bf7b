from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ketamine_clinic.assessments"
    label = "assessments"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, sections

        register(clinic_policy.SETTINGS, getattr(clinic_policy, "VALIDATORS", None))
        register_section("today", 10, "assessments/_today_alerts.html", sections.today_alerts, name="assessments-alerts",
                         actions=("alert.acknowledge", "assessment.view", "org.manage"))
