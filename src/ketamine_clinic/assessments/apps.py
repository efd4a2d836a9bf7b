from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ketamine_clinic.assessments"
    label = "assessments"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("today", 10, "assessments/_today_alerts.html", "today_alerts", "assessments-alerts",
         ("alert.acknowledge", "assessment.view", "org.manage")),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy, sections

        register_app(self, clinic_policy, sections)
