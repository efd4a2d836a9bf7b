"""Resources and opening hours of a location (``resources.manage``)."""

from __future__ import annotations

from django import forms
from django.db import transaction

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from .. import forms as plan_forms
from ..models import ClosedDate, OpeningHours, Resource
from ._common import _validate


def add_resource(ctx: Context, location: Location, data: dict) -> Resource:
    require(ctx.user, "resources.manage")
    staff = list(User.objects.filter(organization_id=location.organization_id, kind=User.Kind.STAFF, is_active=True))
    cleaned = _validate(plan_forms.ResourceForm, data, staff=staff)
    if location.resources.filter(name__iexact=cleaned["name"]).exists():
        raise Conflict("That name is already used at this location.", {"name": ["Already used at this location."]})
    staff_user = next((u for u in staff if str(u.public_id) == cleaned.get("staff")), None)
    if cleaned["kind"] == Resource.Kind.STAFF and staff_user is None:
        raise ValidationFailed({"staff": ["Choose the staff member."]})
    with transaction.atomic():
        resource = Resource.objects.create(organization_id=location.organization_id, location=location,
                                           name=cleaned["name"], kind=cleaned["kind"], staff=staff_user)
        record(ctx, Action.RESOURCE_CREATE, obj=resource, detail={"location": str(location.public_id), "kind": resource.kind})
    return resource


def set_resource_active(ctx: Context, resource: Resource, active: bool) -> Resource:
    require(ctx.user, "resources.manage")
    with transaction.atomic():
        resource.is_active = active
        resource.save(update_fields=["is_active"])
        record(ctx, Action.RESOURCE_ACTIVATE if active else Action.RESOURCE_DEACTIVATE, obj=resource)
    return resource


def get_resource_for(ctx: Context, public_id) -> Resource:
    require(ctx.user, "resources.manage")
    try:
        return Resource.objects.select_related("location").get(organization_id=ctx.user.organization_id, public_id=public_id)
    except (Resource.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise NotFound("No such resource.") from None


def set_opening_hours(ctx: Context, location: Location, data: dict) -> dict:
    """Replace a location's weekly hours. ``data``: weekday name -> "08:00-12:00, 13:00-18:00" (empty = closed)."""
    require(ctx.user, "resources.manage")
    cleaned = _validate(plan_forms.OpeningHoursForm, data)
    with transaction.atomic():
        location.opening_hours.all().delete()  # configuration, not a clinical record; the audit keeps the old value
        rows = [OpeningHours(location=location, weekday=wd, opens=o, closes=c)
                for wd, spans in cleaned["hours"].items() for o, c in spans]
        OpeningHours.objects.bulk_create(rows)
        record(ctx, Action.LOCATION_OPENING_HOURS, obj=location, detail={
            str(wd): [f"{o:%H:%M}-{c:%H:%M}" for o, c in spans] for wd, spans in cleaned["hours"].items()})
    return cleaned["hours"]


def add_closed_date(ctx: Context, location: Location, data: dict) -> ClosedDate:
    require(ctx.user, "resources.manage")
    cleaned = _validate(plan_forms.ClosedDateForm, data)
    if location.closed_dates.filter(date=cleaned["date"]).exists():
        raise Conflict("That day is already marked closed.", {"date": ["Already closed."]})
    with transaction.atomic():
        row = ClosedDate.objects.create(location=location, date=cleaned["date"], reason=cleaned["reason"])
        record(ctx, Action.LOCATION_CLOSED_DATE, obj=location, detail={"date": row.date.isoformat(), "reason": row.reason})
    return row
