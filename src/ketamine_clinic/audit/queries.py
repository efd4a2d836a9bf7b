"""Reading the audit trail for an investigation: one organization's events, filtered, with the
patients they concern named (admins only; the view checks ``audit.view``)."""

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Q

from .models import AuditEvent

FILTER_KEYS = ("patient", "user", "action", "date_from", "date_to")
PATIENT_MATCH_LIMIT = 500  # a name that matches more charts than this is too broad to investigate


def _patient_model():
    # Looked up by name: the audit layer sits below the patients app and must not import it.
    return apps.get_model("patients", "Patient")


def display_zone(user) -> zoneinfo.ZoneInfo:
    """The reader's own location's zone; without one, the server's fallback zone."""
    location = getattr(user, "default_location", None)
    return location.tz if location is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass
class EventSearch:
    events: object  # queryset, newest first
    filters: dict
    errors: list
    zone: zoneinfo.ZoneInfo


def _patients_matching(organization_id, text: str) -> list[str]:
    """Public ids of the organization's charts whose MRN is ``text`` or whose names hold every word."""
    try:
        return [str(uuid.UUID(text))]  # a link from the table carries the chart's id
    except ValueError:
        pass
    words = text.split()
    by_name = Q()
    for word in words:
        by_name &= Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(preferred_name__icontains=word)
    qs = _patient_model().objects.filter(organization_id=organization_id).filter(Q(mrn__iexact=text) | by_name)
    return [str(p) for p in qs.values_list("public_id", flat=True)[:PATIENT_MATCH_LIMIT]]


def search_events(user, params) -> EventSearch:
    filters = {k: (params.get(k) or "").strip() for k in FILTER_KEYS}
    zone = display_zone(user)
    qs = AuditEvent.objects.filter(organization_id=user.organization_id).select_related("actor")
    errors = []
    if filters["user"]:
        qs = qs.filter(actor_username__iexact=filters["user"])
    if filters["action"]:
        qs = qs.filter(action__startswith=filters["action"])
    if filters["patient"]:
        qs = qs.filter(patient_id__in=_patients_matching(user.organization_id, filters["patient"]))
    for key, op, day_offset in (("date_from", "gte", 0), ("date_to", "lt", 1)):
        if not filters[key]:
            continue
        try:
            day = dt.date.fromisoformat(filters[key])
            start = dt.datetime.combine(day + dt.timedelta(days=day_offset), dt.time(), tzinfo=zone)
        except (ValueError, OverflowError):
            errors.append(f"{key.replace('_', ' ')}: use a date YYYY-MM-DD")
            continue
        qs = qs.filter(**{f"occurred_at__{op}": start})  # whole days in the zone shown
    return EventSearch(qs.order_by("-id"), filters, errors, zone)


def patients_by_public_id(organization_id, public_ids, using=None) -> dict[str, object]:
    """The named charts for a page of events (one query), limited to the reader's organization."""
    ids = set()
    for value in public_ids:
        try:
            ids.add(uuid.UUID(value))
        except (TypeError, ValueError):
            pass  # not a chart id (or a tampered row): shown as it is stored
    qs = _patient_model().objects.using(using).filter(organization_id=organization_id, public_id__in=ids)
    return {str(p.public_id): p for p in qs.only("public_id", "mrn", "given_name", "family_name", "preferred_name")}
