"""Receiving stock into a registered location, and moving containers between locations."""

import datetime as dt

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Container, LedgerEvent, Product, Receipt, Registration, Supplier
from ..rules.ledger import EventType
from ..rules.quantities import Quantity
from .draws import draw_open_quantity
from ._common import add_event, audit, container_balance, date_field, invalid, local_today, lock_container, now_or, our_location, text

MAX_CONTAINERS_PER_RECEIPT = 500


def _registered_location(org, raw, field: str):
    location = our_location(org, raw, field)
    if not Registration.objects.filter(location=location).exists():
        raise invalid(field, f"{location.name} has no DEA registration recorded: register it first (Inventory, Locations).")
    return location


def _ours(model, org, raw, field: str, what: str):
    public_id = uuid_or_none(raw)
    found = model.objects.filter(organization=org, public_id=public_id).first() if public_id else None
    if found is None:
        raise invalid(field, f"Choose one of your clinic's {what}.")
    return found


def _container_count(raw) -> int:
    try:
        count = int(str(raw).strip()) if not isinstance(raw, (bool, float)) else None
    except (TypeError, ValueError):
        count = None
    if count is None or not 1 <= count <= MAX_CONTAINERS_PER_RECEIPT:
        raise invalid("container_count", f"Enter a whole number of containers from 1 to {MAX_CONTAINERS_PER_RECEIPT}.")
    return count


def receive(ctx, data: dict, *, now: dt.datetime | None = None) -> Receipt:
    """A delivery: the receipt (invoice, date actually received, lot, expiry) and one container
    with its own label and a receive event per vial or device."""
    require(ctx.user, "inventory.receive")
    now = now_or(now)
    org = ctx.user.organization
    location = _registered_location(org, data.get("location"), "location")
    supplier = _ours(Supplier, org, data.get("supplier"), "supplier", "suppliers")
    product = _ours(Product, org, data.get("product"), "product", "products")
    fields = {
        "invoice_number": text(data, "invoice_number", max_chars=60, label="the invoice number"),
        "received_on": date_field(data, "received_on"),
        "lot_number": text(data, "lot_number", max_chars=40, label="the lot number"),
        "expiry_date": date_field(data, "expiry_date"),
        "container_count": _container_count(data.get("container_count")),
    }
    if fields["received_on"] > local_today(location, now):
        raise invalid("received_on", "The date received cannot be in the future.")
    if fields["expiry_date"] <= fields["received_on"]:
        raise invalid("expiry_date", "This lot had already expired when it was received.")
    full = Quantity(product.container_mg, product.container_volume_ml)
    with transaction.atomic():
        receipt = Receipt.objects.create(organization=org, location=location, supplier=supplier, product=product,
                                         received_by=ctx.user, recorded_at=now, **fields)
        for _ in range(fields["container_count"]):
            container = Container.objects.create(organization=org, product=product, receipt=receipt, location=location,
                                                 lot_number=fields["lot_number"], expiry_date=fields["expiry_date"])
            add_event(ctx, container, EventType.RECEIVE, full, now=now,
                      reference=f"Invoice {fields['invoice_number']} from {supplier.name}, received {fields['received_on']}")
        audit(ctx, Action.INVENTORY_RECEIVE, receipt, {"product": product.ndc, "lot": fields["lot_number"],
                                                  "containers": fields["container_count"], "invoice": fields["invoice_number"]})
    return receipt


def transfer(ctx, data: dict, *, now: dt.datetime | None = None) -> LedgerEvent:
    """Move a container (and all it holds) to another registered location of the clinic."""
    require(ctx.user, "inventory.receive")
    now = now_or(now)
    org = ctx.user.organization
    destination = _registered_location(org, data.get("to_location"), "to_location")
    reason = text(data, "reason", required=False)
    with transaction.atomic():
        container = lock_container(org, data.get("container"))
        if destination.pk == container.location_id:
            raise invalid("to_location", f"{container.label} is already at {destination.name}.")
        held = container_balance(container)
        if held.mg <= 0:
            raise invalid("container", f"{container.label} is empty; nothing to transfer.")
        if container.draws.exists() and _open_draws(container):
            raise invalid("container", f"{container.label} has a draw not yet accounted for; close it first.")
        origin = container.location
        out = add_event(ctx, container, EventType.TRANSFER_OUT, held, now=now, location=origin, reason=reason,
                        reference=f"to {destination.name}")
        arrived = add_event(ctx, container, EventType.TRANSFER_IN, held, now=now, location=destination, reason=reason,
                            reference=f"from {origin.name}", transfer_peer=out)
        Container.objects.filter(pk=container.pk).update(location=destination)
        audit(ctx, Action.INVENTORY_TRANSFER, container, {"from": origin.name, "to": destination.name, "quantity_mg": str(held.mg)})
    return arrived


def _open_draws(container) -> bool:
    return any(draw_open_quantity(d).mg != 0 for d in container.draws.all())
