"""Suicide-risk alerts: raised with a response, listed for the clinic, acknowledged by a clinician."""

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import Role, has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, form_errors
from ketamine_clinic.core.ids import uuid_or_none
from ketamine_clinic.core.links import site_url
from ketamine_clinic.patients.models import Patient, TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary

from .. import forms as aforms
from .. import policy
from ..models import AlertStatus, QuestionnaireResponse, SuicideRiskAlert
from ._common import _mail
from .escalation import schedule_escalation


def alert_recipients(patient: Patient) -> list[User]:
    """Prescribers on the patient's care team, else every prescriber of the clinic."""
    prescribers = User.objects.filter(
        organization_id=patient.organization_id, kind=User.Kind.STAFF, is_active=True, roles__role=Role.PRESCRIBER
    ).distinct()
    on_team = list(prescribers.filter(care_team_patients=patient))
    return on_team or list(prescribers)


def raise_alert(ctx: Context, response: QuestionnaireResponse, result: ci.Score) -> SuicideRiskAlert:
    patient = response.patient
    recipients = alert_recipients(patient)
    alert = SuicideRiskAlert.objects.create(
        organization_id=patient.organization_id, patient=patient, response=response, raised_at=timezone.now(),
        reasons=list(result.risk_reasons), risk_level=response.risk_level, notified=[u.username for u in recipients],
    )
    TimelineEvent.objects.create(patient=patient, kind="alert", summary=timeline_summary("Suicide-risk alert raised: " + "; ".join(result.risk_reasons)), actor=None)
    record(ctx, Action.ALERT_RAISE, obj=alert, patient=patient, organization=patient.organization,
           detail={"response": str(response.public_id), "notified": alert.notified})
    emails = [u.email for u in recipients if u.email]
    if emails:
        subject = f"Suicide-risk alert: patient {patient.mrn}"
        body = (
            f"A questionnaire answered for patient MRN {patient.mrn} needs a same-day suicide-risk assessment.\n"
            f"Reasons: {'; '.join(result.risk_reasons)}\n\n"
            f"Open the alert and record the action taken: {site_url(reverse('assessments:alerts'))}\n"
            "Unacknowledged alerts are escalated to the clinic admins (clinic policy)."
        )
        transaction.on_commit(lambda: _mail(subject, body, emails))
    due_at = alert.raised_at + policy.escalate_after(patient.organization_id)
    transaction.on_commit(lambda: schedule_escalation(due_at))
    return alert


def open_alerts_for(ctx: Context, status: str = "open") -> QuerySet[SuicideRiskAlert]:
    """Alerts of the actor's clinic: clinicians see all; clinic admins see escalated ones."""
    user = ctx.user
    qs = SuicideRiskAlert.objects.filter(organization_id=getattr(user, "organization_id", None)).select_related(
        "patient", "response", "acknowledged_by"
    )
    clinician = has_permission(user, "alert.acknowledge") or has_permission(user, "assessment.view")
    if not clinician and not has_permission(user, "org.manage"):
        require(user, "alert.acknowledge")  # raises: neither a clinician nor a clinic admin
    if not clinician:
        qs = qs.filter(escalated_at__isnull=False)
    if status == "open":
        qs = qs.filter(status=AlertStatus.OPEN)
    elif status == "acknowledged":
        qs = qs.filter(status=AlertStatus.ACKNOWLEDGED)
    elif status not in ("", "all"):
        raise ValidationFailed({"status": ["Choose open, acknowledged or all."]})
    return qs.order_by("-raised_at", "-id")


def with_people(alerts) -> list[SuicideRiskAlert]:
    """Attach the names of who was told (``notified_names``, ``escalated_names``): one query for all."""
    alerts = list(alerts)
    usernames = {u for a in alerts for u in (*a.notified, *a.escalated_to)}
    org_ids = {a.organization_id for a in alerts}
    names = {u.username: u.name for u in User.objects.filter(username__in=usernames, organization_id__in=org_ids)}
    for a in alerts:
        a.notified_names = [names.get(u, u) for u in a.notified]
        a.escalated_names = [names.get(u, u) for u in a.escalated_to]
    return alerts


def acknowledge_alert(ctx: Context, alert_public_id, action_taken: str, actions=()) -> SuicideRiskAlert:
    """``actions``: keys of ``forms.COMMON_ALERT_ACTIONS`` ticked; ``action_taken``: the details in words."""
    require(ctx.user, "alert.acknowledge")
    form = aforms.AcknowledgeForm(data={"action_taken": action_taken or "", "actions": list(actions or ())})
    if not form.is_valid():
        raise ValidationFailed(form_errors(form))
    action_text = form.action_text()
    with transaction.atomic():
        alert = (
            SuicideRiskAlert.objects.select_for_update()
            .filter(public_id=alert_public_id, organization_id=ctx.user.organization_id).first()
            if uuid_or_none(alert_public_id) else None
        )
        if alert is None:
            raise NotFound("No such alert.")
        if alert.status != AlertStatus.OPEN:
            raise Conflict("This alert was already acknowledged.")
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_by = ctx.user
        alert.acknowledged_at = timezone.now()
        alert.action_taken = action_text
        alert.save()
        TimelineEvent.objects.create(patient_id=alert.patient_id, kind="alert", summary=timeline_summary("Suicide-risk alert acknowledged: " + alert.action_taken), actor=ctx.user)
        record(ctx, Action.ALERT_ACKNOWLEDGE, obj=alert, patient=alert.patient, organization=alert.patient.organization,
               detail={"escalated": alert.escalated_at is not None})
    return alert
