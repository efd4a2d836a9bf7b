"""Two app servers, one database: two real ``ketamine-clinic worker`` processes drain one queue of
reminder tasks (each queued twice) and every reminder is delivered exactly once.

django-tasks-db hands a task to one worker (``SELECT … FOR UPDATE SKIP LOCKED``); a task that is
queued twice, or run by both, still sends once: the reminder's unique claim row
(``Reminder``: appointment, channel, kind) is created before sending. PostgreSQL only: SQLite
serializes writers and its test database lives in this process's memory."""

import datetime as dt
import email
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans.models import Reminder
from ketamine_clinic.plans.services import reminders
from ketamine_clinic.plans.tasks import send_appointment_reminder

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="two worker processes need a shared server database (run on PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]

PATIENTS = 8
WORKERS = 2
BOUND_S = 180  # two processes start Django and drain the queue; a hang fails, slowness does not


def weekday_ahead(days=3):
    day = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def database_url() -> str:
    s = connection.settings_dict  # the test database, already committed to (transaction=True)
    return f"postgres://{quote(s['USER'] or '')}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run_workers(outbox: Path) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "DATABASE_URL": database_url(), "KETAMINE_CLINIC_TESTING": "1",
           "OUTBOX_DIR": str(outbox), "SMS_FILE_PATH": str(outbox / "sms.jsonl"),
           "EMAIL_BACKEND": "ketamine_clinic.core.outbox.PrivateFileEmailBackend"}
    cmd = [sys.executable, "-m", "ketamine_clinic.cli", "worker", "--batch", "--interval", "0.1"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(WORKERS)]
    done = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=BOUND_S)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise AssertionError(f"a worker did not finish within {BOUND_S} s")
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def delivered(outbox: Path) -> tuple[Counter, Counter]:
    """(emails per subject, texts per body) found in the outbox the workers wrote."""
    subjects = Counter()
    for path in (outbox / "email").glob("*"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                subjects[email.message_from_string(chunk.strip())["Subject"]] += 1
    sms_path = outbox / "sms.jsonl"
    texts = Counter(json.loads(line)["body"] for line in sms_path.read_text().splitlines()) if sms_path.exists() else Counter()
    return subjects, texts


def test_two_workers_deliver_each_reminder_exactly_once(front_desk, clinic, tmp_path):
    chair = str(clinic.resources.get(name="Chair 1").public_id)
    day = weekday_ahead()
    appointments = []
    for i in range(PATIENTS):
        patient = PatientFactory(registered_by=front_desk, family_name=f"Worker{i}", date_of_birth=f"19{60 + i}-01-01")
        appointments.append(scheduling.book_appointment(ctx_for(front_desk), patient, {
            "location": str(clinic.public_id), "start": f"{day.isoformat()}T{9 + i:02d}:00", "kind": "dosing",
            "resource": chair}))
    # booking queued a confirmation per channel (on commit); queue every one a second time
    for appt in appointments:
        for channel in ("email", "sms"):
            send_appointment_reminder.enqueue(str(appt.public_id), channel, reminders.reminder_kind(reminders.BOOKED, appt))

    finished = run_workers(tmp_path / "outbox")

    assert [p.returncode for p in finished] == [0] * WORKERS, [p.stderr[-2000:] for p in finished]
    claims = Reminder.objects.filter(appointment__in=appointments)
    assert claims.count() == 2 * PATIENTS and set(claims.values_list("status", flat=True)) == {Reminder.Status.SENT}
    subjects, texts = delivered(tmp_path / "outbox")
    assert len(subjects) == PATIENTS and set(subjects.values()) == {1}, subjects
    assert len(texts) == PATIENTS and set(texts.values()) == {1}, texts
    ran = DBTaskResult.objects.successful().filter(task_path__endswith="send_appointment_reminder")
    assert not DBTaskResult.objects.failed().exists()
    assert ran.count() == 4 * PATIENTS  # every queued task ran once: half of them found the claim taken
    workers_seen = {w for ids in ran.values_list("worker_ids", flat=True) for w in ids}
    print(f"tasks run by {len(workers_seen)} of {WORKERS} workers")  # both, unless one drained the queue first
    assert sorted(ran.values_list("return_value", flat=True)) == sorted(["sent"] * 2 * PATIENTS + ["skipped: already sent"] * 2 * PATIENTS)
