"""The outcomes summary as it was before issue 19 (an ``Exists`` on diagnoses per indication group
and a per-row subquery on treatment plans), kept only for the equality test: the new grouped
implementation must return exactly these figures."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS as INDICATION_GROUPS
from ketamine_clinic.clinical.protocols import PROTOCOLS
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route
from ketamine_clinic.patients.models import Diagnosis, RecordStatus
from ketamine_clinic.plans.models import PlanStatus, TreatmentPlan

from tests.outcomes.legacy_aggregates import aggregate, grouped


def _by_route_and_protocol(base: QuerySet[PatientOutcome]) -> tuple[list[dict], list[dict]]:
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
    return grouped(annotated, "plan_route", route_labels), grouped(annotated, "plan_protocol", protocol_labels)


def legacy_figures(organization_id: int, date_from: dt.date, date_to: dt.date, instrument_key: str) -> dict:
    """The figures (overall, by indication, by route, by protocol) the old code computed."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    base = PatientOutcome.objects.filter(
        organization_id=organization_id, instrument_key=instrument_key, baseline_at__gte=start, baseline_at__lt=end
    )
    groups = []
    for key, label, prefixes in INDICATION_GROUPS:
        code_q = Q()
        for prefix in prefixes:
            code_q |= Q(icd10_code__startswith=prefix)
        has_dx = Diagnosis.objects.filter(code_q, patient_id=OuterRef("patient_id"), status=RecordStatus.ACTIVE)
        groups.append({"key": key, "label": label, **aggregate(base.filter(Exists(has_dx)))})
    by_route, by_protocol = _by_route_and_protocol(base)
    return {"overall": aggregate(base), "by_indication": groups, "by_route": by_route, "by_protocol": by_protocol}
