from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ketamine_clinic.plans"
    label = "plans"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 30, "plans/_chart_section.html", "chart_summary", "plans", ("plan.view",)),
        ("today", 20, "plans/_today.html", "today_list", "plans-day", ("schedule.view",)),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app

        from . import clinic_policy, services  # services: connects the induction_finished receiver
        from . import sections  # after services, which must load before scheduling (they import each other)

        register_app(self, clinic_policy, sections)

        from ketamine_clinic.directory import opening_hours  # the public clinic page lists the hours kept here

        from .scheduling.reads import opening_hours_of
        if opening_hours_of not in opening_hours.PROVIDERS:
            opening_hours.PROVIDERS.append(opening_hours_of)
