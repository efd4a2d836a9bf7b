"""The patient-reported intake: the patient answers in the portal; staff review it into an evaluation."""

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.errors import NotFound, ValidationFailed, form_errors
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.services import get_own_patient_record

from .. import forms as sforms
from ..models import PatientReportedIntake
from ._common import _require_own, _timeline


def own_patient(ctx: Context) -> Patient:
    return get_own_patient_record(ctx)


_OPEN_INTAKE = Prepared(lambda patient_id: batch.first_of(PatientReportedIntake.objects.filter(
    patient_id=patient_id, status__in=[PatientReportedIntake.Status.DRAFT, PatientReportedIntake.Status.SUBMITTED])))


def reported_intake_read(patient: Patient) -> dict:
    """The patient's own intake form still open (for ``core.batch``; compiled once per process)."""
    return {("screening.reported_intake", patient.pk): _OPEN_INTAKE(patient.pk).knowing(patient=patient)}


def open_reported_intake(patient: Patient) -> PatientReportedIntake | None:
    return batch.first(reported_intake_read(patient))


def get_reported_intake(patient: Patient, public_id) -> PatientReportedIntake:
    try:
        return patient.reported_intakes.get(public_id=public_id)
    except (PatientReportedIntake.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such patient-reported intake.") from None


def save_reported_intake(ctx: Context, patient: Patient, data: dict, *, submit: bool) -> PatientReportedIntake:
    """The patient saves their answers for later, or sends them to the clinic for review."""
    _require_own(ctx, patient)
    form = sforms.PatientIntakeForm(data=data, submitting=submit)
    if not form.is_valid():
        raise ValidationFailed(form_errors(form), "Please answer every question.")
    answers = form.answers()
    now = timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        report = open_reported_intake(patient)
        if report is None:
            report = PatientReportedIntake(patient=patient, created_at=now)
        report.answers, report.updated_at = answers, now
        if submit:
            report.status, report.submitted_at = PatientReportedIntake.Status.SUBMITTED, now
        report.save()
        record(ctx, Action.PORTAL_INTAKE_SUBMIT if submit else Action.PORTAL_INTAKE_SAVE, obj=report, patient=patient,
               organization=patient.organization, detail={"answered": sorted(answers)})
        if submit:
            _timeline(ctx, patient, "evaluation", "Patient sent their intake answers from the portal")
    return report
