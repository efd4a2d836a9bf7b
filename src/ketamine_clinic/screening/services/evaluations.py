"""Intake evaluations: the screening patient, reading evaluations and their eligibility, and
saving drafts and completed evaluations (merging the patient's own answers when reviewed).

The chart is the source of truth: every save and every eligibility read merges the patient's
active chart records into the evaluation (``clinical.eligibility.chart.apply_chart``: the chart
wins; what it added or overrode comes back as ``ChartCorrection``s)."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.eligibility import (
    EligibilityResult,
    Evaluation,
    EvaluationInvalid,
    RequiredMeasure,
    baseline_measures_required,
    evaluate_eligibility,
)
from ketamine_clinic.clinical.eligibility.chart import ChartCorrection, Suggestion, apply_chart, suggestions
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.services import get_patient_for
from ketamine_clinic.assessments import policy as measures_policy
from ketamine_clinic.assessments.models import QuestionnaireResponse, ResponseStatus

from ..models import IntakeEvaluation, PatientReportedIntake
from ._common import _timeline
from .policy import clinic_policy
from .registry import chart_facts


def get_screening_patient(ctx: Context, patient_id, action: str = "evaluation.view", audit_action: Action | None = Action.EVALUATION_VIEW) -> Patient:
    """The patient if the actor may see them (else NotFound, 404) and may ``action`` (else 403)."""
    patient = get_patient_for(ctx, patient_id, audit_action=None)
    require(ctx.user, action)
    if audit_action:
        record(ctx, audit_action, obj=patient, patient=patient)
    return patient


def evaluations_for(ctx: Context, patient: Patient):
    require(ctx.user, "evaluation.view")
    return patient.evaluations.select_related("created_by", "completed_by").order_by("-version")


def get_evaluation_for(ctx: Context, patient: Patient, public_id) -> IntakeEvaluation:
    require(ctx.user, "evaluation.view")
    try:
        return patient.evaluations.select_related("created_by", "completed_by").get(public_id=public_id)
    except (IntakeEvaluation.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such evaluation for this patient.") from None


def current_evaluation(patient: Patient) -> IntakeEvaluation | None:
    return patient.evaluations.filter(status=IntakeEvaluation.Status.COMPLETED, superseded_at__isnull=True).first()


def open_draft(patient: Patient) -> IntakeEvaluation | None:
    return patient.evaluations.filter(status=IntakeEvaluation.Status.DRAFT).first()


def with_chart(patient: Patient, evaluation: Evaluation, on_date: dt.date | None = None) -> tuple[Evaluation, tuple[ChartCorrection, ...]]:
    """``evaluation`` with the patient's chart facts as of ``on_date`` (default: the patient's today)."""
    return apply_chart(evaluation, chart_facts(patient, on_date or patient_today(patient)))


def chart_eligibility(evaluation: IntakeEvaluation, on_date: dt.date | None = None) -> tuple[EligibilityResult, Evaluation, tuple[ChartCorrection, ...]]:
    """The engine's answer for a stored evaluation read together with the chart as it is now
    (facts recorded since the evaluation count), the merged evaluation, and what the chart added."""
    patient = evaluation.patient
    merged, corrections = with_chart(patient, Evaluation.from_dict(evaluation.data), on_date)
    return evaluate_eligibility(merged, clinic_policy(patient.organization_id)), merged, corrections


def chart_suggestions(patient: Patient, evaluation: Evaluation | None = None) -> tuple[Suggestion, ...]:
    """What the chart suggests for staff to review (e.g. lisinopril: hypertension?) that
    ``evaluation`` does not record; without an evaluation, everything the chart suggests."""
    if evaluation is None:
        evaluation = Evaluation(indications=())
    return suggestions(evaluation, chart_facts(patient, patient_today(patient)))


def eligibility_of(evaluation: IntakeEvaluation, on_date: dt.date | None = None) -> EligibilityResult:
    return chart_eligibility(evaluation, on_date)[0]


def baseline_measures(evaluation_data: dict, patient: Patient | None = None, as_of: dt.datetime | None = None) -> list[dict]:
    """Instruments the indications call for, each with the patient's baseline score when one is
    recorded: the latest submitted response from the clinic's baseline window before ``as_of`` (the
    evaluation's date) onwards. Two queries: the clinic's settings and the responses."""

    parsed = Evaluation.from_dict(evaluation_data)
    required: list[RequiredMeasure] = baseline_measures_required(
        [p.indication for p in parsed.indications], parsed.phq9_item9_baseline
    )
    found: dict[str, tuple] = {}  # instrument -> (completed_at, total)
    if patient is not None and required:
        window = dt.timedelta(days=measures_policy.value(patient.organization_id, measures_policy.BASELINE_WINDOW))
        since = (as_of or timezone.now()) - window
        rows = QuestionnaireResponse.objects.filter(
            patient=patient, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True, completed_at__gte=since,
            instrument_key__in=[m.instrument_key for m in required],
        ).order_by("completed_at").values_list("instrument_key", "completed_at", "total")
        found = {key: (at, total) for key, at, total in rows}  # the latest wins
    measures = []
    for m in required:
        completed_at, total = found.get(m.instrument_key, (None, None))
        measures.append({"instrument": m.instrument_key, "reason": m.reason, "recorded": m.instrument_key in found,
                         "completed_at": completed_at, "total": total})
    return measures


def check_eligibility(ctx: Context, data, patient: Patient | None = None) -> EligibilityResult:
    """The engine's answer for an evaluation given as JSON; nothing is saved. With a ``patient``
    (already scoped to the actor), the patient's chart is merged in first: see ``check_with_chart``."""
    return check_with_chart(ctx, data, patient)[0]


def check_with_chart(ctx: Context, data, patient: Patient | None = None) -> tuple[EligibilityResult, tuple[ChartCorrection, ...]]:
    require(ctx.user, "evaluation.view")
    evaluation, corrections = _parse_evaluation(data), ()
    if patient is not None:
        evaluation, corrections = with_chart(patient, evaluation)
    return evaluate_eligibility(evaluation, clinic_policy(getattr(ctx.user, "organization_id", None))), corrections


def _parse_evaluation(data) -> Evaluation:
    try:
        return Evaluation.from_dict(data)
    except EvaluationInvalid as exc:
        raise ValidationFailed(exc.errors, "The evaluation has invalid fields.") from None


def save_evaluation(
    ctx: Context,
    patient: Patient,
    data,
    *,
    complete: bool,
    evaluation: IntakeEvaluation | None = None,
    expected_revision: int | None = None,
    report: PatientReportedIntake | None = None,
) -> IntakeEvaluation:
    """Create a draft or completed evaluation, or save/complete an open draft.

    Completing supersedes the patient's previous completed evaluation (kept, read-only); its
    decisions stop counting. A completed evaluation is never changed.
    """
    require(ctx.user, "evaluation.edit")
    parsed = _parse_evaluation(data)
    now = timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one writer per patient
        # Read under the patient lock: the chart facts stored are those of this moment.
        merged, corrections = with_chart(patient, parsed, patient_today(patient, now))
        normalized = merged.to_dict()
        if evaluation is not None:
            ev = IntakeEvaluation.objects.select_for_update().get(pk=evaluation.pk)
            if ev.patient_id != patient.pk:
                raise NotFound("No such evaluation for this patient.")
            if not ev.is_draft:
                raise Conflict("This evaluation is completed and cannot be changed; start a new evaluation.")
            if expected_revision is not None and ev.revision != expected_revision:
                raise Conflict("This draft was saved by someone else in the meantime; reload it and try again.")
            ev.data, ev.revision, ev.updated_at = normalized, ev.revision + 1, now
            action = Action.EVALUATION_UPDATE
        else:
            if not complete and IntakeEvaluation.objects.filter(patient=patient, status=IntakeEvaluation.Status.DRAFT).exists():
                raise Conflict("A draft evaluation is already open for this patient; continue that one.")
            last = IntakeEvaluation.objects.filter(patient=patient).aggregate(m=Max("version"))["m"] or 0
            ev = IntakeEvaluation(
                patient=patient, version=last + 1, schema_version=normalized["schema_version"], data=normalized,
                created_by=ctx.user, created_at=now, updated_at=now,
            )
            action = Action.EVALUATION_CREATE
        previous = None
        if complete:
            previous = (
                IntakeEvaluation.objects.select_for_update()
                .filter(patient=patient, status=IntakeEvaluation.Status.COMPLETED, superseded_at__isnull=True)
                .exclude(pk=ev.pk)
                .first()
            )
            if previous is not None:
                previous.superseded_at = now
                previous.save(update_fields=["superseded_at"])
            ev.status, ev.completed_by, ev.completed_at = IntakeEvaluation.Status.COMPLETED, ctx.user, now
        ev.schema_version = normalized["schema_version"]
        ev.save()
        if previous is not None:
            previous.superseded_by = ev
            previous.save(update_fields=["superseded_by"])
        if report is not None:
            _merge_report(ctx, patient, report, ev, now)
        detail = {"version": ev.version, "status": ev.status, "revision": ev.revision}
        if corrections:
            detail["chart_corrections"] = [{"field": c.field, "record_type": c.record_type, "record_id": c.record_id}
                                           for c in corrections]
        if previous is not None:
            detail["supersedes"] = str(previous.public_id)
        record(ctx, action, obj=ev, patient=patient, organization=patient.organization, detail=detail)
        if complete:
            record(ctx, Action.EVALUATION_COMPLETE, obj=ev, patient=patient, organization=patient.organization, detail=detail)
            summary = f"Intake evaluation v{ev.version} completed"
            if previous is not None:
                summary += f" (supersedes v{previous.version})"
            _timeline(ctx, patient, "evaluation", summary)
        elif action == "evaluation.create":
            _timeline(ctx, patient, "evaluation", f"Intake evaluation v{ev.version} started (draft)")
    ev.chart_corrections = corrections  # not stored: what the chart added or overrode in this save
    return ev


def _merge_report(ctx, patient, report, ev, now) -> None:
    locked = PatientReportedIntake.objects.select_for_update().filter(pk=report.pk, patient=patient).first()
    if locked is None:
        raise NotFound("No such patient-reported intake.")
    if locked.status != PatientReportedIntake.Status.SUBMITTED:
        raise Conflict("These patient answers were already merged or are not yet sent by the patient.")
    locked.status, locked.merged_into, locked.merged_by, locked.merged_at = PatientReportedIntake.Status.MERGED, ev, ctx.user, now
    locked.save()
    record(ctx, Action.EVALUATION_MERGE_PATIENT_REPORT, obj=locked, patient=patient, organization=patient.organization,
           detail={"evaluation": str(ev.public_id)})
    _timeline(ctx, patient, "evaluation", f"Patient-reported intake reviewed and merged into evaluation v{ev.version}")
