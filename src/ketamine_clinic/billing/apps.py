from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ketamine_clinic.billing"
    label = "billing"

    def ready(self):
        # Imported here, not at the top: an AppConfig module loads before the app registry is ready.
        from ketamine_clinic.clinic_settings import register
        from ketamine_clinic.core.sections import register as register_section

        from ketamine_clinic.plans import booking_checks

        from . import clinic_policy, sections
        from .services import prior_auth

        register(clinic_policy.SETTINGS, getattr(clinic_policy, "VALIDATORS", None))
        register_section("chart", 70, "billing/_chart_section.html", sections.chart_context, name="billing",
                         actions=("billing.view_codes",))
        register_section("today", 60, "billing/_today.html", sections.today_context, name="billing-today",
                         actions=("billing.code", "billing.collect"))
        # Plans sits below billing: booking and the plan page ask billing's prior authorizations here.
        for hooks, fn in ((booking_checks.BOOKING_CHECKS, prior_auth.booking_problems),
                          (booking_checks.PLAN_WARNINGS, prior_auth.plan_warnings)):
            if fn not in hooks:
                hooks.append(fn)
