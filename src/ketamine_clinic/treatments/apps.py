from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketamine_clinic.treatments"
    label = "treatments"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, sections

        register(clinic_policy.SETTINGS, getattr(clinic_policy, "VALIDATORS", None))
        register_section("chart", 40, "treatments/_chart_section.html", sections.chart_sessions, name="treatments",
                         actions=("session.view",))
        register_section("today", 30, "treatments/_today.html", sections.today_sessions, name="treatments-now",
                         actions=("session.view",))
