"""The clinic outcomes dashboard: aggregates over patients' outcomes, by indication, route and protocol."""

import datetime as dt

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.assessments import clinic_policy
from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.assessments.services.instruments import get_instrument_or_error
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS as INDICATION_GROUPS
from ketamine_clinic.clinical.protocols import PROTOCOLS
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route
from ketamine_clinic.core.dates import check_dates
from ketamine_clinic.core.errors import ValidationFailed

from .cohort import member_of

COHORT = "patient__outcome_cohort__"  # the patient's OutcomeCohort row (a LEFT JOIN: none, no groups)


def _aggregates(within: Q | None = None) -> dict:
    """The figures of one group; ``within``: the group's condition (None: every row)."""
    followed = Q(follow_up_count__gt=0) & (within or Q())
    return dict(
        patients=Count("id", filter=within),
        with_follow_up=Count("id", filter=followed),
        responders=Count("id", filter=followed & Q(responded=True)),
        remitters=Count("id", filter=followed & Q(remitted=True)),
        remission_defined=Count("id", filter=followed & Q(remitted__isnull=False)),
        mean_change=Avg("latest_change", filter=followed),
        mean_percent_change=Avg("latest_percent_change", filter=followed),
        mean_days_to_response=Avg("days_to_first_response", filter=followed & Q(responded=True)),
        mean_baseline=Avg("baseline_total", filter=within),
    )


def _with_rates(row: dict) -> dict:
    n = row["with_follow_up"]
    row["response_rate"] = (row["responders"] / n) if n else None
    row["remission_rate"] = (row["remitters"] / row["remission_defined"]) if row["remission_defined"] else None
    return row


def _overall_and_by_indication(base: QuerySet[PatientOutcome]) -> tuple[dict, list[dict]]:
    """One pass: every group's figures as filtered aggregates of the same rows (a patient in two
    groups counts in both, as before)."""
    names = list(_aggregates())
    aggregates = {f"all_{name}": agg for name, agg in _aggregates().items()}
    for i, (key, _, _) in enumerate(INDICATION_GROUPS):
        within = Q(**{f"{COHORT}indication_keys__contains": member_of(key)})
        aggregates.update({f"g{i}_{name}": agg for name, agg in _aggregates(within).items()})
    row = base.aggregate(**aggregates)
    overall = _with_rates({name: row[f"all_{name}"] for name in names})
    groups = [
        {"key": key, "label": label, **_with_rates({name: row[f"g{i}_{name}"] for name in names})}
        for i, (key, label, _) in enumerate(INDICATION_GROUPS)
    ]
    return overall, groups


def _grouped(qs: QuerySet[PatientOutcome], field: str, labels: dict) -> list[dict]:
    """One query: the aggregates per value of an annotated ``field`` (None: no treatment plan)."""
    rows = qs.values(field).annotate(**_aggregates()).order_by(field)
    return [
        _with_rates({"key": r[field] or "none", "label": labels.get(r[field], r[field]) if r[field] else "No treatment plan", **r})
        for r in rows
    ]


def _by_route_and_protocol(base: QuerySet[PatientOutcome]) -> tuple[list[dict], list[dict]]:
    """Each patient counts under the route and protocol of their first signed plan (the induction),
    as their OutcomeCohort row carries it: one grouped query each."""
    annotated = base.annotate(plan_route=F(f"{COHORT}plan_route"), plan_protocol=F(f"{COHORT}plan_protocol"))
    route_labels = {r.value: ROUTE_LABELS[r] for r in Route}
    protocol_labels = {k: p.title for k, p in PROTOCOLS.items()}
    return _grouped(annotated, "plan_route", route_labels), _grouped(annotated, "plan_protocol", protocol_labels)


def outcomes_summary(ctx: Context, date_from: dt.date, date_to: dt.date, instrument_key: str = "phq9") -> dict:
    """Clinic outcomes for patients whose baseline falls in the period, followed to date.

    Three aggregate queries (overall and every indication group in one pass, one by route, one by
    protocol) over the outcome rows joined to each patient's OutcomeCohort row, whatever the number
    of patients or responses.
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
    base = PatientOutcome.objects.filter(
        organization_id=ctx.user.organization_id, instrument_key=instrument.key, baseline_at__gte=start, baseline_at__lt=end
    )
    overall, groups = _overall_and_by_indication(base)
    by_route, by_protocol = _by_route_and_protocol(base)
    policy_ = ci.OutcomePolicy.for_instrument(instrument.key, clinic_policy.clinic_settings(ctx.user.organization_id))
    return {
        "instrument": instrument,
        "from": date_from,
        "to": date_to,
        "overall": overall,
        "by_indication": groups,
        "policy": policy_,
        "by_route": by_route,
        "by_protocol": by_protocol,
    }
