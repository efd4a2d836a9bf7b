from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ketamine_clinic.plans"
    label = "plans"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register

        from . import policy, services  # services: connects the induction_finished receiver

        register(policy.SETTINGS, getattr(policy, "VALIDATORS", None))
