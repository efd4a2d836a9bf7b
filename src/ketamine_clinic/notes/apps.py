from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "ketamine_clinic.notes"
    label = "notes"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section
        from ketamine_clinic.treatments import facts

        from . import clinic_policy, sections
        from .kap import preparation_item

        register(clinic_policy.SETTINGS)
        register_section("chart", 50, "notes/_chart_section.html", sections.chart_context, name="notes",
                         actions=("note.list",))
        register_section("today", 25, "notes/_today.html", sections.today_context, name="notes-today",
                         actions=("note.write_medical", "note.write_therapy"))
        # The KAP plan's signed-preparation item on the session checklist (treatments imports nothing of notes).
        if preparation_item not in facts.CHECKLIST_EXTENSIONS:
            facts.CHECKLIST_EXTENSIONS.append(preparation_item)
