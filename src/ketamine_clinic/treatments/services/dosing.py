"""Dosing: authorizing and starting the dose (guardrails, co-signature), esketamine devices, pump
rate changes and stopping. Refused while any checklist hard stop is open."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts import lockout
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.core.text_limits import display_summary

from .. import facts
from .. import forms as tforms
from ..models import (
    Administration,
    DeviceDose,
    EntryKind,
    MonitoringEntry,
    RateChange,
    SessionStatus,
    TreatmentSession,
)
from . import stock
from ._common import (
    _audit,
    _bump,
    _check_version,
    _core_error,
    _enter_timed,
    _lock,
    _policy,
    _set_appointment_status,
    _timeline,
)

def _assert_may_dose(session: TreatmentSession, now: dt.datetime, policy) -> cs.ChecklistResult:
    try:
        result = facts.checklist_for(session, now, policy)
    except cs.SessionInputError as exc:
        raise Conflict(f"The checklist cannot be evaluated: {exc.message}", {"checklist": [exc.message]}) from None
    if not result.may_dose:
        messages = [f"{i.label}: {i.message}" for i in result.blocking]
        raise Conflict("Dosing is blocked until every hard stop on the checklist is resolved.", {"checklist": messages})
    return result


def _check_expiry(session, expiry: dt.date, now: dt.datetime, field: str = "expiry_date") -> None:
    today = facts.local_date(session, now)
    if expiry < today:
        raise ValidationFailed({field: [f"This product expired on {expiry:%Y-%m-%d}: it may not be given."]})


def _cosigner(ctx: Context, session: TreatmentSession, cleaned: dict) -> User:
    errors = {}
    username = (cleaned.get("cosigner") or "").strip()
    if not username:
        errors["cosigner"] = ["A second clinician must co-sign a dose above the soft limit."]
    if not (cleaned.get("cosign_reason") or "").strip():
        errors["cosign_reason"] = ["Give the reason for going above the soft limit."]
    if errors:
        raise ValidationFailed(errors)
    user = User.objects.filter(organization_id=session.organization_id, username__iexact=username, is_active=True,
                               kind=User.Kind.STAFF).first()
    if user is None or not has_permission(user, "session.cosign"):
        raise ValidationFailed({"cosigner": ["No clinician of this clinic who may co-sign doses has this username."]})
    if user.pk == ctx.user.pk:
        raise ValidationFailed({"cosigner": ["The co-signer must be a different clinician from you."]})
    if lockout.cosign_locked(user):  # wrong passwords count like sign-in failures (accounts/lockout.py)
        raise ValidationFailed({"cosigner_password": [lockout.COSIGN_LOCKED]})
    if not user.check_password(cleaned.get("cosigner_password") or ""):
        raise _CosignPasswordWrong(user)
    return user


class _CosignPasswordWrong(Exception):
    """Raised inside the dosing transaction; audited after it rolls back."""


def start_dosing(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> TreatmentSession:
    """Authorize the dose (guardrails, co-signature) and record its start: the pump at the computed
    rate (IV), the first device (esketamine), or the whole dose (IM, oral). Refused while any
    checklist hard stop is open, above a hard limit, or with an expired product."""
    now, cleaned, started_at = _enter_timed(ctx, session, tforms.StartDosingForm, data, "started_at", now)
    container = stock.product_from_stock(ctx, cleaned)
    _check_expiry(session, cleaned["expiry_date"], now)
    try:
        return _start_dosing(ctx, session, cleaned, started_at, now, container)
    except _CosignPasswordWrong as exc:
        lockout.record_cosign_failure(exc.args[0])  # after the rollback, so the count is kept
        _audit(ctx, Action.SESSION_COSIGN_FAILED, session, {"cosigner": exc.args[0].username})
        raise ValidationFailed({"cosigner_password": ["The co-signer's password is not correct."]}) from None


def _start_dosing(ctx, session, cleaned, started_at, now, container=None) -> TreatmentSession:
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, cleaned.get("version"))
        if locked.status != SessionStatus.CHECKED_IN:
            raise Conflict(f"Dosing has already started ({locked.get_status_display().lower()}).")
        policy = _policy(locked)
        checklist = _assert_may_dose(locked, now, policy)
        if started_at < locked.checked_in_at:
            raise ValidationFailed({"started_at": ["Dosing cannot start before the patient checked in."]})
        preview = facts.dose_preview(locked, policy)
        if preview.plan is None or preview.guardrail is None:
            raise ValidationFailed({"dose": [preview.error or "The dose cannot be computed."]})
        plan, guardrail = preview.plan, preview.guardrail
        cosigner = _cosigner(ctx, locked, cleaned) if guardrail.needs_cosign else None
        _authorize(ctx, locked, guardrail, cosigner, policy, cleaned)
        route = Route(locked.route)
        admin = _create_administration(ctx, locked, plan, route, cleaned, started_at, now)
        _first_dose_by_route(ctx, locked, plan, route, admin, started_at, now)
        stock.draw_dose(ctx, locked, container, draw_volume_ml=plan.draw_volume_ml,
                        given_now_mg=None if route is Route.IV else (admin.bolus_mg or plan.dose_mg), now=started_at)
        vitals_ok = all(i.status in (cs.ItemStatus.OK, cs.ItemStatus.NOT_APPLICABLE) for i in checklist.items
                        if i.key in ("blood_pressure", "heart_rate", "spo2", "respiratory_rate"))
        locked.dose_plan, locked.dose_mg = facts.plan_to_json(plan), plan.dose_mg
        locked.guardrail_level, locked.guardrail_message = guardrail.level.value, display_summary(guardrail.message, TreatmentSession, "guardrail_message")
        locked.cosigned_by, locked.cosign_reason = cosigner, (cleaned.get("cosign_reason") or "").strip() if cosigner else ""
        locked.predose_vitals_ok, locked.dosing_started_at = vitals_ok, started_at
        _bump(locked, now, ["status", "dosing_ended_at", "dose_plan", "dose_mg", "guardrail_level", "guardrail_message",
                            "cosigned_by", "cosign_reason", "predose_vitals_ok", "dosing_started_at"])
        _set_appointment_status(ctx, locked, "in_session", "Dosing started")
        _audit(ctx, Action.SESSION_DOSE_START, locked, {
            "dose_mg": str(plan.dose_mg), "guardrail": guardrail.level.value, "lot": admin.lot_number,
            "cosigned_by": cosigner.username if cosigner else ""})
        _timeline(ctx, locked, f"Dose started: {plan.dose_mg} mg {route.label}"
                               + (f" (co-signed by {cosigner.name}: {locked.cosign_reason})" if cosigner else ""))
    return locked


def _authorize(ctx, locked, guardrail, cosigner, policy, cleaned) -> None:
    """The guardrail's verdict with who ordered, who gives and who co-signs (cs.authorize_dose)."""
    try:
        cs.authorize_dose(guardrail, ordered_by=locked.ordered_by.username, given_by=ctx.user.username,
                          cosigned_by=cosigner.username if cosigner else None, policy=policy,
                          cosign_reason=(cleaned.get("cosign_reason") or "").strip() or None)
    except cs.DoseNotAuthorized as exc:
        field = {"cosigned_by": "cosigner"}.get(exc.field, exc.field)
        raise ValidationFailed({field: [exc.message[0].upper() + exc.message[1:] + "."]}) from None


def _create_administration(ctx, locked, plan, route: Route, cleaned, started_at, now) -> Administration:
    """The product, lot and expiry given; for IV also the concentration in the pump."""
    pump_conc = None
    if route is Route.IV:
        pump_conc = plan.drawn_dose_mg / plan.infusion_volume_ml
    return Administration.objects.create(
        session=locked, product_name=locked.product_name, lot_number=cleaned["lot_number"].strip(),
        expiry_date=cleaned["expiry_date"], concentration_mg_per_ml=locked.concentration_mg_per_ml,
        pump_concentration_mg_per_ml=pump_conc.quantize(Decimal("0.00001")) if pump_conc is not None else None,
        started_at=started_at, given_by=ctx.user, recorded_at=now,
    )


def _first_dose_by_route(ctx, locked, plan, route: Route, admin, started_at, now) -> None:
    """IV: the pump's first rate. Esketamine: the first device (one device ends dosing). Other
    routes: a single dose given at once. Sets the session's status accordingly."""
    locked.status = SessionStatus.DOSING
    if route is Route.IV:
        RateChange.objects.create(administration=admin, at=started_at, rate_ml_per_h=plan.pump_rate_ml_per_h,
                                  reason="Started at the computed rate", recorded_by=ctx.user, recorded_at=now)
    elif route is Route.ESKETAMINE_NASAL:
        DeviceDose.objects.create(session=locked, given_at=started_at, lot_number=admin.lot_number,
                                  expiry_date=admin.expiry_date, given_by=ctx.user, recorded_at=now)
        if plan.device_count == 1:
            locked.status, locked.dosing_ended_at = SessionStatus.OBSERVING, started_at
    else:
        admin.bolus_mg, admin.stopped_at = plan.dose_mg, started_at
        admin.save(update_fields=["bolus_mg", "stopped_at"])
        locked.status, locked.dosing_ended_at = SessionStatus.OBSERVING, started_at


def record_device(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> DeviceDose:
    """The next esketamine device: at least 5 min after the previous one (spravato-pi), no more than ordered."""
    now, cleaned, given_at = _enter_timed(ctx, session, tforms.DeviceForm, data, "given_at", now)
    container = stock.product_from_stock(ctx, cleaned)
    _check_expiry(session, cleaned["expiry_date"], now)
    with transaction.atomic():
        locked = _lock(session)
        if locked.route != Route.ESKETAMINE_NASAL:
            raise Conflict("Devices are recorded for esketamine sessions only.")
        if locked.status != SessionStatus.DOSING:
            raise Conflict("Start dosing with the first device; no more devices after dosing ended.")
        policy = _policy(locked)
        _assert_may_dose(locked, now, policy)
        existing = list(locked.devices.all())
        planned = facts.planned_device_count(locked) or 0
        if len(existing) >= planned:
            raise Conflict(f"All {planned} ordered devices are recorded.")
        previous = [cs.DeviceGiven(d.given_at, d.lot_number) for d in existing]
        allowed = cs.next_device_allowed_at(previous)
        if allowed is not None and given_at < allowed:
            local = timezone.localtime(allowed, locked.location.tz)
            raise ValidationFailed({"given_at": [
                f"The next device may be given from {local:%H:%M}: the label asks for "
                f"{cs.ESKETAMINE_DEVICE_SPACING_MIN} min between devices."]})
        try:
            cs.check_device_log(previous + [cs.DeviceGiven(given_at, cleaned["lot_number"].strip())])
        except cs.SessionInputError as exc:
            raise _core_error(exc) from None
        device = DeviceDose.objects.create(session=locked, given_at=given_at, lot_number=cleaned["lot_number"].strip(),
                                           expiry_date=cleaned["expiry_date"], given_by=ctx.user, recorded_at=now)
        stock.draw_dose(ctx, locked, container, draw_volume_ml=None, given_now_mg=None, now=given_at)
        fields = []
        if len(existing) + 1 >= planned:
            locked.status, locked.dosing_ended_at = SessionStatus.OBSERVING, given_at
            fields = ["status", "dosing_ended_at"]
        _bump(locked, now, fields)
        _audit(ctx, Action.SESSION_DEVICE, locked, {"device": len(existing) + 1, "lot": device.lot_number}, obj=device)
    return device


def change_rate(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> RateChange:
    """A new pump rate from ``at`` (0 = pause). Append-only."""
    now, cleaned, at = _enter_timed(ctx, session, tforms.RateChangeForm, data, "at", now)
    with transaction.atomic():
        locked = _lock(session)
        if locked.route != Route.IV or locked.status != SessionStatus.DOSING:
            raise Conflict("The pump rate can be changed only while an infusion is running.")
        admin = locked.administration
        changes = list(admin.rate_changes.order_by("at", "id"))
        if changes and at <= changes[-1].at:
            raise ValidationFailed({"at": ["A rate change must come after the previous one (and after the start)."]})
        try:  # the core checks the rate (not negative, within a pump's range) and the segments' order
            cs.total_given_mg(facts.rate_segments(admin, at) + [
                cs.RateSegment(at, at + dt.timedelta(minutes=1), cleaned["rate_ml_per_h"], admin.pump_concentration_mg_per_ml)])
        except cs.SessionInputError as exc:
            raise ValidationFailed({"rate_ml_per_h" if "rate" in exc.field else "at": [exc.message]}) from None
        change = RateChange.objects.create(administration=admin, at=at, rate_ml_per_h=cleaned["rate_ml_per_h"],
                                           reason=cleaned.get("reason", "").strip(), recorded_by=ctx.user, recorded_at=now)
        _audit(ctx, Action.SESSION_RATE_CHANGE, locked, {"rate_ml_per_h": str(change.rate_ml_per_h)})
    return change


def stop_dosing(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> TreatmentSession:
    """Stop the infusion (IV) or end the device sequence early (esketamine); observation begins."""
    now, cleaned, stopped_at = _enter_timed(ctx, session, tforms.StopForm, data, "stopped_at", now)
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, cleaned.get("version"))
        if locked.status != SessionStatus.DOSING:
            raise Conflict("No dosing is in progress.")
        admin = locked.administration
        if locked.route == Route.IV:
            changes = list(admin.rate_changes.order_by("at", "id"))
            if stopped_at <= admin.started_at:
                raise ValidationFailed({"stopped_at": ["The stop time must be after the start time."]})
            if changes and stopped_at < changes[-1].at:
                raise ValidationFailed({"stopped_at": ["The stop time must be after the last rate change."]})
            try:
                cs.total_given_mg(facts.rate_segments(admin, stopped_at))
            except cs.SessionInputError as exc:
                raise ValidationFailed({"stopped_at": [exc.message]}) from None
            admin.stopped_at = stopped_at
            admin.save(update_fields=["stopped_at"])
            locked.dosing_ended_at = stopped_at
        else:
            last = locked.devices.order_by("-given_at").first()
            if stopped_at < last.given_at:
                raise ValidationFailed({"stopped_at": ["The stop time must be after the last device."]})
            admin.stopped_at = last.given_at
            admin.save(update_fields=["stopped_at"])
            locked.dosing_ended_at = last.given_at
        locked.status = SessionStatus.OBSERVING
        reason = cleaned.get("reason", "").strip()
        if reason:
            MonitoringEntry.objects.create(session=locked, kind=EntryKind.NOTE, occurred_at=stopped_at,
                                           data={"note": reason}, summary=display_summary(f"Dosing stopped: {reason}", MonitoringEntry, "summary"),
                                           recorded_by=ctx.user, recorded_at=now)
        _bump(locked, now, ["status", "dosing_ended_at"])
        total = facts.given_so_far(locked, now)
        stock.record_infusion_given(ctx, locked, total, now=locked.dosing_ended_at)
        _audit(ctx, Action.SESSION_DOSE_STOP, locked, {"given_mg": str(total)})
    return locked
