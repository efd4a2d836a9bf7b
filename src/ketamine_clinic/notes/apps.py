from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "ketamine_clinic.notes"
    label = "notes"
