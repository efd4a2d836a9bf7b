"""Locations, their hours and resources, local days, appointment lists and therapists (reads only)."""

from __future__ import annotations

import datetime as dt
from datetime import UTC

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import Role, require
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.dates import check_dates
from ketamine_clinic.core.errors import NotFound

from ..models import LIVE_STATUSES, Appointment, Resource
from ._common import BOOKABLE_KINDS


def locations_for(ctx: Context, action: str = "schedule.view") -> QuerySet[Location]:
    require(ctx.user, action)
    return Location.objects.filter(organization_id=ctx.user.organization_id, is_active=True)


def get_location_for(ctx: Context, public_id, action: str = "schedule.view") -> Location:
    try:
        return locations_for(ctx, action).get(public_id=public_id)
    except (Location.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise NotFound("No such location.") from None


def opening_hours_of(location: Location) -> dict[int, list[tuple[dt.time, dt.time]]]:
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in location.opening_hours.all():
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    return hours


def closed_dates_of(location: Location) -> set[dt.date]:
    return set(location.closed_dates.values_list("date", flat=True))


def bookable_resources(location: Location) -> list[Resource]:
    return list(location.resources.filter(is_active=True, kind__in=BOOKABLE_KINDS).order_by("name"))


def local_day_bounds(location: Location, day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """UTC start and end of ``days`` local calendar days from ``day`` (DST-safe)."""
    zone = location.tz
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_today(location: Location, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(location.tz).date()


def appointments_for(ctx: Context, location: Location | None, day: dt.date | None, days: int = 1) -> list[Appointment]:
    """Appointments on ``days`` local days from ``day`` at ``location`` (or every location, each in its zone)."""
    locations = [location] if location is not None else list(locations_for(ctx))
    check_dates(date=day)
    condition = Q()
    for loc in locations:
        start, end = local_day_bounds(loc, day or local_today(loc), days)
        condition |= Q(location=loc, start_at__gte=start, start_at__lt=end)
    if not locations:
        return []
    qs = (Appointment.objects.filter(organization_id=ctx.user.organization_id).filter(condition)
          .select_related("patient", "location", "resource", "staff", "plan"))
    return list(qs.order_by("start_at", "id"))


def get_appointment_for(ctx: Context, public_id, action: str = "schedule.view") -> Appointment:
    require(ctx.user, action)
    try:
        return (Appointment.objects.select_related("patient", "location", "resource", "staff", "plan")
                .get(organization_id=ctx.user.organization_id, public_id=public_id))
    except (Appointment.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise NotFound("No such appointment.") from None


def therapists(organization_id) -> QuerySet[User]:
    return (User.objects.filter(organization_id=organization_id, kind=User.Kind.STAFF, is_active=True,
                                roles__role__in=[Role.THERAPIST, Role.PRESCRIBER]).distinct()
            .order_by("last_name", "first_name", "username"))


GRID_STEP_MIN = 30  # rows of the chair grid; a booking covers every row it overlaps
GRID_CLOSED_DAY = (dt.time(8), dt.time(18))  # rows shown on a day without opening hours


def chair_grid(location: Location, day: dt.date, appointments: list[Appointment]) -> dict:
    """The day as a chair-by-time grid: one column per chair or room, one row per half hour of the
    opening hours (widened to fit any booking). A cell is free (None), the first row of a booking
    (``{"appointment", "rows"}``), or covered by the booking above ("covered", not rendered)."""
    resources = bookable_resources(location)
    spans = opening_hours_of(location).get(day.weekday(), [])
    is_open = bool(spans) and day not in closed_dates_of(location)
    booked = [a for a in appointments if a.resource_id and a.status in LIVE_STATUSES and a.local_start().date() == day]
    times = _grid_times(day, spans, booked, location.tz)
    cells = _grid_cells(times, resources, booked)
    return {"resources": resources, "is_open": is_open,
            "rows": [{"time": t, "cells": c} for t, c in zip(times, cells)]}


def _grid_times(day: dt.date, spans, booked: list[Appointment], zone) -> list[dt.datetime]:
    """Row start times: the opening hours (or the default closed-day rows) widened to every booking,
    from a whole grid step on."""
    first, last = (min(o for o, _ in spans), max(c for _, c in spans)) if spans else GRID_CLOSED_DAY
    start = dt.datetime.combine(day, first, tzinfo=zone)
    end = dt.datetime.combine(day, last, tzinfo=zone)
    for a in booked:
        start, end = min(start, a.local_start()), max(end, a.local_end())
    step = dt.timedelta(minutes=GRID_STEP_MIN)
    start = start.replace(minute=start.minute - start.minute % GRID_STEP_MIN, second=0, microsecond=0)
    times = []
    t = start
    while t < end:
        times.append(t)
        t += step
    return times


def _grid_cells(times: list[dt.datetime], resources, booked: list[Appointment]) -> list[list]:
    step = dt.timedelta(minutes=GRID_STEP_MIN)
    column = {r.pk: i for i, r in enumerate(resources)}
    cells = [[None] * len(resources) for _ in times]
    for a in booked:
        col = column.get(a.resource_id)
        if col is None:
            continue
        rows = [i for i, t in enumerate(times) if t < a.local_end() and t + step > a.local_start()]
        if not rows or cells[rows[0]][col] is not None:
            continue  # an overlapping booking on the same chair: listed below the grid, not drawn twice
        cells[rows[0]][col] = {"appointment": a, "rows": len(rows)}
        for i in rows[1:]:
            cells[i][col] = "covered"
    return cells
