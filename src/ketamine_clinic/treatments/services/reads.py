"""Reads scoped to the user's organization: sessions, locations, prescribers."""

from django.db.models import Prefetch, QuerySet

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import Role, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients.models import Patient

from ..models import OPEN_STATUSES, MonitoringEntry, SessionAlert, TreatmentSession, VitalsReading
from ._common import _audit


def sessions_for(ctx: Context, action: str = "session.view") -> QuerySet[TreatmentSession]:
    require(ctx.user, action)
    return TreatmentSession.objects.filter(organization_id=ctx.user.organization_id)


def get_session_for(ctx: Context, public_id, action: str = "session.view", *, audit: bool = False,
                    detailed: bool = False) -> TreatmentSession:
    """One session the user may ``action``; ``detailed`` also prefetches what the session screen shows."""
    qs = sessions_for(ctx, action)
    if detailed:
        qs = with_details(qs)
    try:
        session = (qs.select_related("patient", "location", "organization", "ordered_by",
                                     "checked_in_by", "cosigned_by", "discharged_by")
                   .get(public_id=public_id))
    except (TreatmentSession.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such session.") from None
    if audit:
        _audit(ctx, Action.SESSION_VIEW, session)
    return session


def with_details(qs: QuerySet[TreatmentSession]) -> QuerySet[TreatmentSession]:
    """Prefetch what the session screen, the board and the API read (a fixed number of queries),
    with who charted each row (the screen names them)."""
    return qs.select_related("patient", "location", "organization", "ordered_by", "administration").prefetch_related(
        Prefetch("vitals", queryset=VitalsReading.objects.select_related("recorded_by")), "devices",
        Prefetch("entries", queryset=MonitoringEntry.objects.select_related("recorded_by")),
        Prefetch("alerts", queryset=SessionAlert.objects.select_related("acknowledged_by")),
        "administration__rate_changes",
    )


def locations_for(ctx: Context):
    require(ctx.user, "session.view")
    return Location.objects.filter(organization_id=ctx.user.organization_id, is_active=True)


def get_location_for(ctx: Context, public_id) -> Location:
    try:
        return locations_for(ctx).get(public_id=public_id)
    except (Location.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such location.") from None


def prescribers_of(organization_id) -> QuerySet[User]:
    return (User.objects.filter(organization_id=organization_id, kind=User.Kind.STAFF, is_active=True,
                                roles__role=Role.PRESCRIBER).distinct().order_by("last_name", "first_name", "username"))


def open_session_of(patient: Patient) -> TreatmentSession | None:
    return patient.treatment_sessions.filter(status__in=OPEN_STATUSES).first()
