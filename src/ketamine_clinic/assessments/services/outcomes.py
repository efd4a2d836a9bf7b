"""Each patient's outcome on each trackable instrument, recomputed with the clinical core."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.patients.models import Patient

from .. import clinic_policy
from ..models import PatientOutcome, QuestionnaireResponse, ResponseStatus
from .instruments import is_trackable


def outcome_fields(summary: ci.OutcomeSummary) -> dict:
    """The PatientOutcome columns for an OutcomeSummary (used by the service and the bulk seed)."""
    return {
        "baseline_at": summary.baseline.at,
        "baseline_total": int(summary.baseline.total),
        "latest_at": summary.latest.at,
        "latest_total": int(summary.latest.total),
        "follow_up_count": len(summary.points),
        "latest_change": int(summary.latest.total - summary.baseline.total),
        "latest_percent_change": summary.latest_percent_change,
        "responded": summary.first_response_at is not None,
        "first_response_at": summary.first_response_at,
        "days_to_first_response": summary.days_to_first_response,
        "remitted": None if summary.policy.remission_max_total is None else summary.first_remission_at is not None,
        "first_remission_at": summary.first_remission_at,
        "days_to_first_remission": summary.days_to_first_remission,
        "first_relapse_at": summary.first_relapse_at,
        "status": summary.status,
        "in_remission_now": summary.in_remission_now,
    }


def summarize_points(instrument_key: str, points, settings: dict | None = None) -> ci.OutcomeSummary:
    """``settings``: a dict from ``clinic_policy.clinic_settings`` (read once by the caller)."""
    series = ci.ScoreSeries.from_points(instrument_key, points)
    return ci.summarize_outcomes(series, settings=settings if settings is not None else clinic_policy.clinic_settings())


def current_points(patient: Patient, instrument_key: str) -> list[tuple[dt.datetime, int]]:
    return list(
        QuestionnaireResponse.objects.filter(
            patient=patient, instrument_key=instrument_key, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True
        ).order_by("completed_at", "id").values_list("completed_at", "total")
    )


def current_totals_by_instrument(patient: Patient) -> dict[str, list[tuple[dt.datetime, int]]]:
    """Each instrument's current (not amended away) totals of the patient, oldest first: one query."""
    by_key: dict[str, list[tuple[dt.datetime, int]]] = {}
    for key, at, total in (
        QuestionnaireResponse.objects.filter(patient=patient, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True, total__isnull=False)
        .order_by("completed_at", "id").values_list("instrument_key", "completed_at", "total")
    ):
        by_key.setdefault(key, []).append((at, total))
    return by_key


def refresh_outcome(patient: Patient, instrument_key: str) -> PatientOutcome | None:
    """Recompute one patient's outcome on one instrument with the clinical core.

    The patient's row is locked first (``FOR NO KEY UPDATE``, which does not block inserting a
    response for them), so two responses submitted at once take turns here and the second reads
    the points after the first committed: no lost update of the outcome row.
    """
    if not is_trackable(ci.get_instrument(instrument_key)):
        return None
    with transaction.atomic():
        list(Patient.objects.filter(pk=patient.pk).select_for_update(no_key=True).values_list("pk", flat=True))
        return _refresh_locked(patient, instrument_key)


def _refresh_locked(patient: Patient, instrument_key: str) -> PatientOutcome | None:
    points = current_points(patient, instrument_key)
    if not points:
        PatientOutcome.objects.filter(patient=patient, instrument_key=instrument_key).delete()  # derived data only
        return None
    fields = outcome_fields(summarize_points(instrument_key, points, clinic_policy.clinic_settings(patient.organization_id)))
    outcome, _ = PatientOutcome.objects.update_or_create(
        patient=patient, instrument_key=instrument_key,
        defaults={**fields, "organization_id": patient.organization_id, "computed_at": timezone.now()},
    )
    return outcome
