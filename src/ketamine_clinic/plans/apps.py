from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ketamine_clinic.plans"
    label = "plans"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from . import clinic_policy, services  # services: connects the induction_finished receiver
        from . import sections  # after services, which must load before scheduling (they import each other)

        register(clinic_policy.SETTINGS, getattr(clinic_policy, "VALIDATORS", None))
        register_section("chart", 30, "plans/_chart_section.html", sections.chart_summary, name="plans",
                         actions=("plan.view",))
        register_section("today", 20, "plans/_today.html", sections.today_list, name="plans-day",
                         actions=("schedule.view",))
