"""The console command, run as a user would: in a subprocess, on its own SQLite database."""

import os
import sqlite3
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "ketamine_clinic.cli"]


def run(args, home, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KETAMINE_CLINIC_TESTING", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    full_env.update(env)
    full_env["KETAMINE_CLINIC_HOME"] = str(home)
    return subprocess.run(CLI + args, capture_output=True, text=True, env=full_env, timeout=300)


def demo_env(home):
    return {"KETAMINE_CLINIC_DEMO": "1", "SECRET_KEY": (home / "secret_key").read_text(), "DATABASE_URL": f"sqlite:///{home / 'clinic.sqlite3'}"}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    first = run(["demo", "--no-serve"], home)
    assert first.returncode == 0, first.stderr
    assert "seeded" in first.stdout and "prescriber" in first.stdout and "outsider" in first.stdout
    return home


def counts(home):
    db = sqlite3.connect(home / "clinic.sqlite3")
    try:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("accounts_organization", "accounts_user", "patients_patient", "accounts_location")
        }
    finally:
        db.close()


def test_demo_seeds_two_clinics_with_every_role(demo_home):
    c = counts(demo_home)
    assert c["accounts_organization"] == 2 and c["accounts_location"] == 3
    assert c["patients_patient"] == 45  # 40 at the main clinic, 5 at the second
    db = sqlite3.connect(demo_home / "clinic.sqlite3")
    names = {r[0] for r in db.execute("SELECT username FROM accounts_user")}
    assert {"admin", "prescriber", "nurse", "therapist", "frontdesk", "patient", "outsider"} <= names


def test_running_demo_twice_does_not_duplicate_the_seed(demo_home):
    before = counts(demo_home)
    again = run(["demo", "--no-serve"], demo_home)
    assert again.returncode == 0 and "already seeded" in again.stdout
    assert counts(demo_home) == before


def test_audit_verify_exits_zero_when_intact_and_names_the_altered_event(demo_home, tmp_path):
    ok = run(["audit", "verify"], demo_home, **demo_env(demo_home))
    assert ok.returncode == 0 and "intact" in ok.stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "secret_key").write_text((demo_home / "secret_key").read_text())
    db_bytes = (demo_home / "clinic.sqlite3").read_bytes()
    (broken / "clinic.sqlite3").write_bytes(db_bytes)
    for suffix in ("-wal", "-shm"):
        src = demo_home / f"clinic.sqlite3{suffix}"
        if src.exists():
            (broken / f"clinic.sqlite3{suffix}").write_bytes(src.read_bytes())
    db = sqlite3.connect(broken / "clinic.sqlite3")
    db.execute("DROP TRIGGER audit_event_append_only")  # an attacker with the file can do this too
    db.execute("UPDATE audit_auditevent SET actor_username = 'mallory' WHERE seq = 7")
    db.commit()
    db.close()
    bad = run(["audit", "verify"], broken, **demo_env(broken))
    assert bad.returncode == 1 and "event 7" in bad.stderr


def test_token_create_prints_a_token_that_authenticates(demo_home):
    out = run(["token", "create", "nurse"], demo_home, **demo_env(demo_home))
    assert out.returncode == 0
    token = out.stdout.strip()
    assert token.startswith("kc_") and len(token) > 30
    missing = run(["token", "create", "nobody"], demo_home, **demo_env(demo_home))
    assert missing.returncode == 2 and "no active user" in missing.stderr


def test_manage_passes_through_to_django(demo_home):
    out = run(["manage", "showmigrations", "patients"], demo_home, **demo_env(demo_home))
    assert out.returncode == 0 and "[X] 0001_initial" in out.stdout


def test_server_refuses_to_start_without_a_secret_key(tmp_path):
    out = run(["manage", "check"], tmp_path)
    assert out.returncode != 0 and "SECRET_KEY is not set" in out.stderr
