from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "ketamine_clinic.education"
    label = "education"

    def ready(self):
        """Plug education into the lower apps' hooks (they import nothing of education)."""
        from ketamine_clinic.plans.services import lifecycle
        from ketamine_clinic.screening.services import rems

        from .gates import refuse_rems_without_education
        from .services import send_pack_for_plan

        for hooks, hook in ((lifecycle.ACTIVATION_HOOKS, send_pack_for_plan), (rems.ENROLLMENT_CHECKS, refuse_rems_without_education)):
            if hook not in hooks:
                hooks.append(hook)
