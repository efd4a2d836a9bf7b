"""Questionnaire responses: drafts, submissions (scored by the clinical core) and amendments."""

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, form_errors
from ketamine_clinic.patients.models import Patient, TimelineEvent

from .. import forms as aforms
from .. import policy
from ..models import MeasureLink, QuestionnaireResponse, ResponseMode, ResponseStatus, SuicideRiskAlert
from ._common import _check_link_usable, _is_own, _same_org
from .alerts import raise_alert
from .instruments import get_instrument_or_error, patient_can_answer
from .outcomes import refresh_outcome
from .reads import find_draft

STAFF_MODES = (ResponseMode.STAFF_PAPER, ResponseMode.CLINICIAN)
LINK_MODES = (ResponseMode.TABLET, ResponseMode.EMAIL_LINK)


def _require_answer_map(answers) -> None:
    if not isinstance(answers, Mapping):
        raise ValidationFailed({"answers": ["Answers must be an object of linkId to value."]})


def _score(instrument_key: str, answers, organization) -> ci.Score:
    _require_answer_map(answers)
    try:
        return ci.score(instrument_key, answers, settings=policy.clinic_settings(getattr(organization, "pk", organization)))
    except ci.AnswerValidationError as exc:
        raise ValidationFailed(exc.errors, "Some answers are missing or out of range.") from None


# --- who may answer for whom ------------------------------------------------------------------
def _check_actor(ctx: Context, patient: Patient, instrument: ci.Instrument, mode: str, link: MeasureLink | None) -> None:
    if mode == ResponseMode.PORTAL:
        if not _is_own(ctx, patient):
            raise NotFound("No patient record is linked to this account.")
    elif mode in LINK_MODES:
        if link is None or link.patient_id != patient.pk or link.mode != mode or link.instrument_key != instrument.key:
            raise NotFound("This link does not exist.")
    elif mode in STAFF_MODES:
        require(ctx.user, "assessment.enter")
        _same_org(ctx, patient)
    else:
        raise ValidationFailed({"mode": [f"Unknown mode {mode!r}."]})
    if mode not in STAFF_MODES and not patient_can_answer(instrument):
        raise ValidationFailed({"instrument_key": [f"{instrument.name} is rated by staff; a patient cannot fill it in."]})


def _acting(ctx: Context, mode: str) -> tuple[Context, object]:
    """Who the response is recorded as coming from. Through a one-time link it is the patient,
    anonymous, even when a staff member is signed in on the same tablet browser."""
    if mode in LINK_MODES:
        return Context(user=AnonymousUser(), source_ip=ctx.source_ip), None
    return ctx, (ctx.user if getattr(ctx.user, "is_authenticated", False) else None)


def _locked_usable_link(link: MeasureLink | None, now: dt.datetime) -> MeasureLink | None:
    """The link row locked until the transaction ends, checked again under the lock (None stays None)."""
    if link is None:
        return None
    link = MeasureLink.objects.select_for_update().get(pk=link.pk)
    _check_link_usable(link, now)
    return link


# --- writes: drafts and submissions -----------------------------------------------------------
def save_draft(ctx: Context, patient: Patient, instrument_key: str, answers, *, mode: str, link: MeasureLink | None = None) -> QuestionnaireResponse:
    """Keep partial answers; wrong values are refused even in a draft."""
    instrument = get_instrument_or_error(instrument_key)
    _check_actor(ctx, patient, instrument, mode, link)
    _require_answer_map(answers)
    try:
        clean = ci.validate_answers(instrument.key, answers, partial=True)
    except ci.AnswerValidationError as exc:
        raise ValidationFailed(exc.errors, "Some answers are out of range.") from None
    now = timezone.now()
    ctx, user = _acting(ctx, mode)
    with transaction.atomic():
        link = _locked_usable_link(link, now)
        draft = find_draft(patient, instrument.key, mode, user=user, link=link)
        if draft is None:
            draft = QuestionnaireResponse(
                organization_id=patient.organization_id, patient=patient, instrument_key=instrument.key,
                instrument_version=instrument.version, mode=mode, entered_by=user, link=link, started_at=now,
            )
        draft.answers = clean
        draft.updated_at = now
        draft.save()
        record(ctx, Action.ASSESSMENT_DRAFT, obj=draft, patient=patient, organization=patient.organization,
               detail={"instrument": instrument.key, "mode": mode, "answered": len(clean)})
    return draft


def submit_response(
    ctx: Context,
    patient: Patient,
    instrument_key: str,
    answers,
    *,
    mode: str,
    link: MeasureLink | None = None,
    completed_at: dt.datetime | None = None,
) -> QuestionnaireResponse:
    """Score and store a complete response; raise a suicide-risk alert when the score says so."""
    instrument = get_instrument_or_error(instrument_key)
    _check_actor(ctx, patient, instrument, mode, link)
    now = timezone.now()
    if mode in STAFF_MODES and completed_at is not None:
        form = aforms.CompletedAtForm(data={"completed_at": completed_at})
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        completed_at = form.cleaned_data["completed_at"] or now
    else:
        completed_at = now
    result = _score(instrument.key, answers, patient.organization)
    ctx, user = _acting(ctx, mode)
    with transaction.atomic():
        link = _locked_usable_link(link, now)
        response = find_draft(patient, instrument.key, mode, user=user, link=link) or QuestionnaireResponse(
            organization_id=patient.organization_id, patient=patient, instrument_key=instrument.key, mode=mode,
            entered_by=user, link=link, started_at=now,
        )
        _fill(response, instrument, result, completed_at, now)
        response.entered_by = user
        response.save()
        if link is not None:
            link.used_at = now
            link.save(update_fields=["used_at"])
        TimelineEvent.objects.create(patient=patient, kind="assessment", summary=_summary_line(instrument, response), actor=user)
        audit_action = Action.ASSESSMENT_ENTER if mode in STAFF_MODES else Action.ASSESSMENT_SUBMIT
        record(ctx, audit_action, obj=response, patient=patient, organization=patient.organization, detail=_audit_detail(response))
        if result.suicide_risk:
            raise_alert(ctx, response, result)
        refresh_outcome(patient, instrument.key)
    return response


def amend_response(ctx: Context, original: QuestionnaireResponse, answers, reason: str) -> QuestionnaireResponse:
    """Correct a submitted response: a new response points to the original and supersedes it."""
    require(ctx.user, "assessment.enter")
    patient = original.patient
    _same_org(ctx, patient)
    form = aforms.ReasonForm(data={"reason": reason or ""})
    if not form.is_valid():
        raise ValidationFailed(form_errors(form))
    instrument = get_instrument_or_error(original.instrument_key)
    result = _score(instrument.key, answers, patient.organization)
    now = timezone.now()
    with transaction.atomic():
        locked = QuestionnaireResponse.objects.select_for_update().get(pk=original.pk)
        if locked.status != ResponseStatus.SUBMITTED:
            raise Conflict("Only a submitted response can be amended.")
        if locked.superseded_by_id is not None:
            raise Conflict("This response was already amended; amend the latest version instead.")
        amended = QuestionnaireResponse(
            organization_id=patient.organization_id, patient=patient, instrument_key=instrument.key, mode=locked.mode,
            entered_by=ctx.user, started_at=now, amends=locked, amendment_reason=form.cleaned_data["reason"],
        )
        _fill(amended, instrument, result, locked.completed_at, now)
        amended.save()
        # The one field ever written on a submitted response: which version replaces it.
        QuestionnaireResponse.objects.filter(pk=locked.pk, superseded_by__isnull=True).update(superseded_by=amended)
        original.superseded_by = amended
        TimelineEvent.objects.create(patient=patient, kind="assessment", summary="Amended: " + _summary_line(instrument, amended), actor=ctx.user)
        record(ctx, Action.ASSESSMENT_AMEND, obj=amended, patient=patient, organization=patient.organization,
               detail={**_audit_detail(amended), "amends": str(locked.public_id)})
        if result.suicide_risk and not SuicideRiskAlert.objects.filter(response=locked).exists():
            raise_alert(ctx, amended, result)
        refresh_outcome(patient, instrument.key)
    return amended


def _fill(response: QuestionnaireResponse, instrument: ci.Instrument, result: ci.Score, completed_at, now) -> None:
    response.instrument_version = instrument.version
    response.status = ResponseStatus.SUBMITTED
    response.answers = dict(result.answers)
    response.completed_at = completed_at
    response.submitted_at = now
    response.updated_at = now
    response.total = result.total
    response.band = result.band or ""
    response.band_label = result.band_label or ""
    response.item_flags = [
        {"flag": f.flag, "link_id": f.link_id, "value": f.value, "message": f.message, "source": f.source}
        for f in result.item_flags
    ]
    response.suicide_risk = result.suicide_risk
    response.risk_level = result.risk_level.value if result.risk_level is not None else ""
    response.risk_reasons = list(result.risk_reasons)
    response.subscores = dict(result.subscores)
    response.recall_period = result.recall_period
    response.loinc_total = result.loinc_total or ""


def _summary_line(instrument: ci.Instrument, r: QuestionnaireResponse) -> str:
    short = ci.abbreviation(instrument.key)
    score = f"total {r.total}" if r.total is not None else (f"risk {r.risk_level}" if r.risk_level else "recorded")
    band = f" ({r.band_label})" if r.band_label else ""
    flag = " — suicide-risk alert" if r.suicide_risk else ""
    return f"{short} {score}{band}{flag}"[:300]


def _audit_detail(r: QuestionnaireResponse) -> dict:
    return {"instrument": r.instrument_key, "mode": r.mode, "total": r.total, "band": r.band, "suicide_risk": r.suicide_risk}
