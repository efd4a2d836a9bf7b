"""The single door for treatment plans: draft, activate (signed, screened), pause, resume, complete,
stop, dose changes (versioned, signed) and booster proposals.

Every write checks permission, validates, writes in one transaction with its audit event and a
chart timeline line, and queues reminders on commit. Reads go through ``*_for(ctx, …)``, scoped to
the actor's clinic: another clinic's plan is "not found".

The functions live in modules by topic; import them from here (``services.activate_plan``).
"""

from ._common import OPEN_STATUSES, declined_routes, may_treat, plan_protocol
from .boosters import (
    accept_proposal,
    decline_proposal,
    maintenance_protocol_for,
    propose_maintenance_for,
    signal_relapse,
)
from .drafting import create_plan
from .lifecycle import activate_plan, change_dose, change_status
from .reads import (
    get_plan_for,
    get_proposal_for,
    patient_for,
    plans_for,
    preview_schedule,
    sessions_done,
    therapist_choices,
    titration_hints,
)

__all__ = [
    "OPEN_STATUSES", "accept_proposal", "activate_plan", "change_dose", "change_status", "create_plan",
    "decline_proposal", "declined_routes", "get_plan_for", "get_proposal_for", "maintenance_protocol_for", "may_treat", "patient_for",
    "plan_protocol", "plans_for", "preview_schedule", "propose_maintenance_for", "sessions_done", "signal_relapse",
    "therapist_choices", "titration_hints",
]
