from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ketamine_clinic.screening"
    label = "screening"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, sections

        register(clinic_policy.SETTINGS, getattr(clinic_policy, "VALIDATORS", None))
        register_section("chart", 10, "screening/_chart_section.html", sections.chart_card, name="screening",
                         actions=("evaluation.view", "consent.witness"))
