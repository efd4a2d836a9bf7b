from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ketamine_clinic.directory"
    label = "directory"
    verbose_name = "Provider directory"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register

        from . import policy

        register(policy.SETTINGS)
