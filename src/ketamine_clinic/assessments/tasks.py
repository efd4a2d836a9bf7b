"""Background work of measurement-based care (run by `ketamine-clinic worker`).

The task is defined beside the work it runs (``services.escalation``), which also queues it; this
module keeps the import path ``ketamine_clinic.assessments.tasks.escalate_alerts``.
"""

from .services.escalation import escalate_alerts

__all__ = ["escalate_alerts"]
