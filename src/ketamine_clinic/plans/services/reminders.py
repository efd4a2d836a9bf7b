"""Appointment reminders (email and SMS) with the route's visit instructions, and the patient's
iCalendar feed at a secret, revocable URL.

The background task that sends a reminder is defined here, next to ``queue_reminders``, so this
module imports nothing that imports it (the booking services queue reminders through it).

A reminder is sent at most once: the task first claims a unique (appointment, channel, kind) row
in its own transaction and sends only when the claim is new. The kind carries the appointment's
start time, so a moved appointment gets a reminder for its new time and never two for the same.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.core.errors import NotFound

from .. import ics, sms
from ..models import Appointment, AppointmentKind, AppointmentStatus, CalendarFeed, Reminder
from ..policy import instruction_hours, plans_policy

log = logging.getLogger(__name__)

BOOKED, DAY_BEFORE = "booked", "day_before"


def reminder_kind(base: str, appt: Appointment) -> str:
    return f"{base}@{appt.start_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"


def channels_for(appt: Appointment) -> list[str]:
    out = []
    if appt.patient.email:
        out.append(Reminder.Channel.EMAIL)
    if appt.patient.phone:
        out.append(Reminder.Channel.SMS)
    return out


def instructions_for(appt: Appointment) -> list[cp.Instruction]:
    if appt.kind != AppointmentKind.DOSING or appt.plan is None:
        return []
    return cp.pre_visit_instructions(appt.plan.route, hours=instruction_hours(appt.organization))


def _where(appt: Appointment) -> str:
    loc = appt.location
    address = ", ".join(p for p in (loc.address_line, loc.city, loc.region, loc.postal_code) if p)
    return f"{loc.name}, {address}" if address else loc.name


def message_for(appt: Appointment, kind: str) -> tuple[str, str, str]:
    """(subject, email body, sms body): clinic, place, local time and instructions only."""
    clinic = appt.organization.name
    when = appt.local_start()
    when_text = f"{when:%A %B} {when.day}, {when:%Y at %H:%M} ({appt.location.time_zone})"
    lead = "Your appointment is booked" if kind.startswith(BOOKED) else "Reminder of your appointment"
    subject = f"{clinic}: appointment {when:%a %b} {when.day} at {when:%H:%M}"
    instructions = instructions_for(appt)
    lines = [f"{lead} at {clinic}.", "", f"When: {when_text}", f"Where: {_where(appt)}"]
    if appt.location.phone:
        lines.append(f"To change it, call {appt.location.phone}.")
    if instructions:
        lines += ["", "Before and after your visit:"] + [f"- {i.text}" for i in instructions]
    body = "\n".join(lines)
    short = f"{lead} at {clinic}: {when:%a %b} {when.day} {when:%H:%M}, {appt.location.name}."
    before = [i.text for i in instructions if i.timing == cp.Timing.BEFORE_VISIT]
    if before:
        short += " " + " ".join(before)
    return subject, body, short


def send_reminder(appointment_id: str, channel: str, kind: str) -> str:
    """Send one reminder unless it was already claimed. Returns what happened (for the task result)."""
    appt = (Appointment.objects.filter(public_id=appointment_id)
            .select_related("patient", "location", "organization", "plan").first())
    if appt is None:
        return "skipped: no such appointment"
    if appt.status != AppointmentStatus.BOOKED:
        return f"skipped: appointment is {appt.status}"
    base = kind.split("@", 1)[0]
    if kind != reminder_kind(base, appt):
        return "skipped: the appointment was moved"
    if appt.start_at <= timezone.now():
        return "skipped: the appointment has started"
    to = appt.patient.email if channel == Reminder.Channel.EMAIL else appt.patient.phone
    if not to:
        return f"skipped: no {channel} address"
    try:
        with transaction.atomic():
            claim = Reminder.objects.create(appointment=appt, channel=channel, kind=kind)
    except IntegrityError:
        return "skipped: already sent"
    subject, body, short = message_for(appt, kind)
    try:
        if channel == Reminder.Channel.EMAIL:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        else:
            sms.send_sms(to, short)
    except Exception as exc:  # the claim stays: never risk sending twice; the failure is visible
        log.warning("reminder %s via %s failed: %s", claim.pk, channel, type(exc).__name__)
        _settle(claim, appt, Action.REMINDER_FAILED, status=Reminder.Status.FAILED, error=type(exc).__name__[:300])
        return "failed"
    _settle(claim, appt, Action.REMINDER_SENT, status=Reminder.Status.SENT, sent_at=timezone.now())
    return "sent"


def _settle(claim: Reminder, appt: Appointment, action: Action, **fields) -> None:
    """Mark the claim sent or failed, with its audit event (sent by the system: no actor)."""
    with transaction.atomic():
        Reminder.objects.filter(pk=claim.pk).update(**fields)
        record(None, action, obj=claim, patient=appt.patient, organization=appt.organization,
               detail={"appointment": str(appt.public_id), "channel": claim.channel, "kind": claim.kind})


@task()
def send_appointment_reminder(appointment_id: str, channel: str, kind: str) -> str:
    """Send one appointment reminder; a second run finds the claim and sends nothing."""
    return send_reminder(appointment_id, channel, kind)


def queue_reminders(appointment_ids: list[str], now: dt.datetime | None = None) -> int:
    """Enqueue a confirmation now and a reminder before the start, per channel. Called on commit."""
    now = now or timezone.now()
    queued = 0
    for appt in Appointment.objects.filter(public_id__in=appointment_ids).select_related("patient", "location"):
        if appt.status != AppointmentStatus.BOOKED or appt.start_at <= now:
            continue
        lead = dt.timedelta(hours=plans_policy(appt.organization)["reminder_lead_hours"])
        for channel in channels_for(appt):
            send_appointment_reminder.enqueue(str(appt.public_id), channel, reminder_kind(BOOKED, appt))
            queued += 1
            if appt.start_at - lead > now:
                send_appointment_reminder.using(run_after=appt.start_at - lead).enqueue(
                    str(appt.public_id), channel, reminder_kind(DAY_BEFORE, appt))
                queued += 1
    return queued


# --- the iCalendar feed -------------------------------------------------------------------------
def active_feed(patient) -> CalendarFeed | None:
    return patient.calendar_feeds.filter(revoked_at__isnull=True).first()


def create_feed(ctx: Context, patient) -> tuple[CalendarFeed, str]:
    """A new secret feed URL for the patient (any earlier one is revoked). The raw token is returned once."""
    require(ctx.user, "schedule.manage")
    raw = CalendarFeed.new_raw_token()
    now = timezone.now()
    with transaction.atomic():
        patient.calendar_feeds.filter(revoked_at__isnull=True).update(revoked_at=now)
        feed = CalendarFeed.objects.create(patient=patient, prefix=raw[:10], token_sha256=CalendarFeed.digest(raw),
                                           created_by=ctx.user, created_at=now)
        record(ctx, Action.CALENDAR_FEED_CREATE, obj=feed, patient=patient, organization=patient.organization)
    return feed, raw


def revoke_feed(ctx: Context, patient) -> int:
    require(ctx.user, "schedule.manage")
    with transaction.atomic():
        n = patient.calendar_feeds.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(ctx, Action.CALENDAR_FEED_REVOKE, object_type="plans.calendarfeed", object_id=str(patient.public_id),
               patient=patient, organization=patient.organization, detail={"revoked": n})
    return n


def feed_for_token(raw: str) -> CalendarFeed:
    if not raw or not raw.startswith(CalendarFeed.TOKEN_PREFIX) or len(raw) > 100:
        raise NotFound("No such calendar.")
    feed = (CalendarFeed.objects.filter(token_sha256=CalendarFeed.digest(raw), revoked_at__isnull=True)
            .select_related("patient", "patient__organization").first())
    if feed is None:
        raise NotFound("No such calendar.")
    return feed


def feed_ics(feed: CalendarFeed, now: dt.datetime | None = None, ctx: Context | None = None) -> str:
    """The patient's upcoming appointments (cancelled ones as STATUS:CANCELLED so calendars drop them).
    Each fetch discloses the visits to whoever holds the link, so it is audited (with the caller's IP)."""
    now = now or timezone.now()
    patient = feed.patient
    clinic = patient.organization.name
    appts = (patient.appointments.filter(end_at__gte=now)
             .exclude(status=AppointmentStatus.NO_SHOW).select_related("location", "organization", "plan")
             .order_by("start_at"))
    events = []
    for a in appts:
        instructions = [i.text for i in instructions_for(a)]
        description = "\n".join(["Before and after your visit:"] + [f"- {t}" for t in instructions]) if instructions else ""
        if a.location.phone:
            description = (description + "\n\n" if description else "") + f"To change it, call {a.location.phone}."
        events.append({
            "uid": f"{a.public_id}@ketamine-clinic",
            "start": a.start_at, "end": a.end_at,
            "summary": f"Appointment at {clinic}",
            "location": _where(a),
            "description": description,
            "status": "CANCELLED" if a.status == AppointmentStatus.CANCELLED else "CONFIRMED",
            "sequence": a.version,
        })
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        record(ctx, Action.CALENDAR_FEED_FETCH, obj=feed, patient=patient, organization=patient.organization,
               detail={"events": len(events)})
    return ics.calendar(events, name=clinic, now=now)
