"""The clinic outcomes dashboard: aggregates over patients' outcomes, by indication, route and protocol."""

import datetime as dt

from django.db.models import Avg, Count, Q
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.assessments import clinic_policy
from ketamine_clinic.assessments.services.instruments import get_instrument_or_error
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS as INDICATION_GROUPS
from ketamine_clinic.clinical.protocols import PROTOCOLS
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route
from ketamine_clinic.core.dates import check_dates
from ketamine_clinic.core.errors import ValidationFailed

from .models import Dimension, OutcomeGroupRow


def _aggregates() -> dict:
    followed = Q(follow_up_count__gt=0)
    return dict(
        patients=Count("id"),
        with_follow_up=Count("id", filter=followed),
        responders=Count("id", filter=followed & Q(responded=True)),
        remitters=Count("id", filter=followed & Q(remitted=True)),
        remission_defined=Count("id", filter=followed & Q(remitted__isnull=False)),
        mean_change=Avg("latest_change", filter=followed),
        mean_percent_change=Avg("latest_percent_change", filter=followed),
        mean_days_to_response=Avg("days_to_first_response", filter=followed & Q(responded=True)),
        mean_baseline=Avg("baseline_total"),
    )


# A group nobody falls in: what the aggregates of no rows are (counts 0, means None).
EMPTY = {name: (None if name.startswith("mean_") else 0) for name in _aggregates()}


def _with_rates(row: dict) -> dict:
    n = row["with_follow_up"]
    row["response_rate"] = (row["responders"] / n) if n else None
    row["remission_rate"] = (row["remitters"] / row["remission_defined"]) if row["remission_defined"] else None
    return row


def _plan_groups(rows: list[dict], field: str, labels: dict) -> list[dict]:
    """The route or protocol groups, in the database's order of the group key (None: no plan)."""
    return [
        _with_rates({"key": r["group_key"] or "none", field: r["group_key"],
                     "label": labels.get(r["group_key"], r["group_key"]) if r["group_key"] else "No treatment plan",
                     **{name: r[name] for name in EMPTY}})
        for r in rows
    ]


def _figures(rows) -> dict:
    """The summary's groups from the grouped rows (dimension, group key, aggregates)."""
    by_dimension: dict[str, list[dict]] = {d: [] for d in Dimension.values}
    for r in rows:
        by_dimension[r["dimension"]].append(r)
    indications = {r["group_key"]: r for r in by_dimension[Dimension.INDICATION]}
    overall = by_dimension[Dimension.ALL][0] if by_dimension[Dimension.ALL] else EMPTY
    return {
        "overall": _with_rates({name: overall[name] for name in EMPTY}),
        "by_indication": [
            {"key": key, "label": label, **_with_rates({name: indications.get(key, EMPTY)[name] for name in EMPTY})}
            for key, label, _ in INDICATION_GROUPS
        ],
        "by_route": _plan_groups(by_dimension[Dimension.ROUTE], "plan_route", {r.value: ROUTE_LABELS[r] for r in Route}),
        "by_protocol": _plan_groups(by_dimension[Dimension.PROTOCOL], "plan_protocol", {k: p.title for k, p in PROTOCOLS.items()}),
    }


def outcomes_summary(ctx: Context, date_from: dt.date, date_to: dt.date, instrument_key: str = "phq9") -> dict:
    """Clinic outcomes for patients whose baseline falls in the period, followed to date.

    One grouped query over the outcome group rows (each patient's outcome under every group they
    count in: all, each indication, route, protocol), whatever the number of patients or responses.
    A patient in two indication groups counts in both; each group's figures are the database's
    aggregates over exactly that group's outcomes.
    """
    require(ctx.user, "outcomes.view")
    instrument = get_instrument_or_error(instrument_key)
    if not (instrument.has_total and instrument.lower_is_better):
        raise ValidationFailed({"instrument": [f"{instrument.name} has no total to follow over time."]})
    check_dates(**{"from": date_from, "to": date_to})
    if date_to < date_from:
        raise ValidationFailed({"to": ["The end of the period must not be before its start."]})
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        OutcomeGroupRow.objects.filter(
            organization_id=ctx.user.organization_id, instrument_key=instrument.key, baseline_at__gte=start, baseline_at__lt=end
        )
        .values("dimension", "group_key").annotate(**_aggregates()).order_by("dimension", "group_key")
    )
    figures = _figures(rows)
    policy_ = ci.OutcomePolicy.for_instrument(instrument.key, clinic_policy.clinic_settings(ctx.user.organization_id))
    return {
        "instrument": instrument,
        "from": date_from,
        "to": date_to,
        "policy": policy_,
        **figures,
    }
