"""Spravato REMS enrollment: the clinic's prescribers, the active enrollment, enrolling and
marking an enrollment entered in error."""

from django.db import transaction

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import Role, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.errors import Conflict, NotFound, require_own_clinic
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.education.gates import refuse_rems_without_education
from ketamine_clinic.patients.models import Patient

from .. import forms as sforms
from ..models import RemsEnrollment
from ._common import _check_signed_name, _timeline, _validate


def clinic_prescribers(organization_id):
    return (User.objects.filter(organization_id=organization_id, kind=User.Kind.STAFF, is_active=True,
                                roles__role=Role.PRESCRIBER).distinct().order_by("last_name", "first_name", "username"))


_ACTIVE_REMS = Prepared(lambda patient_id: batch.first_of(
    RemsEnrollment.objects.filter(patient_id=patient_id, status=RemsEnrollment.Status.ACTIVE).select_related("prescriber")))


def rems_read(patient: Patient) -> dict:
    """The active REMS enrollment (for ``core.batch``; compiled once per process)."""
    return {("screening.rems", patient.pk): _ACTIVE_REMS(patient.pk).knowing(patient=patient)}


def current_rems(patient: Patient) -> RemsEnrollment | None:
    return batch.first(rems_read(patient))


def enroll_rems(ctx: Context, patient: Patient, data: dict) -> RemsEnrollment:
    require(ctx.user, "rems.enroll")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    prescribers = list(clinic_prescribers(patient.organization_id))
    cleaned = _validate(sforms.RemsEnrollmentForm, data, prescribers=prescribers, today=patient_today(patient))
    _check_signed_name(patient, cleaned["patient_signed_name"], "patient_signed_name")
    prescriber = next(u for u in prescribers if str(u.public_id) == cleaned["prescriber"])
    refuse_rems_without_education(patient)  # clinic policy: the esketamine education page acknowledged first
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        if patient.rems_enrollments.filter(status=RemsEnrollment.Status.ACTIVE).exists():
            raise Conflict("This patient is already enrolled in the Spravato REMS.")
        enrollment = RemsEnrollment.objects.create(
            patient=patient, enrolled_on=cleaned["enrolled_on"], patient_signed_name=cleaned["patient_signed_name"], prescriber=prescriber,
            rems_patient_id=cleaned["rems_patient_id"].strip(), recorded_by=ctx.user,
        )
        record(ctx, Action.REMS_ENROLL, obj=enrollment, patient=patient, organization=patient.organization,
               detail={"enrolled_on": enrollment.enrolled_on.isoformat(), "prescriber": str(prescriber.public_id)})
        _timeline(ctx, patient, "rems", f"Enrolled in the Spravato REMS on {enrollment.enrolled_on:%Y-%m-%d}")
    return enrollment


def withdraw_rems(ctx: Context, patient: Patient, enrollment_id, data: dict) -> RemsEnrollment:
    """Mark an enrollment entered in error (kept, never deleted)."""
    require(ctx.user, "rems.enroll")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    cleaned = _validate(sforms.RevokeForm, data)
    with transaction.atomic():
        enrollment = patient.rems_enrollments.select_for_update().filter(public_id=enrollment_id).first()
        if enrollment is None:
            raise NotFound("No such REMS enrollment for this patient.")
        if enrollment.status != RemsEnrollment.Status.ACTIVE:
            raise Conflict("This enrollment was already marked entered in error.")
        enrollment.status, enrollment.status_reason = RemsEnrollment.Status.ENTERED_IN_ERROR, cleaned["reason"]
        enrollment.save(update_fields=["status", "status_reason"])
        record(ctx, Action.REMS_ENTERED_IN_ERROR, obj=enrollment, patient=patient, organization=patient.organization)
        _timeline(ctx, patient, "rems", "Spravato REMS enrollment marked entered in error")
    return enrollment
