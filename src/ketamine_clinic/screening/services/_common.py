"""Helpers the screening service modules share: form validation, the chart's timeline, dates,
typed signatures."""

import datetime as dt

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.core.errors import validated as _validate  # noqa: F401  (one form check, used by the service modules)
from ketamine_clinic.core.localtime import local_date
from ketamine_clinic.patients.models import Patient, TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary


def _timeline(ctx: Context, patient: Patient, kind: str, summary: str) -> None:
    TimelineEvent.objects.create(patient=patient, kind=kind, summary=timeline_summary(summary), actor=ctx.user if ctx else None)


def _local_date(moment: dt.datetime, patient: Patient) -> dt.date:
    """The date of ``moment`` at the patient's home location (one rule: ``core.localtime``)."""
    return local_date(moment, patient)


def _check_signed_name(patient: Patient, name: str, field: str = "signed_name") -> None:
    """A typed signature must at least carry the family name on the record."""
    if patient.family_name.casefold() not in name.casefold():
        raise ValidationFailed({field: [f"Type the patient's full name as on the record (including “{patient.family_name}”)."]})


def _require_own(ctx: Context, patient: Patient, message: str = "No patient record is linked to this account.") -> None:
    """The actor is this patient's own portal account; else NotFound (404) with ``message``."""
    if patient.portal_user_id is None or ctx.user.pk != patient.portal_user_id:
        raise NotFound(message)
