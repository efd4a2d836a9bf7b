"""Reminders by email and SMS as background tasks, never sent twice; the patient's ICS feed."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.plans import scheduling, sms
from ketamine_clinic.plans.services import reminders
from ketamine_clinic.plans.models import Reminder
from ketamine_clinic.plans.tasks import send_appointment_reminder

from tests.support.people import ctx_for


# The worker closes connections that are inside a transaction, as a real worker would: the tests
# that run it commit for real (transaction=True), so they hold on SQLite and PostgreSQL alike.
worker_db = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True)


@pytest.fixture
def sms_file(settings, tmp_path):
    path = tmp_path / "sms.jsonl"
    settings.SMS_FILE_PATH = str(path)
    return path


def sms_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def soon(days=3, hour=10):
    """A weekday start a few days ahead, in the location's local time (naive)."""
    day = timezone.now().astimezone(dt.timezone.utc).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00"


@pytest.fixture
def booked(front_desk, patient, clinic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return scheduling.book_appointment(ctx_for(front_desk), patient, {
            "location": str(clinic.public_id), "start": soon(), "kind": "dosing",
            "resource": str(clinic.resources.get(name="Chair 1").public_id)})


@worker_db
def test_booking_queues_reminders_and_a_task_run_twice_sends_each_once(booked, sms_file):
    run_worker()
    run_worker()
    assert len(mail.outbox) == 1 and len(sms_lines(sms_file)) == 1
    email = mail.outbox[0]
    assert email.to == ["jordan@example.org"] and "Test Clinic" in email.subject
    assert "Main" in email.body and booked.local_start().strftime("%H:%M") in email.body
    line = sms_lines(sms_file)[0]
    assert line["to"] == "(555) 123-4567" and "Test Clinic" in line["body"]
    kinds = set(Reminder.objects.values_list("channel", "kind"))
    assert {c for c, _ in kinds} == {"email", "sms"} and all(k.startswith("booked@") for _, k in kinds)
    # the day-before reminders wait for their time
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(status="READY").count() == 2


@worker_db
def test_the_same_reminder_enqueued_twice_is_sent_once(booked, sms_file):
    kind = reminders.reminder_kind(reminders.DAY_BEFORE, booked)
    for _ in range(2):
        send_appointment_reminder.enqueue(str(booked.public_id), "email", kind)
        send_appointment_reminder.enqueue(str(booked.public_id), "sms", kind)
    run_worker()
    run_worker()
    day_before = [m for m in mail.outbox if "Reminder of your appointment" in m.body]
    assert len(day_before) == 1
    assert sum("Reminder of your appointment" in x["body"] for x in sms_lines(sms_file)) == 1
    assert Reminder.objects.filter(kind=kind, status="sent").count() == 2


def test_a_moved_or_cancelled_appointment_gets_no_stale_reminder(booked, front_desk, sms_file):
    old_kind = reminders.reminder_kind(reminders.DAY_BEFORE, booked)
    moved = scheduling.reschedule_appointment(ctx_for(front_desk), booked, {"start": soon(4, 11), "reason": "Asked", "version": booked.version})
    assert reminders.send_reminder(str(moved.public_id), "email", old_kind) == "skipped: the appointment was moved"
    scheduling.cancel_appointment(ctx_for(front_desk), moved, "Unwell")
    new_kind = reminders.reminder_kind(reminders.DAY_BEFORE, moved)
    assert reminders.send_reminder(str(moved.public_id), "email", new_kind) == "skipped: appointment is cancelled"
    assert Reminder.objects.count() == 0


def test_a_failed_send_is_recorded_and_never_retried(booked, settings):
    settings.SMS_BACKEND = "tests.plans.test_reminders.BrokenSms"
    kind = reminders.reminder_kind(reminders.BOOKED, booked)
    assert reminders.send_reminder(str(booked.public_id), "sms", kind) == "failed"
    assert reminders.send_reminder(str(booked.public_id), "sms", kind) == "skipped: already sent"
    assert Reminder.objects.get(channel="sms").status == "failed"
    failed = AuditEvent.objects.get(action="reminder.failed")
    assert failed.patient_id == str(booked.patient.public_id) and failed.detail["channel"] == "sms"
    assert failed.actor is None  # sent by the system


def test_a_sent_reminder_is_audited_with_its_channel_and_patient(booked, sms_file):
    kind = reminders.reminder_kind(reminders.BOOKED, booked)
    assert reminders.send_reminder(str(booked.public_id), "email", kind) == "sent"
    event = AuditEvent.objects.get(action="reminder.sent")
    assert event.detail == {"appointment": str(booked.public_id), "channel": "email", "kind": kind}
    assert event.patient_id == str(booked.patient.public_id) and event.organization_id == booked.organization_id
    assert reminders.send_reminder(str(booked.public_id), "email", kind) == "skipped: already sent"
    assert AuditEvent.objects.filter(action="reminder.sent").count() == 1


class BrokenSms(sms.BaseSmsBackend):
    def send(self, to, body):
        raise sms.SmsError("provider down")


@worker_db
def test_instructions_follow_the_route(prescriber, nurse, patient, clinic, ready, draft, sms_file, django_capture_on_commit_callbacks):
    from ketamine_clinic.plans import services

    ready("esketamine_nasal")
    start = dt.date.fromisoformat(soon(2)[:10])
    plan = services.create_plan(ctx_for(nurse), patient, {
        "protocol": "esketamine-trd", "location": str(clinic.public_id), "start_date": start.isoformat(),
        "preferred_time": "09:00"})
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_plan(ctx_for(prescriber), plan)
    run_worker()
    first = min(mail.outbox, key=lambda m: m.subject)
    assert "Do not eat for 2 hours before your treatment." in mail.outbox[0].body
    assert "Do not drive or operate machinery until the next day" in first.body
    assert any("Do not drink any liquids for 30 minutes" in x["body"] for x in sms_lines(sms_file))


def test_file_and_console_sms_backends(tmp_path, settings, capsys):
    settings.SMS_FILE_PATH = None
    assert isinstance(sms.get_backend(), sms.ConsoleSmsBackend)
    sms.send_sms("+15551234567", "Hello")
    assert "SMS to +15551234567" in capsys.readouterr().out
    settings.SMS_FILE_PATH = str(tmp_path / "out.jsonl")
    sms.send_sms("+15551234567", "Line one\nline two")
    assert sms_lines(tmp_path / "out.jsonl")[0]["body"] == "Line one\nline two"


# --- ICS ----------------------------------------------------------------------------------------
def test_the_calendar_feed_needs_no_login_shows_only_upcoming_and_can_be_revoked(booked, front_desk, client, patient,
                                                                                  outsider_patient, outsider):
    feed, raw = reminders.create_feed(ctx_for(front_desk), patient)
    assert feed.token_sha256 != raw and raw not in feed.token_sha256
    response = client.get(f"/plans/calendar/{raw}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 1 and f"UID:{booked.public_id}@ketamine-clinic" in body
    assert "SUMMARY:Appointment at Test Clinic" in body and "LOCATION:Main\\, Albany\\, NY" in body
    assert "Avery" not in body and "MRN" not in body and "1984" not in body  # no PHI beyond the visit
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    start_utc = booked.start_at.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start_utc}" in body

    _, raw2 = reminders.create_feed(ctx_for(front_desk), patient)  # a new link revokes the old one
    assert client.get(f"/plans/calendar/{raw}.ics").status_code == 404
    assert client.get(f"/plans/calendar/{raw2}.ics").status_code == 200
    fetches = AuditEvent.objects.filter(action="calendar_feed.fetch", patient_id=str(patient.public_id))
    assert fetches.count() == 2 and fetches.first().source_ip == "127.0.0.1"  # each disclosure is audited
    reminders.revoke_feed(ctx_for(front_desk), patient)
    assert client.get(f"/plans/calendar/{raw2}.ics").status_code == 404
    assert client.get("/plans/calendar/cal_guess.ics").status_code == 404


def test_the_feed_lists_only_that_patients_appointments(booked, front_desk, outsider, outsider_patient):
    _, raw = reminders.create_feed(ctx_for(outsider), outsider_patient)
    body = reminders.feed_ics(reminders.feed_for_token(raw))
    assert "BEGIN:VEVENT" not in body
    with pytest.raises(NotFound):
        reminders.feed_for_token("cal_" + "x" * 43)


def test_ics_folding_and_escaping():
    from ketamine_clinic.plans import ics

    line = "DESCRIPTION:" + ics.escape_text("Ünïcode; commas, backslash \\ and\nnew lines " * 4)
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts) and all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert "\\;" in line and "\\," in line and "\\n" in line and "\\\\" in line
