from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ketamine_clinic.billing"
    label = "billing"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register

        from . import policy

        register(policy.SETTINGS, getattr(policy, "VALIDATORS", None))
