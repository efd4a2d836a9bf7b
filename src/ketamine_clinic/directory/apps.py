from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ketamine_clinic.directory"
    label = "directory"
    verbose_name = "Provider directory"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, sections

        register(clinic_policy.SETTINGS)
        register_section("today", 50, "directory/_today.html", sections.today_context, name="directory-expiring",
                         actions=("directory.edit_any",))
