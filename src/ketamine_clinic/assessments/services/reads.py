"""Permission-scoped reads: the patient in question, their responses and drafts."""

from django.db.models import QuerySet

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.services import get_own_patient_record, get_patient_for

from ..models import QuestionnaireResponse, ResponseStatus
from ._common import _is_own, _same_org


def patient_for(ctx: Context, public_id, action: str = "assessment.view", audit_action: Action | None = Action.ASSESSMENT_VIEW) -> Patient:
    """A patient of the actor's clinic, when the actor's role allows ``action``; audited."""
    return get_patient_for(ctx, public_id, action=action, audit_action=audit_action)


def own_patient(ctx: Context) -> Patient:
    """The portal user's own record (audited by the patients service)."""
    if not getattr(ctx.user, "is_portal_patient", False):
        raise NotFound("No patient record is linked to this account.")
    return get_own_patient_record(ctx)


def responses_for(ctx: Context, patient: Patient, *, include_superseded: bool = True) -> QuerySet[QuestionnaireResponse]:
    """Submitted responses of a patient, newest first: staff with assessment.view, or the patient."""
    if not _is_own(ctx, patient):
        require(ctx.user, "assessment.view")
        _same_org(ctx, patient)
    qs = QuestionnaireResponse.objects.filter(patient=patient, status=ResponseStatus.SUBMITTED)
    if not include_superseded:
        qs = qs.filter(superseded_by__isnull=True)
    return qs.select_related("entered_by").order_by("-completed_at", "-id")


def get_response_for(ctx: Context, public_id) -> QuestionnaireResponse:
    require(ctx.user, "assessment.view")
    try:
        response = QuestionnaireResponse.objects.select_related("patient", "entered_by", "amends", "superseded_by").get(
            public_id=public_id, organization_id=ctx.user.organization_id, status=ResponseStatus.SUBMITTED
        )
    except (QuestionnaireResponse.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such response.") from None
    record(ctx, Action.ASSESSMENT_VIEW, obj=response, patient=response.patient, organization=response.patient.organization)
    return response


def find_draft(patient: Patient, instrument_key: str, mode: str, *, user=None, link=None) -> QuestionnaireResponse | None:
    qs = QuestionnaireResponse.objects.filter(patient=patient, instrument_key=instrument_key, mode=mode, status=ResponseStatus.DRAFT)
    if link is not None:
        qs = qs.filter(link=link)
    elif user is not None:
        qs = qs.filter(entered_by=user)
    return qs.order_by("-updated_at").first()


def drafts_for_patient(patient: Patient, mode: str, user=None) -> QuerySet[QuestionnaireResponse]:
    qs = QuestionnaireResponse.objects.filter(patient=patient, mode=mode, status=ResponseStatus.DRAFT)
    return qs.filter(entered_by=user) if user is not None else qs
