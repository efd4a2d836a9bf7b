"""Escalation of suicide-risk alerts nobody acknowledged in time: to every clinician who can act on
them, and to the clinic admins."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import MATRIX, Role
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.core.links import site_url

from .. import policy
from ..models import AlertStatus, SuicideRiskAlert
from ._common import _mail


def escalation_recipients(organization_id) -> list[User]:
    """Everyone in the clinic who can act on the alert (the roles that may acknowledge it), and the
    clinic admins, who cannot acknowledge but must know that an alert went unanswered."""
    roles = set(MATRIX["alert.acknowledge"][0]) | {Role.CLINIC_ADMIN}
    return list(User.objects.filter(
        organization_id=organization_id, kind=User.Kind.STAFF, is_active=True, roles__role__in=roles
    ).distinct().order_by("username"))


def schedule_escalation(due_at: dt.datetime) -> None:
    """Queue an escalation run for when this alert falls due (the run is idempotent)."""
    escalate_alerts.using(run_after=due_at).enqueue()


def escalate_overdue_alerts(now: dt.datetime | None = None) -> list[SuicideRiskAlert]:
    """Escalate every open alert older than the clinic's limit to its clinicians and admins, once.

    Idempotent: an alert is escalated by a conditional update that only succeeds while
    ``escalated_at`` is empty, so running this twice (or in two processes) never escalates twice.
    """
    now = now or timezone.now()
    shortest = dt.timedelta(minutes=policy.ALERT_ESCALATE_AFTER.minimum)  # no clinic may set less
    candidates = SuicideRiskAlert.objects.filter(
        status=AlertStatus.OPEN, escalated_at__isnull=True, raised_at__lte=now - shortest
    ).select_related("patient", "organization")
    escalated = []
    per_org: dict[int, dict] = {}
    for alert in candidates:
        org_settings = per_org.setdefault(alert.organization_id, policy.clinic_settings(alert.organization_id))
        if alert.raised_at > now - policy.escalate_after(org_settings):
            continue
        recipients = escalation_recipients(alert.organization_id)
        with transaction.atomic():
            won = SuicideRiskAlert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN, escalated_at__isnull=True).update(
                escalated_at=now, escalated_to=[u.username for u in recipients]
            )
            if not won:
                continue
            alert.escalated_at, alert.escalated_to = now, [u.username for u in recipients]
            record(None, Action.ALERT_ESCALATE, obj=alert, patient=alert.patient, organization=alert.organization,
                   detail={"escalated_to": alert.escalated_to})
            emails = [u.email for u in recipients if u.email]
            if emails:
                subject = f"Escalated: unacknowledged suicide-risk alert, patient {alert.patient.mrn}"
                minutes = int(policy.escalate_after(org_settings).total_seconds() // 60)
                body = (
                    f"A suicide-risk alert for patient MRN {alert.patient.mrn} has not been acknowledged within "
                    f"{minutes} minutes (clinic policy). See {site_url(reverse('assessments:alerts'))}"
                )
                transaction.on_commit(lambda s=subject, b=body, e=emails: _mail(s, b, e))
        escalated.append(alert)
    return escalated


@task()
def escalate_alerts() -> int:
    """Escalate every overdue unacknowledged suicide-risk alert; safe to run any number of times."""
    return len(escalate_overdue_alerts())
