from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ketamine_clinic.screening"
    label = "screening"
