from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketamine_clinic.treatments"
    label = "treatments"
