"""The clinic outcomes dashboard: aggregates over patients' outcomes, by indication, route and protocol."""

import datetime as dt

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.assessments import policy
from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.assessments.services.instruments import get_instrument_or_error
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS as INDICATION_GROUPS
from ketamine_clinic.clinical.protocols import PROTOCOLS
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route
from ketamine_clinic.core.dates import check_dates
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.patients.models import Diagnosis, RecordStatus
from ketamine_clinic.plans.models import PlanStatus, TreatmentPlan



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


def _with_rates(row: dict) -> dict:
    n = row["with_follow_up"]
    row["response_rate"] = (row["responders"] / n) if n else None
    row["remission_rate"] = (row["remitters"] / row["remission_defined"]) if row["remission_defined"] else None
    return row


def _aggregate(qs: QuerySet[PatientOutcome]) -> dict:
    return _with_rates(qs.aggregate(**_aggregates()))


def _grouped(qs: QuerySet[PatientOutcome], field: str, labels: dict) -> list[dict]:
    """One query: the aggregates per value of an annotated ``field`` (None: no treatment plan)."""
    rows = qs.values(field).annotate(**_aggregates()).order_by(field)
    return [
        _with_rates({"key": r[field] or "none", "label": labels.get(r[field], r[field]) if r[field] else "No treatment plan", **r})
        for r in rows
    ]


def _by_route_and_protocol(base: QuerySet[PatientOutcome]) -> tuple[list[dict], list[dict]]:
    """Each patient counts under the route and protocol of their first signed plan (the induction)."""
    first_plan = (
        TreatmentPlan.objects.filter(patient_id=OuterRef("patient_id"))
        .exclude(status=PlanStatus.DRAFT)
        .order_by("activated_at", "created_at")
    )
    annotated = base.annotate(
        plan_route=Subquery(first_plan.values("route")[:1]), plan_protocol=Subquery(first_plan.values("protocol_key")[:1])
    )
    route_labels = {r.value: ROUTE_LABELS[r] for r in Route}
    protocol_labels = {k: p.title for k, p in PROTOCOLS.items()}
    return _grouped(annotated, "plan_route", route_labels), _grouped(annotated, "plan_protocol", protocol_labels)


def outcomes_summary(ctx: Context, date_from: dt.date, date_to: dt.date, instrument_key: str = "phq9") -> dict:
    """Clinic outcomes for patients whose baseline falls in the period, followed to date.

    A fixed number of aggregate queries (one overall, one per indication group, one by route and
    one by protocol), whatever the number of patients or responses.
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
    groups = []
    for key, label, prefixes in INDICATION_GROUPS:
        code_q = Q()
        for prefix in prefixes:
            code_q |= Q(icd10_code__startswith=prefix)
        has_dx = Diagnosis.objects.filter(code_q, patient_id=OuterRef("patient_id"), status=RecordStatus.ACTIVE)
        groups.append({"key": key, "label": label, **_aggregate(base.filter(Exists(has_dx)))})
    by_route, by_protocol = _by_route_and_protocol(base)
    policy_ = ci.OutcomePolicy.for_instrument(instrument.key, policy.clinic_settings(ctx.user.organization_id))
    return {
        "instrument": instrument,
        "from": date_from,
        "to": date_to,
        "overall": _aggregate(base),
        "by_indication": groups,
        "policy": policy_,
        "by_route": by_route,
        "by_protocol": by_protocol,
    }
