"""The clinic outcomes dashboard: aggregates over patients' outcomes, by indication, route and protocol."""

import datetime as dt

from django.db import connections
from django.db.models import Q, Sum
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
from ketamine_clinic.core.prepared import compile_queryset

from . import buckets
from .models import Dimension, OutcomeDayBucket, OutcomeGroupRow


COUNTS = ("patients", "with_follow_up", "responders", "remitters", "remission_defined")
# Each mean: (the sum, the count it divides by). ``* 1.0``: SQLite divides integers as integers;
# on PostgreSQL the sum is numeric and the division is the one AVG makes (numeric_div of the
# integer sum by the count), so a mean of an integer column is the old AVG's to the last digit.
MEANS = {
    "mean_change": ("SUM(sum_change_sum) * 1.0", "SUM(sum_with_follow_up)"),
    "mean_percent_change": ("SUM(sum_percent_sum)", "SUM(sum_percent_n)"),
    "mean_days_to_response": ("SUM(sum_response_days_sum)", "SUM(sum_response_days_n)"),
    "mean_baseline": ("SUM(sum_baseline_sum) * 1.0", "SUM(sum_patients)"),
}
# A group nobody falls in: what the aggregates of no rows are (counts 0, means None).
EMPTY = {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(MEANS)}


def _utc_midnight_of(moment: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(moment.astimezone(dt.timezone.utc).date(), dt.time.min, tzinfo=dt.timezone.utc)


def _period_parts(start: dt.datetime, end: dt.datetime) -> tuple[tuple[dt.date, dt.date] | None, list[tuple]]:
    """The whole UTC days inside [start, end), as [first day, day after the last), read from the
    day buckets; and the part-days left at either end, as (from, to) datetimes, read from the rows."""
    first_midnight = _utc_midnight_of(start)
    if first_midnight < start:
        first_midnight += dt.timedelta(days=1)
    last_midnight = _utc_midnight_of(end)
    if first_midnight >= last_midnight:
        return None, [(start, end)]
    ends = [(a, b) for a, b in ((start, first_midnight), (last_midnight, end)) if a < b]
    return (first_midnight.date(), last_midnight.date()), ends


def _grouped(organization_id: int, instrument_key: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Each group's figures over the outcomes whose baseline falls in [start, end), in one query:
    the buckets' sums of the whole days plus the rows' sums of the part-days, added up per group in
    the database (whatever the size of the clinic, a few thousand buckets at most)."""
    days, ends = _period_parts(start, end)
    series = dict(organization_id=organization_id, instrument_key=instrument_key)
    parts = []
    if days:
        parts.append(OutcomeDayBucket.objects.filter(**series, day__gte=days[0], day__lt=days[1])
                     .values("dimension", "group_key")
                     .annotate(**{f"sum_{name}": Sum(name) for name in buckets.SUMS}).order_by())
    if ends:
        in_ends = Q()
        for a, b in ends:
            in_ends |= Q(baseline_at__gte=a, baseline_at__lt=b)
        parts.append(OutcomeGroupRow.objects.filter(in_ends, **series).values("dimension", "group_key")
                     .annotate(**{f"sum_{name}": total for name, total in buckets.row_sums().items()}).order_by())
    compiled = [compile_queryset(part.using(parts[0].db), for_batch=False)[:2] for part in parts]
    columns = [f"SUM(sum_{name}) AS {name}" for name in COUNTS]
    columns += [f"{total} / NULLIF({count}, 0) AS {name}" for name, (total, count) in MEANS.items()]
    union = " UNION ALL ".join(part_sql for part_sql, _ in compiled)
    sql = (f"SELECT dimension, group_key, {', '.join(columns)} FROM ({union}) AS parts"
           " GROUP BY dimension, group_key ORDER BY dimension, group_key")
    with connections[parts[0].db].cursor() as cursor:
        cursor.execute(sql, [param for _, params in compiled for param in params])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values)) for values in cursor.fetchall()]
    for row in rows:  # PostgreSQL's SUM of bigints is numeric: back to what Count and Avg gave
        row.update({name: int(row[name]) for name in COUNTS})
        row.update({name: None if row[name] is None else float(row[name]) for name in MEANS})
    return rows


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

    One query over the day buckets of the whole days in the period and the outcome group rows
    (each patient's outcome under every group they count in: all, each indication, route,
    protocol) of the part-days at its ends, whatever the number of patients or responses.
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
    rows = _grouped(ctx.user.organization_id, instrument.key, start, end)
    figures = _figures(rows)
    policy_ = ci.OutcomePolicy.for_instrument(instrument.key, clinic_policy.clinic_settings(ctx.user.organization_id))
    return {
        "instrument": instrument,
        "from": date_from,
        "to": date_to,
        "policy": policy_,
        **figures,
    }
