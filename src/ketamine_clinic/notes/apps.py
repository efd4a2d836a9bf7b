from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "ketamine_clinic.notes"
    label = "notes"

    def ready(self):
        from ketamine_clinic.treatments import facts

        from .kap import preparation_item

        if preparation_item not in facts.CHECKLIST_EXTENSIONS:
            facts.CHECKLIST_EXTENSIONS.append(preparation_item)
