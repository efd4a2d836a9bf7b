from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "ketamine_clinic.notes"
    label = "notes"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 50, "notes/_chart_section.html", "chart_context", "notes", ("note.list",)),
        ("today", 25, "notes/_today.html", "today_context", "notes-today", ("note.write_medical", "note.write_therapy")),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app
        from ketamine_clinic.treatments import facts

        from . import clinic_policy, sections
        from .kap import preparation_item

        register_app(self, clinic_policy, sections)
        # The KAP plan's signed-preparation item on the session checklist (treatments imports nothing of notes).
        if preparation_item not in facts.CHECKLIST_EXTENSIONS:
            facts.CHECKLIST_EXTENSIONS.append(preparation_item)
