from django.apps import AppConfig


class PharmacologyConfig(AppConfig):
    name = "ketamine_clinic.pharmacology"
    label = "pharmacology"
