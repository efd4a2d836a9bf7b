"""``ketamine-clinic backup`` / ``restore`` on the suite's own database: the restored copy holds the
same records and its audit chain verifies. PostgreSQL restores into a scratch database made and
dropped here; SQLite restores into a scratch file."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from ketamine_clinic.audit.models import AuditEvent, AuditSeal
from ketamine_clinic.audit.services import seal_pending
from ketamine_clinic.backup import backup
from ketamine_clinic.patients.models import Patient


def restore_in_subprocess(file, database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KETAMINE_CLINIC_HOME", "AUDIT_KEY_FILE")}
    # the key that sealed the chain in this process, whatever the invoking shell exported
    env.update(DATABASE_URL=database_url, KETAMINE_CLINIC_TESTING="1", AUDIT_KEY=settings.AUDIT_KEY)
    return subprocess.run([sys.executable, "-m", "ketamine_clinic.cli", "restore", str(file)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def scratch_url(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    base = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    scratch = f"{db['NAME']}_restore_scratch"[:63]  # per test database: parallel runs never share it
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        yield base + "/" + scratch
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def scratch_counts(url):
    tables = ("patients_patient", "audit_auditevent", "audit_auditseal")
    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        return tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables)
    import psycopg

    with psycopg.connect(url) as db:
        return tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables)


@pytest.mark.django_db(transaction=True)  # pg_dump sees only committed rows
def test_backup_then_restore_into_a_scratch_database_keeps_every_record_and_the_chain(patient, outsider_patient, tmp_path, scratch_url):
    url = scratch_url
    seal_pending()
    file = tmp_path / "clinic.backup"
    backup(file)
    result = restore_in_subprocess(file, url)
    assert result.returncode == 0 and "audit chain intact" in result.stdout, result.stderr
    assert scratch_counts(url) == (Patient.objects.count(), AuditEvent.objects.count(), AuditSeal.objects.count())
    assert Patient.objects.count() == 2 and AuditSeal.objects.count() == AuditEvent.objects.count() > 0


def test_restore_refuses_a_file_of_the_wrong_kind(tmp_path, scratch_url):
    url = scratch_url
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"neither a dump nor a database")
    result = restore_in_subprocess(junk, url)
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
