"""Helpers that more than one services module needs: organization scoping, link checks, mail."""

import datetime as dt
import logging

from django.core.mail import send_mail

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ServiceError
from ketamine_clinic.patients.models import Patient

from ..models import MeasureLink

# The package's name, so log lines keep the logger name they had before services.py was split.
log = logging.getLogger(__package__)


class LinkUnavailable(ServiceError):
    """A one-time link that was used already or has expired."""

    status = 410


def _is_own(ctx: Context, patient: Patient) -> bool:
    user = ctx.user
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_portal_patient", False) and patient.portal_user_id == user.pk)


def _check_link_usable(link: MeasureLink, now: dt.datetime) -> None:
    if link.used_at is not None:
        raise LinkUnavailable("This link has already been used. Ask the clinic for a new one.")
    if now >= link.expires_at:
        raise LinkUnavailable("This link has expired. Ask the clinic for a new one.")


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # mail must never undo a stored response; the alert is on screen regardless
        log.exception("Could not send %r", subject)
