from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketamine_clinic.treatments"
    label = "treatments"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register

        from . import policy

        register(policy.SETTINGS, getattr(policy, "VALIDATORS", None))
