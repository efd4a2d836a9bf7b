"""Counting a location's stock, container by container, and the discrepancy cases a count opens."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Container, Count, CountKind, CountLine, CountTiming, Discrepancy, DiscrepancyStatus
from ..rules import ledger, loss
from ..rules.quantities import ML_PLACES, Quantity, parse_amount
from ._common import add_event, audit, container_balance, invalid, local_today, now_or, our_location, text
from .deadlines import start_deadlines


def containers_in_stock(location) -> list[tuple[Container, Quantity]]:
    """Every container at ``location`` that holds anything, with its derived balance."""
    found = []
    for container in Container.objects.filter(location=location).select_related("product").order_by("product__name", "expiry_date", "label"):
        held = container_balance(container)
        if held.mg > 0:
            found.append((container, held))
    return found


def _counted_ml(raw, field: str) -> Decimal:
    if str(raw).strip() in ("0", "0.0", "0.00", "0.000"):
        return Decimal("0")
    try:
        return parse_amount(raw, "mL", ML_PLACES)
    except ValueError as exc:
        raise invalid(field, str(exc)) from None


def _count_header(org, data: dict) -> dict:
    """The count's location, timing, kind and note, checked; plus its lines as a dict."""
    timing = str(data.get("timing") or "")
    if timing not in CountTiming.values:
        raise invalid("timing", "Say whether the count was taken at the opening or the close of business.")
    kind = str(data.get("kind") or CountKind.ROUTINE)
    if kind not in CountKind.values:
        raise invalid("kind", "Choose routine, daily, initial or biennial.")
    lines = data.get("lines") or {}
    if not isinstance(lines, dict):
        raise invalid("lines", "Give the counted mL per container.")
    return {"location": our_location(org, data.get("location"), "location"), "timing": timing, "kind": kind,
            "note": text(data, "note", required=False), "lines": lines}


def _locked_stock(location) -> dict:
    """{container id and label: (container, balance)} for the stock at ``location``, each container
    locked and its balance read again under the lock."""
    stock = containers_in_stock(location)
    list(Container.objects.select_for_update().filter(pk__in=[c.pk for c, _ in stock]).values_list("pk", flat=True))
    by_key = {}
    for container, _ in stock:
        held = container_balance(container)
        by_key[str(container.public_id)] = by_key[container.label] = (container, held)
    return by_key


def _check_coverage(lines: dict, by_key: dict, location) -> None:
    unknown = [str(key) for key in lines if str(key) not in by_key]
    if unknown:
        raise invalid("lines", f"Not in stock at {location.name}: {', '.join(unknown[:5])}.")
    missing = sorted({c.label for c, _ in by_key.values()} - {by_key[str(k)][0].label for k in lines})
    if missing:
        raise invalid("lines", f"Count every container in stock; missing: {', '.join(missing)}.")


def _record_line(ctx, count, container, held: Quantity, entry, now) -> bool:
    """One container's line and count event; True when it opened a discrepancy."""
    entry = entry if isinstance(entry, dict) else {"counted_ml": entry}
    counted_ml = _counted_ml(entry.get("counted_ml"), f"lines.{container.label}")
    counted_mg = (counted_ml * container.product.concentration_mg_per_ml).quantize(Decimal("0.0001"))
    line = CountLine.objects.create(count=count, container=container, expected_mg=held.mg, expected_ml=held.ml,
                                    counted_ml=counted_ml, counted_mg=counted_mg,
                                    estimated=entry.get("estimated") in (True, "true", "on", "1"))
    add_event(ctx, container, ledger.EventType.COUNT, Quantity(counted_mg, counted_ml), now=now, location=count.location,
              reference=f"count {count.public_id}")
    if counted_ml == held.ml.quantize(Decimal(1).scaleb(-ML_PLACES)):
        return False
    Discrepancy.objects.create(organization_id=count.organization_id, location=count.location, container=container,
                               count_line=line, difference_mg=counted_mg - held.mg, difference_ml=counted_ml - held.ml,
                               discovered_on=local_today(count.location, now))
    return True


def record_count(ctx, data: dict, *, now: dt.datetime | None = None) -> Count:
    """A count of every container in stock at one location (``lines``: {container id or label:
    {"counted_ml": ..., "estimated": bool}}). A line that differs from the derived balance opens a
    discrepancy; the count itself changes no balance."""
    require(ctx.user, "inventory.count")
    now = now_or(now)
    org = ctx.user.organization
    header = _count_header(org, data)
    location, lines = header["location"], header["lines"]
    with transaction.atomic():
        by_key = _locked_stock(location)
        _check_coverage(lines, by_key, location)
        count = Count.objects.create(organization=org, location=location, kind=header["kind"], timing=header["timing"],
                                     counted_by=ctx.user, counted_at=now, note=header["note"])
        opened = sum(_record_line(ctx, count, *by_key[str(key)], entry, now) for key, entry in lines.items())
        audit(ctx, Action.INVENTORY_COUNT, count, {"location": location.name, "kind": count.kind, "timing": count.timing,
                                               "containers": len(lines), "discrepancies": opened})
    return count


def resolve_discrepancy(ctx, data: dict, *, now: dt.datetime | None = None) -> Discrepancy:
    """Explain a discrepancy and assess it (PRACTICE.md §1.5 factors). A reportable shortfall leaves
    the ledger as a loss (or theft) and starts the DEA deadlines; a minor one, and any surplus, is an
    adjustment carrying the explanation."""
    require(ctx.user, "inventory.count")
    now = now_or(now)
    explanation = text(data, "explanation", max_chars=1000, label="the explanation")
    factors = {key: data.get(key) in (True, "true", "on", "1") for key, _ in loss.FACTORS}
    theft = data.get("theft") in (True, "true", "on", "1")
    judged = data.get("judged_significant") in (True, "true", "on", "1")
    outcome = loss.assess(theft=theft, judged_significant=judged, factors=factors)
    public_id = uuid_or_none(data.get("discrepancy"))
    with transaction.atomic():
        case = Discrepancy.objects.select_for_update().filter(organization=ctx.user.organization, public_id=public_id).first() if public_id else None
        if case is None:
            raise invalid("discrepancy", "No discrepancy of your clinic has this id.")
        if case.status != DiscrepancyStatus.OPEN:
            raise invalid("discrepancy", "This discrepancy is already resolved.")
        container = Container.objects.select_for_update().select_related("product", "location").get(pk=case.container_id)
        difference = Quantity(case.difference_mg, case.difference_ml)
        if case.resolution_event_id is not None:  # a loss recorded outside a count left the ledger already
            event = case.resolution_event
        elif difference.mg < 0:
            # A reportable shortfall leaves as a loss or theft; a minor one is annotated as an adjustment.
            event_type = (ledger.EventType.THEFT if theft else ledger.EventType.LOSS) if outcome.must_report else ledger.EventType.ADJUST_OUT
            event = add_event(ctx, container, event_type, -difference, now=now, location=case.location, reason=explanation[:300],
                              reference=f"discrepancy {case.public_id}")
        else:
            event = add_event(ctx, container, ledger.EventType.ADJUST_IN, difference, now=now, location=case.location,
                              reason=explanation[:300], reference=f"discrepancy {case.public_id}")
        case.explanation, case.theft, case.factors, case.judged_significant = explanation, theft, factors, judged
        case.significant, case.must_report, case.assessment_text = outcome.significant, outcome.must_report, outcome.explanation
        case.status, case.resolved_by, case.resolved_at, case.resolution_event = DiscrepancyStatus.RESOLVED, ctx.user, now, event
        case.save()
        if outcome.must_report:
            start_deadlines(case)
        audit(ctx, Action.INVENTORY_DISCREPANCY_RESOLVE, case, {"container": container.label, "difference_mg": str(case.difference_mg),
                                                           "significant": outcome.significant, "theft": theft})
    return case
