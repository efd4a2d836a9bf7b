from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "ketamine_clinic.education"
    label = "education"
