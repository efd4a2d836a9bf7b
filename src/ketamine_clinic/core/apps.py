from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketamine_clinic.core"
    label = "core"
