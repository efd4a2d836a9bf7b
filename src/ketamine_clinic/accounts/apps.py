from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ketamine_clinic.accounts"
    label = "accounts"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers; imported once the models are loaded)
