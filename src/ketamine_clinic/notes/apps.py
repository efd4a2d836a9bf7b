from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "ketamine_clinic.notes"
    label = "notes"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.treatments import facts

        from . import policy
        from .kap import preparation_item

        register(policy.SETTINGS)
        # The KAP plan's signed-preparation item on the session checklist (treatments imports nothing of notes).
        if preparation_item not in facts.CHECKLIST_EXTENSIONS:
            facts.CHECKLIST_EXTENSIONS.append(preparation_item)
