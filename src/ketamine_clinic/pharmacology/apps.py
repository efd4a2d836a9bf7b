from django.apps import AppConfig


class PharmacologyConfig(AppConfig):
    name = "ketamine_clinic.pharmacology"
    label = "pharmacology"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register

        from . import defaults

        register(defaults.SETTINGS, getattr(defaults, "VALIDATORS", None))
