from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "ketamine_clinic.front"
    label = "front"
