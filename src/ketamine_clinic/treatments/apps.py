from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketamine_clinic.treatments"
    label = "treatments"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 40, "treatments/_chart_section.html", "chart_sessions", "treatments", ("session.view",)),
        ("today", 30, "treatments/_today.html", "today_sessions", "treatments-now", ("session.view",)),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy, sections

        register_app(self, clinic_policy, sections)
