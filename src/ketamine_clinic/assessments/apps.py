from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ketamine_clinic.assessments"
    label = "assessments"
