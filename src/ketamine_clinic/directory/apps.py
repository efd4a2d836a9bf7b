from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ketamine_clinic.directory"
    label = "directory"
    verbose_name = "Provider directory"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("today", 50, "directory/_today.html", "today_context", "directory-expiring", ("directory.edit_any",)),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy, sections

        register_app(self, clinic_policy, sections)
