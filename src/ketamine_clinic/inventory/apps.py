from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "ketamine_clinic.inventory"
    label = "inventory"
    verbose_name = "Controlled-substance inventory"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, sections

        register(clinic_policy.SETTINGS)
        register_section("chart", 45, "inventory/_chart_section.html", sections.chart_context, name="inventory",
                         actions=("inventory.view",))
        register_section("today", 40, "inventory/_today.html", sections.today_context, name="inventory-today",
                         actions=("inventory.count", "inventory.administer"))
