from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ketamine_clinic.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy

        register_app(self, clinic_policy)
