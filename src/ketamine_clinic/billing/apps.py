from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ketamine_clinic.billing"
    label = "billing"
    # (page, order, template, context function in sections.py, section name, actions): clinic_settings.app_setup
    clinic_sections = (
        ("chart", 70, "billing/_chart_section.html", "chart_context", "billing", ("billing.view_codes",)),
        ("today", 60, "billing/_today.html", "today_context", "billing-today", ("billing.code", "billing.collect")),
    )

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register_app
        from ketamine_clinic.plans import booking_checks

        from . import clinic_policy, sections
        from .services import prior_auth

        register_app(self, clinic_policy, sections)
        # Plans sits below billing: booking and the plan page ask billing's prior authorizations here.
        for hooks, fn in ((booking_checks.BOOKING_CHECKS, prior_auth.booking_problems),
                          (booking_checks.PLAN_WARNINGS, prior_auth.plan_warnings)):
            if fn not in hooks:
                hooks.append(fn)
