"""One-time links to a single questionnaire, for the clinic tablet or an email to the patient."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.core.links import site_url
from ketamine_clinic.patients.models import Patient, TimelineEvent

from .. import policy
from ..models import LinkPurpose, MeasureLink
from ._common import _check_link_usable, _mail, _same_org
from .instruments import get_instrument_or_error, patient_can_answer


def create_link(ctx: Context, patient: Patient, instrument_key: str, purpose: str = LinkPurpose.TABLET) -> tuple[MeasureLink, str]:
    """A one-time link to one questionnaire. Returns the link and the raw token (shown once)."""
    require(ctx.user, "measures.send_link")
    _same_org(ctx, patient)
    instrument = get_instrument_or_error(instrument_key)
    if not patient_can_answer(instrument):
        raise ValidationFailed({"instrument_key": [f"{instrument.name} is rated by staff; it cannot be sent to the patient."]})
    if purpose not in LinkPurpose.values:
        raise ValidationFailed({"purpose": ["Choose tablet or email."]})
    raw = MeasureLink.new_raw_token()
    now = timezone.now()
    with transaction.atomic():
        link = MeasureLink.objects.create(
            organization_id=patient.organization_id, patient=patient, instrument_key=instrument.key, purpose=purpose,
            token_sha256=MeasureLink.digest(raw), created_by=ctx.user, created_at=now,
            expires_at=now + policy.link_lifetime(patient.organization, purpose),
        )
        record(ctx, Action.MEASURES_LINK_CREATE, obj=link, patient=patient, organization=patient.organization,
               detail={"instrument": instrument.key, "purpose": purpose})
    return link, raw


def send_measure_link(ctx: Context, patient: Patient, instrument_key: str, *, base_url: str = "") -> MeasureLink:
    """Email the patient a one-time link to a due questionnaire."""
    require(ctx.user, "measures.send_link")
    _same_org(ctx, patient)
    if not patient.email:
        raise ValidationFailed({"email": ["The patient has no email address on file."]})
    instrument = get_instrument_or_error(instrument_key)
    with transaction.atomic():
        link, raw = create_link(ctx, patient, instrument_key, LinkPurpose.EMAIL)
        TimelineEvent.objects.create(patient=patient, kind="assessment", summary=f"{ci.abbreviation(instrument.key)} link emailed to the patient", actor=ctx.user)
        record(ctx, Action.MEASURES_SEND_LINK, obj=link, patient=patient, organization=patient.organization, detail={"instrument": instrument.key})
        url = (base_url.rstrip("/") + reverse("assessments:link", args=[raw])) if base_url else site_url(reverse("assessments:link", args=[raw]))
        hours = int(policy.link_lifetime(patient.organization, LinkPurpose.EMAIL).total_seconds() // 3600)
        body = (
            f"Hello {patient.preferred_name or patient.given_name},\n\n"
            f"{patient.organization.name} asks you to complete a short questionnaire ({instrument.name}).\n"
            f"Open this link (it works once and expires in {hours} hours): {url}\n\n"
            f"If you are in crisis, call or text {patient.organization.crisis_line}, or call 911."
        )
        email = patient.email
        transaction.on_commit(lambda: _mail(f"{patient.organization.name}: questionnaire to complete", body, [email]))
    return link


def open_link(raw: str) -> MeasureLink:
    """The link for a raw token, if it exists, is unused and has not expired."""
    if not raw or len(raw) > 100:
        raise NotFound("This link does not exist.")
    link = MeasureLink.objects.select_related("patient", "organization").filter(token_sha256=MeasureLink.digest(raw)).first()
    if link is None:
        raise NotFound("This link does not exist.")
    _check_link_usable(link, timezone.now())
    return link
