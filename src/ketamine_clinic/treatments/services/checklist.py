"""The pre-dose checklist's session-level facts and the prescriber's esketamine blood-pressure decision."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.patients.services import add_subrecord

from .. import facts
from .. import forms as tforms
from ..models import SessionStatus, TreatmentSession
from ._common import _audit, _bump, _check_version, _lock, _policy, _timeline, _validate, _when

CHECKLIST_FIELDS = ("weight_today_kg", "last_food_at", "last_liquid_at", "ride_home_confirmed", "can_become_pregnant",
                    "pregnancy_test")


DEFERRAL_REASON_MAX_CHARS = 300


def update_checklist(ctx: Context, session: TreatmentSession, data: dict, *, expected_version=None,
                     now: dt.datetime | None = None) -> TreatmentSession:
    """Change the checklist's session-level facts; only the fields sent change."""
    require(ctx.user, "session.run")
    now = now or timezone.now()
    data = {k: v for k, v in data.items() if v is not None}
    cleaned = _validate(tforms.ChecklistForm, data)
    changes = _checklist_changes(session, data, cleaned, now)
    deferrals = _deferrals_sent(session, data)
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, expected_version)
        if locked.status != SessionStatus.CHECKED_IN:
            raise Conflict("The pre-dose checklist is closed once dosing has started.")
        if deferrals.get("cssrs"):
            _refuse_cssrs_deferral_after_positive_screen(locked, now)
        changed = _apply_changes(locked, changes) + _apply_deferrals(locked, deferrals)
        if not changed:
            return locked
        _bump(locked, now, changed)
        if "weight_today_kg" in changed and has_permission(ctx.user, "patient.edit_clinical"):
            _record_weight_measurement(ctx, locked, now)
        _audit(ctx, Action.SESSION_CHECKLIST, locked, {"fields": changed, "version": locked.version})
    return locked


def _checklist_changes(session: TreatmentSession, data: dict, cleaned: dict, now: dt.datetime) -> dict:
    """The session fields to set, from the fields sent (an empty weight is ignored, an empty
    "can become pregnant" clears it)."""
    changes: dict = {}
    if "weight_today_kg" in data and data["weight_today_kg"] != "":
        changes["weight_today_kg"] = _weight_in_range(cleaned["weight_today_kg"])
    for key in ("last_food_at", "last_liquid_at"):
        if key in data:
            changes[key] = _when(cleaned[key], key, session, now, default_now=False)
    for key in ("ride_home_confirmed", "can_become_pregnant"):
        if key in data and cleaned[key] != "":
            changes[key] = cleaned[key] == "yes"
        elif key == "can_become_pregnant" and key in data:
            changes[key] = None
    if "pregnancy_test" in data:
        changes["pregnancy_test"] = cleaned["pregnancy_test"]
    return changes


def _weight_in_range(weight):
    low, high = cs.dosing.WEIGHT_KG_RANGE
    if weight is None or not low <= weight <= high:
        raise ValidationFailed({"weight_today_kg": [f"{weight} kg is outside {low}–{high} kg; check the entry."]})
    return weight


def _deferrals_sent(session: TreatmentSession, data: dict) -> dict[str, str]:
    """{measure key: reason} for each ``defer_<key>`` sent; an empty reason withdraws the deferral."""
    deferrals = {}
    for key in facts.measure_keys(session):
        field = f"defer_{key}"
        if field in data:
            reason = str(data[field] or "").strip()
            if len(reason) > DEFERRAL_REASON_MAX_CHARS:
                raise ValidationFailed({field: [f"At most {DEFERRAL_REASON_MAX_CHARS} characters."]})
            deferrals[key] = reason
    return deferrals


def _refuse_cssrs_deferral_after_positive_screen(locked: TreatmentSession, now: dt.datetime) -> None:
    screen = facts.suicide_screen(locked, now, _policy(locked))
    if screen.requires_cssrs:
        raise ValidationFailed({"defer_cssrs": [
            "A positive suicide screen was recorded: the C-SSRS cannot be deferred. Complete it before dosing."]})


def _apply_changes(locked: TreatmentSession, changes: dict) -> list[str]:
    """Set the fields whose value differs; the names of those changed."""
    changed = [k for k, v in changes.items() if getattr(locked, k) != v]
    for k in changed:
        setattr(locked, k, changes[k])
    return changed


def _apply_deferrals(locked: TreatmentSession, deferrals: dict[str, str]) -> list[str]:
    """Merge the deferrals sent into the session's; ["measure_deferrals"] if that changed them."""
    merged = dict(locked.measure_deferrals or {})
    for k, reason in deferrals.items():
        if reason:
            merged[k] = reason
        else:
            merged.pop(k, None)
    if merged == (locked.measure_deferrals or {}):
        return []
    locked.measure_deferrals = merged
    return ["measure_deferrals"]


def _record_weight_measurement(ctx: Context, locked: TreatmentSession, now: dt.datetime) -> None:
    """Today's weight also goes to the patient's chart as a measurement."""

    add_subrecord(ctx, locked.patient, "measurement",
                  {"measured_on": facts.local_date(locked, now).isoformat(), "weight_kg": str(locked.weight_today_kg)})


def record_bp_decision(ctx: Context, session: TreatmentSession, data: dict, *, expected_version=None,
                       now: dt.datetime | None = None) -> TreatmentSession:
    """The prescriber's documented risk–benefit decision on the esketamine pre-dose BP (spravato-pi)."""
    require(ctx.user, "session.bp_decision")
    now = now or timezone.now()
    cleaned = _validate(tforms.BpDecisionForm, data)
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, expected_version if expected_version is not None else cleaned.get("version"))
        if locked.status != SessionStatus.CHECKED_IN:
            raise Conflict("The blood-pressure decision is made before dosing.")
        reading = facts.predose_reading(locked)
        if reading is None or reading.systolic_mmhg is None:
            raise ValidationFailed({"note": ["Record the pre-dose blood pressure first."]})
        locked.bp_decision_by, locked.bp_decision_at = ctx.user, now
        locked.bp_decision_note, locked.bp_decision_reading = cleaned["note"].strip(), reading
        _bump(locked, now, ["bp_decision_by", "bp_decision_at", "bp_decision_note", "bp_decision_reading"])
        _audit(ctx, Action.SESSION_BP_DECISION, locked, {"bp": reading.blood_pressure})
        _timeline(ctx, locked, f"Blood pressure {reading.blood_pressure} mmHg before esketamine: prescriber's "
                               f"risk–benefit decision documented")
    return locked


def record_cssrs_decision(ctx: Context, session: TreatmentSession, data: dict, *, expected_version=None,
                          now: dt.datetime | None = None) -> TreatmentSession:
    """A prescriber's documented decision to dose despite a high-risk C-SSRS (source "cssrs"). It
    clears that response only: a later high-risk C-SSRS needs a new decision."""
    require(ctx.user, "session.cssrs_decision")
    if session.organization_id != ctx.user.organization_id:
        raise NotFound("No such session.")
    now = now or timezone.now()
    cleaned = _validate(tforms.CssrsDecisionForm, data)
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, expected_version if expected_version is not None else cleaned.get("version"))
        if locked.status != SessionStatus.CHECKED_IN:
            raise Conflict("The decision on a high-risk C-SSRS is made before dosing.")
        response = facts.latest_high_risk_cssrs(locked, now, _policy(locked))
        if response is None:
            raise ValidationFailed({"note": ["No high-risk C-SSRS is recorded for this patient in the clinic's window."]})
        locked.cssrs_decision_by, locked.cssrs_decision_at = ctx.user, now
        locked.cssrs_decision_note, locked.cssrs_decision_response = cleaned["note"].strip(), response
        _bump(locked, now, ["cssrs_decision_by", "cssrs_decision_at", "cssrs_decision_note", "cssrs_decision_response"])
        _audit(ctx, Action.SESSION_CSSRS_DECISION, locked, {"response": str(response.public_id), "note": locked.cssrs_decision_note})
        _timeline(ctx, locked, "High-risk C-SSRS before dosing: prescriber's decision documented")
    return locked
