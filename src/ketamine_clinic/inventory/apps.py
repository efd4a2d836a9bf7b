from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "ketamine_clinic.inventory"
    label = "inventory"
    verbose_name = "Controlled-substance inventory"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 45, "inventory/_chart_section.html", "chart_context", "inventory", ("inventory.view",)),
        ("today", 40, "inventory/_today.html", "today_context", "inventory-today",
         ("inventory.count", "inventory.administer")),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy, sections

        register_app(self, clinic_policy, sections)
