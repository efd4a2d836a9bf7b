"""The single door for questionnaire responses, suicide-risk alerts, one-time links and outcomes.

Every write checks who may act, validates (answers through ``clinical.instruments``, the rest with
Django forms), writes in one transaction with its audit event and a timeline line, and sends mail
only after the transaction commits. Scores, outcome definitions and schedules come from the
clinical core; nothing here re-derives them.

The code lives in small modules by topic; this package re-exports their public names, so callers
keep importing ``ketamine_clinic.assessments.services`` (or ``from ... import services``).
"""

from ._common import LinkUnavailable
from .alerts import acknowledge_alert, alert_recipients, open_alerts_for, with_people
from .escalation import escalate_overdue_alerts, escalation_recipients, schedule_escalation
from .instruments import get_instrument_or_error, patient_can_answer, self_report_instruments, trackable_instruments
from .links import create_link, open_link, send_measure_link
from .outcomes import current_points, current_totals_by_instrument, outcome_fields, refresh_outcome, summarize_points
from .reads import drafts_for_patient, find_draft, get_response_for, own_patient, patient_for, responses_for
from .responses import LINK_MODES, STAFF_MODES, amend_response, save_draft, submit_response

__all__ = [
    "LINK_MODES",
    "STAFF_MODES",
    "LinkUnavailable",
    "acknowledge_alert",
    "alert_recipients",
    "amend_response",
    "escalation_recipients",
    "create_link",
    "current_points",
    "current_totals_by_instrument",
    "drafts_for_patient",
    "escalate_overdue_alerts",
    "find_draft",
    "get_instrument_or_error",
    "get_response_for",
    "open_alerts_for",
    "open_link",
    "outcome_fields",
    "own_patient",
    "patient_can_answer",
    "patient_for",
    "refresh_outcome",
    "responses_for",
    "save_draft",
    "schedule_escalation",
    "self_report_instruments",
    "send_measure_link",
    "submit_response",
    "summarize_points",
    "trackable_instruments",
    "with_people",
]
