"""Reads for the screens, the API and the reports, scoped to the reader's organization."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Container, Count, Deadline, Discrepancy, DiscrepancyStatus, Draw, LedgerEvent, Product, Receipt, Supplier
from ..rules import ledger
from ..rules.quantities import ZERO, Quantity
from ._common import entries
from .draws import draw_open_quantity


def _one(model, user, public_id, action: str = "inventory.view", **extra):
    require(user, action)
    found = uuid_or_none(public_id)
    obj = model.objects.filter(organization=user.organization, public_id=found, **extra).first() if found else None
    if obj is None:
        raise NotFound()
    return obj


def get_container_for(user, public_id) -> Container:
    return _one(Container, user, public_id)


def get_receipt_for(user, public_id) -> Receipt:
    return _one(Receipt, user, public_id, "inventory.receive")


def get_draw_for(user, public_id) -> Draw:
    return _one(Draw, user, public_id)


def get_discrepancy_for(user, public_id) -> Discrepancy:
    return _one(Discrepancy, user, public_id)


def get_deadline_for(user, public_id) -> Deadline:
    return _one(Deadline, user, public_id)


def get_event_for(user, public_id) -> LedgerEvent:
    return _one(LedgerEvent, user, public_id)


def get_count_for(user, public_id) -> Count:
    return _one(Count, user, public_id)


def get_location_for(user, public_id) -> Location:
    require(user, "inventory.view")
    found = uuid_or_none(public_id)
    location = Location.objects.filter(organization=user.organization, public_id=found).first() if found else None
    if location is None:
        raise NotFound()
    return location


def products_for(user):
    require(user, "inventory.view")
    return Product.objects.filter(organization=user.organization)


def suppliers_for(user):
    require(user, "inventory.view")
    return Supplier.objects.filter(organization=user.organization)


def locations_for(user):
    require(user, "inventory.view")
    return Location.objects.filter(organization=user.organization, is_active=True).select_related("dea_registration")


def receipts_for(user):
    require(user, "inventory.view")
    return Receipt.objects.filter(organization=user.organization).select_related("supplier", "product", "location")


def balances(events) -> dict[int, Quantity]:
    """{container pk: derived balance} for the events given."""
    by_container: dict[int, list] = defaultdict(list)
    for row in events.values("container_id", "event_type", "quantity_mg", "quantity_ml", "corrects__event_type"):
        by_container[row["container_id"]].append(row)
    return {pk: ledger.balance(entries(rows)) for pk, rows in by_container.items()}


@dataclass(frozen=True)
class ContainerRow:
    container: Container
    balance: Quantity


def containers_for(user, *, location=None, in_stock_only: bool = True) -> list[ContainerRow]:
    require(user, "inventory.view")
    containers = Container.objects.filter(organization=user.organization).select_related("product", "location")
    if location is not None:
        containers = containers.filter(location=location)
    held = balances(LedgerEvent.objects.filter(container__in=containers))
    rows = [ContainerRow(c, held.get(c.pk, ZERO)) for c in containers]
    return [r for r in rows if r.balance.mg > 0] if in_stock_only else rows


@dataclass(frozen=True)
class StockLine:
    location: Location
    product: Product
    containers: int
    balance: Quantity


def stock_for(user) -> list[StockLine]:
    """Stock by location and product: containers holding anything and their summed balance."""
    totals: dict[tuple, list] = {}
    for row in containers_for(user):
        key = (row.container.location, row.container.product)
        count, total = totals.get(key, (0, ZERO))
        totals[key] = (count + 1, total + row.balance)
    return [StockLine(loc, prod, n, q) for (loc, prod), (n, q) in sorted(totals.items(), key=lambda kv: (kv[0][0].name, kv[0][1].name))]


@dataclass(frozen=True)
class HistoryLine:
    event: LedgerEvent
    change: Quantity
    balance_after: Quantity


def with_running_balance(events) -> list[HistoryLine]:
    """Each event with its change and the running balance after it (events of one container or
    product), in the order they were recorded: the order in which every balance was checked."""
    lines, total = [], ZERO
    for event in sorted(events, key=lambda e: e.pk):
        entry = entries([{"event_type": event.event_type, "quantity_mg": event.quantity_mg, "quantity_ml": event.quantity_ml,
                          "corrects__event_type": event.corrects.event_type if event.corrects_id else None}])[0]
        total = total + entry.change
        lines.append(HistoryLine(event, entry.change, total))
    return lines


def ledger_events(organization, *, location=None, start: dt.datetime | None = None, end: dt.datetime | None = None,
                  types=None, container=None, product=None):
    events = LedgerEvent.objects.filter(organization=organization).select_related(
        "container__product", "location", "actor", "witness", "corrects").order_by("occurred_at", "id")
    if location is not None:
        events = events.filter(location=location)
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
    if types:
        events = events.filter(event_type__in=list(types))
    if container is not None:
        events = events.filter(container=container)
    if product is not None:
        events = events.filter(container__product=product)
    return events


def container_history(user, container) -> list[HistoryLine]:
    require(user, "inventory.view")
    return with_running_balance(ledger_events(user.organization, container=container))


def open_draws_for(user, *, session=None, patient=None) -> list[tuple[Draw, Quantity]]:
    require(user, "inventory.view")
    draws = Draw.objects.filter(organization=user.organization).select_related("container__product", "event", "patient")
    if session is not None:
        draws = draws.filter(session=session)
    if patient is not None:
        draws = draws.filter(patient=patient)
    return [(d, q) for d in draws if (q := draw_open_quantity(d)).mg > 0]


def open_discrepancies_for(user):
    require(user, "inventory.view")
    return Discrepancy.objects.filter(organization=user.organization, status=DiscrepancyStatus.OPEN).select_related("container", "location")


def due_deadlines_for(user):
    """Deadlines not yet done, soonest first (shown on Today to clinic admins)."""
    require(user, "inventory.count")
    return Deadline.objects.filter(organization=user.organization, done_at__isnull=True).select_related("discrepancy__container")


def administrations_for_patient(user, patient):
    """The patient's administered events with their container labels (for the chart)."""
    require(user, "inventory.view")
    return (LedgerEvent.objects.filter(organization=user.organization, patient=patient, event_type=ledger.EventType.ADMINISTER,
                                       correction__isnull=True)
            .select_related("container__product", "actor").order_by("-occurred_at"))


def discrepancies_opened(count) -> int:
    """How many discrepancies a count opened."""
    return Discrepancy.objects.filter(count_line__count=count).count()
