from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ketamine_clinic.billing"
    label = "billing"
