"""The session day: draw from a chosen container for a patient, then account for the whole draw
(administered + wasted + returned = drawn). Two nurses drawing from one vial queue on the
container's row lock, so the vial can never give more than it holds."""

import datetime as dt

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.ids import uuid_or_none
from ketamine_clinic.patients.models import Patient

from ..models import Count, Draw, LedgerEvent
from ..clinic_policy import inventory_policy, witness_required
from ..rules import expiry, ledger
from ..rules.quantities import Quantity, fit_remainder
from ._common import (WitnessAuthFailed, add_event, audit, container_balance, entries, invalid, local_today, lock_container,
                      now_or, qty_detail, quantity, text, witness_failed, witness_for)


def draw_open_quantity(draw: Draw) -> Quantity:
    """What of a draw is not yet administered, wasted or returned (corrected outcomes do not count;
    a corrected draw has nothing open)."""
    if LedgerEvent.objects.filter(corrects_id=draw.event_id).exists():
        return Quantity(draw.event.quantity_mg * 0, draw.event.quantity_ml * 0)
    outcomes = LedgerEvent.objects.filter(draw=draw, correction__isnull=True)
    return ledger.draw_open_quantity(Quantity(draw.event.quantity_mg, draw.event.quantity_ml), entries(outcomes))


def patient_snapshot(patient: Patient) -> dict:
    """Name and address as 1304.22(c) asks, frozen at the time of the event."""
    address = ", ".join(p for p in (patient.address_line, patient.city, patient.region, patient.postal_code) if p)
    return {"patient": patient, "patient_name": f"{patient.given_name} {patient.family_name}", "patient_address": address}


def _patient(org, raw) -> Patient:
    """A patient of the clinic by id or MRN."""
    public_id = uuid_or_none(raw)
    patients = Patient.objects.filter(organization=org)
    found = patients.filter(public_id=public_id).first() if public_id else patients.filter(mrn__iexact=str(raw or "").strip()).first()
    if found is None:
        raise invalid("patient", "No patient of your clinic has this id or MRN.")
    return found


def _check_usable(container, policy: dict, today: dt.date) -> None:
    opened = container.opened_on or (today if container.product.multi_dose else None)
    problem = expiry.usable_problem(today=today, expiry_date=container.expiry_date, opened_on=opened,
                                    beyond_use_days=policy["beyond_use_days"] if container.product.multi_dose else 10**6)
    if problem:
        raise invalid("container", f"{container.label} may not be used: {problem}")


def _check_daily_count(container, policy: dict, today: dt.date) -> None:
    if not policy["daily_count_required"]:
        return
    counts = Count.objects.filter(organization_id=container.organization_id, location=container.location)
    if not any(c.counted_at.astimezone(container.location.tz).date() == today for c in counts.order_by("-counted_at")[:5]):
        raise invalid("container", f"Clinic policy: today's count of {container.location.name} must be completed before the first draw.")


def draw(ctx, data: dict, *, session=None, now: dt.datetime | None = None) -> Draw:
    """Draw ``quantity_mg`` or ``quantity_ml`` from a container for a patient (a nasal device is
    always taken whole). Refused when expired, past its beyond-use date, or over the balance."""
    require(ctx.user, "inventory.administer")
    now = now_or(now)
    org = ctx.user.organization
    patient = session.patient if session is not None else _patient(org, data.get("patient"))
    with transaction.atomic():
        container = lock_container(org, data.get("container"))
        today = local_today(container.location, now)
        policy = inventory_policy(org)
        _check_usable(container, policy, today)
        _check_daily_count(container, policy, today)
        if container.product.is_device:
            qty = container_balance(container)
            if qty.mg <= 0:
                raise invalid("container", f"Device {container.label} has already been used.")
        else:
            qty = quantity(data, container.product.concentration_mg_per_ml)
            qty = fit_remainder(qty, container_balance(container))  # the last of a vial reaches zero in mg and mL
        event = add_event(ctx, container, ledger.EventType.DRAW, qty, now=now, **patient_snapshot(patient),
                          reference=f"session {session.public_id}" if session is not None else "")
        if container.product.multi_dose and container.opened_on is None:
            type(container).objects.filter(pk=container.pk).update(opened_on=today)
        drawn = Draw.objects.create(organization=org, container=container, event=event, patient=patient, session=session,
                                    drawn_by=ctx.user, drawn_at=now)
        audit(ctx, Action.INVENTORY_DRAW, drawn, {"container": container.label, **qty_detail(qty)}, patient=patient)
    return drawn


def _lock_draw(ctx, raw) -> tuple[Draw, object]:
    public_id = uuid_or_none(raw)
    found = Draw.objects.filter(organization=ctx.user.organization, public_id=public_id).first() if public_id else None
    if found is None:
        raise invalid("draw", "No draw of your clinic has this id.")
    container = lock_container(ctx.user.organization, found.container.public_id)  # outcomes of one draw queue here
    return Draw.objects.select_related("event", "patient", "session").get(pk=found.pk), container


def _outcome_quantity(draw: Draw, container, data: dict) -> Quantity:
    left = draw_open_quantity(draw)
    if left.mg <= 0:
        raise invalid("draw", "This draw is already fully accounted for.")
    if container.product.is_device:
        return left  # a device is given, wasted or returned whole
    return fit_remainder(quantity(data, container.product.concentration_mg_per_ml), left)


def _account(ctx, draw, container, event_type: ledger.EventType, qty: Quantity, now, **fields) -> LedgerEvent:
    try:
        ledger.check_draw_outcome(Quantity(draw.event.quantity_mg, draw.event.quantity_ml),
                                  entries(LedgerEvent.objects.filter(draw=draw, correction__isnull=True)),
                                  ledger.Entry(event_type, qty))
    except ledger.Overdraw as exc:
        raise invalid("quantity_mg", f"More than was drawn: {exc}.") from None
    return add_event(ctx, container, event_type, qty, now=now, location=container.location, draw=draw,
                     **patient_snapshot(draw.patient), **fields)


def administer(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Record what of a draw the patient was given (by this clinician)."""
    require(ctx.user, "inventory.administer")
    now = now_or(now)
    with transaction.atomic():
        drawn, container = _lock_draw(ctx, data.get("draw"))
        qty = _outcome_quantity(drawn, container, data)
        event = _account(ctx, drawn, container, ledger.EventType.ADMINISTER, qty, now,
                         reference=text(data, "reference", required=False, max_chars=120))
        audit(ctx, Action.INVENTORY_ADMINISTER, event, {"draw": str(drawn.public_id), "container": container.label, **qty_detail(qty)},
              patient=drawn.patient)
    return event


def _witnessed_outcome(ctx, data, event_type: ledger.EventType, action: Action, now) -> LedgerEvent:
    require(ctx.user, "inventory.administer")
    now = now_or(now)
    try:
        with transaction.atomic():
            drawn, container = _lock_draw(ctx, data.get("draw"))
            qty = _outcome_quantity(drawn, container, data)
            witness = witness_for(ctx, data) if witness_required(ctx.user.organization, event_type.value) else None
            method = text(data, "method", required=False, max_chars=120) or ("Wasted into a drug-disposal container" if event_type == ledger.EventType.WASTE else "")
            event = _account(ctx, drawn, container, event_type, qty, now, witness=witness, method=method,
                             reason=text(data, "reason", required=False))
            audit(ctx, action, event, {"draw": str(drawn.public_id), "container": container.label, **qty_detail(qty),
                                       "witness": witness.username if witness else ""}, patient=drawn.patient)
            return event
    except WitnessAuthFailed as exc:
        raise witness_failed(ctx, exc) from None


def waste(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Waste what is left of a draw; a second clinician witnesses it (clinic setting, on by default)."""
    return _witnessed_outcome(ctx, data, ledger.EventType.WASTE, Action.INVENTORY_WASTE, now)


def return_to_stock(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Put an unused remainder back into its container (a device unused goes back whole)."""
    return _witnessed_outcome(ctx, data, ledger.EventType.RETURN, Action.INVENTORY_RETURN, now)
