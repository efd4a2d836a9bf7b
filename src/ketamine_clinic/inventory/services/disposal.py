"""Stock leaving other than to a patient: destruction (Form 41), return to a reverse distributor,
loss and theft (which open a discrepancy case), and corrections of mistaken events."""

import datetime as dt

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Discrepancy, LedgerEvent
from ..clinic_policy import witness_required
from ..rules import ledger
from ..rules.quantities import Quantity, fit_remainder
from ._common import (WitnessAuthFailed, add_event, audit, container_balance, date_field, invalid, local_today, lock_container,
                      now_or, qty_detail, quantity, text, witness_failed, witness_for)
from .deadlines import start_deadlines


def _amount(container, data: dict) -> Quantity:
    """The quantity named in ``data``, or everything the container holds when ``all`` is set."""
    held = container_balance(container)
    if held.mg <= 0:
        raise invalid("container", f"{container.label} is empty.")
    if data.get("all") in (True, "true", "on", "1") or container.product.is_device:
        return held
    return fit_remainder(quantity(data, container.product.concentration_mg_per_ml), held)


def _dispose(ctx, data, event_type: ledger.EventType, action: Action, now, *, method_required: bool) -> LedgerEvent:
    require(ctx.user, "inventory.dispose")
    now = now_or(now)
    method = text(data, "method", required=method_required, max_chars=120, label="the method")
    reason = text(data, "reason", label="the reason")
    reference = text(data, "reference", required=False, max_chars=120)
    try:
        with transaction.atomic():
            container = lock_container(ctx.user.organization, data.get("container"))
            qty = _amount(container, data)
            witness = witness_for(ctx, data) if witness_required(ctx.user.organization, event_type.value) else None
            event = add_event(ctx, container, event_type, qty, now=now, witness=witness, method=method, reason=reason,
                              reference=reference)
            audit(ctx, action, event, {"container": container.label, **qty_detail(qty), "method": method,
                                       "witness": witness.username if witness else ""})
            return event
    except WitnessAuthFailed as exc:
        raise witness_failed(ctx, exc) from None


def destroy(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Destroy stock on site, rendered non-retrievable (21 CFR 1317.90); the actor and the witness
    are the two employees Form 41 names."""
    return _dispose(ctx, data, ledger.EventType.DESTROY, Action.INVENTORY_DESTROY, now, method_required=True)


def return_to_distributor(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Hand stock to a reverse distributor (``reference``: its name and the shipment or Form 41 number)."""
    return _dispose(ctx, data, ledger.EventType.REVERSE_DISTRIBUTOR, Action.INVENTORY_REVERSE_DISTRIBUTOR, now, method_required=False)


def record_loss(ctx, data: dict, *, now: dt.datetime | None = None) -> Discrepancy:
    """A loss or theft found outside a count (``theft``: true for theft): the stock leaves the ledger
    and a discrepancy case opens; a theft starts the DEA deadlines at once."""
    require(ctx.user, "inventory.count")
    now = now_or(now)
    theft = data.get("theft") in (True, "true", "on", "1")
    explanation = text(data, "explanation", max_chars=1000, label="what happened")
    with transaction.atomic():
        container = lock_container(ctx.user.organization, data.get("container"))
        discovered_on = date_field(data, "discovered_on", required=False) or local_today(container.location, now)
        if discovered_on > local_today(container.location, now):
            raise invalid("discovered_on", "The date of discovery cannot be in the future.")
        qty = _amount(container, data)
        event_type = ledger.EventType.THEFT if theft else ledger.EventType.LOSS
        event = add_event(ctx, container, event_type, qty, now=now, reason=explanation[:300])
        case = Discrepancy.objects.create(
            organization=ctx.user.organization, location=container.location, container=container,
            difference_mg=-qty.mg, difference_ml=-qty.ml, discovered_on=discovered_on, explanation=explanation, theft=theft,
            resolution_event=event, significant=theft, must_report=theft,
            assessment_text="Any theft must be reported to the DEA." if theft else "")
        if theft:
            start_deadlines(case)
        audit(ctx, Action.INVENTORY_THEFT if theft else Action.INVENTORY_LOSS, event, {"container": container.label, **qty_detail(qty),
                                                             "discrepancy": str(case.public_id)})
    return case


UNCORRECTABLE = {ledger.EventType.CORRECTION, ledger.EventType.COUNT, ledger.EventType.TRANSFER_OUT, ledger.EventType.TRANSFER_IN}


def correct(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Reverse a mistaken event with a correction that points at it (the original stays readable)."""
    require(ctx.user, "inventory.dispose")
    now = now_or(now)
    reason = text(data, "reason", label="why the event is wrong")
    public_id = uuid_or_none(data.get("event"))
    target = LedgerEvent.objects.filter(organization=ctx.user.organization, public_id=public_id).first() if public_id else None
    if target is None:
        raise invalid("event", "No ledger event of your clinic has this id.")
    if target.event_type in UNCORRECTABLE:
        raise invalid("event", "Counts, transfers and corrections are not corrected this way (transfer back, or count again).")
    with transaction.atomic():
        container = lock_container(ctx.user.organization, target.container.public_id)
        target = LedgerEvent.objects.get(pk=target.pk)
        if LedgerEvent.objects.filter(corrects=target).exists():
            raise invalid("event", "This event has already been corrected.")
        if target.event_type == ledger.EventType.DRAW and LedgerEvent.objects.filter(draw__event=target, correction__isnull=True).exists():
            raise invalid("event", "Correct what was administered, wasted or returned from this draw first.")
        event = add_event(ctx, container, ledger.EventType.CORRECTION, Quantity(target.quantity_mg, target.quantity_ml), now=now,
                          location=target.location, corrects=target, reason=reason, patient=target.patient,
                          patient_name=target.patient_name, patient_address=target.patient_address, field="event")
        audit(ctx, Action.INVENTORY_CORRECT, event, {"corrects": str(target.public_id), "event_type": target.event_type, "reason": reason},
              patient=target.patient)
    return event
