from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ketamine_clinic.screening"
    label = "screening"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register

        from . import policy

        register(policy.SETTINGS, getattr(policy, "VALIDATORS", None))
