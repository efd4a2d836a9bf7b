"""The single door for the session day: check-in, checklist, dose, administration, monitoring,
alerts, discharge, REMS forms and drafts.

Every write checks permission, validates (Django form for shape, ``clinical.session`` for the
clinical rules), writes in one transaction with its audit event, and refuses a stale edit of a
session-level field (409). Charted entries (vitals, rate changes, devices, monitoring entries) are
append-only rows, so two nurses charting at once never overwrite each other. Dosing is refused
here — not only hidden in the page — while any checklist hard stop is open.

The functions live in modules by topic; import them from here (``services.start_dosing``).
"""

from ._common import CLOCK_SKEW, MAX_BACKDATE
from .board import board_rows, session_snapshot
from .checkin import ORDER_FIELDS, start_session, start_session_from_appointment
from .checklist import CHECKLIST_FIELDS, record_bp_decision, record_cssrs_decision, update_checklist
from .closing import discharge, end_without_dose, session_summary
from .dosing import change_rate, record_device, start_dosing, stop_dosing
from .drafts import DRAFT_FORMS, clear_draft, drafts_for, save_draft
from .monitoring import VITAL_FIELDS, acknowledge_alert, record_event, record_vitals
from .reads import (
    get_location_for,
    get_session_for,
    locations_for,
    open_session_of,
    prescribers_of,
    sessions_for,
    with_details,
)
from .rems import draft_for, form_rows, generate_rems_form, monitoring_clinician, rems_facts, rems_pdf
from .rems_forms import get_rems_form_for, mark_rems_submitted, rems_forms_for

__all__ = [
    "CHECKLIST_FIELDS", "CLOCK_SKEW", "DRAFT_FORMS", "MAX_BACKDATE", "ORDER_FIELDS", "VITAL_FIELDS",
    "acknowledge_alert", "board_rows", "change_rate", "clear_draft", "discharge", "draft_for", "drafts_for", "end_without_dose",
    "form_rows", "generate_rems_form", "get_location_for", "get_rems_form_for", "get_session_for", "locations_for", "mark_rems_submitted",
    "monitoring_clinician", "open_session_of", "prescribers_of", "record_bp_decision", "record_cssrs_decision", "record_device", "record_event", "record_vitals",
    "rems_facts", "rems_forms_for", "rems_pdf", "save_draft", "session_snapshot", "session_summary", "sessions_for", "start_dosing",
    "start_session", "start_session_from_appointment", "stop_dosing", "update_checklist", "with_details",
]
