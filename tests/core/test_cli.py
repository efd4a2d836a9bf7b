"""The console command, run as a user would: in a subprocess, on its own SQLite database."""

import os
import sqlite3
import subprocess
import sys
from argparse import Namespace
from unittest import mock

import pytest

from ketamine_clinic.cli import _use_data_dir

CLI = [sys.executable, "-m", "ketamine_clinic.cli"]


# What configures a deployment: the CLI under test gets only what each test passes
DEPLOYMENT_VARIABLES = ("DATABASE_URL", "KETAMINE_CLINIC_TESTING", "KETAMINE_CLINIC_DEMO", "SECRET_KEY", "AUDIT_KEY",
                        "AUDIT_KEY_FILE", "AUDIT_CHECKPOINT_DIR", "STATIC_ROOT", "DJANGO_SETTINGS_MODULE")


def run(args, home, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    full_env.update(env)
    full_env["KETAMINE_CLINIC_HOME"] = str(home)
    return subprocess.run(CLI + args, capture_output=True, text=True, env=full_env, timeout=300)


def copy_demo(home, target):
    """A copy of a demo's data directory (database with its WAL, keys, checkpoints)."""
    import shutil

    shutil.copytree(home, target)
    return target


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    first = run(["demo", "--no-serve"], home)
    assert first.returncode == 0, first.stderr
    assert "seeded" in first.stdout and "prescriber" in first.stdout and "outsider" in first.stdout
    assert "Warning" not in first.stderr, first.stderr  # e.g. whitenoise's "No directory at …/staticfiles/"
    return home


def test_demo_keeps_its_keys_private_and_its_static_files_in_the_data_dir(demo_home):
    for key in ("secret_key", "audit_key"):
        assert (demo_home / key).stat().st_mode & 0o777 == 0o600
    assert (demo_home / "static" / "css" / "app.css").is_file()


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


def test_audit_verify_exits_zero_when_intact_and_lists_every_altered_event(demo_home, tmp_path):
    ok = run(["audit", "verify"], demo_home)  # KETAMINE_CLINIC_HOME alone finds the database and keys
    assert ok.returncode == 0 and "audit chain intact" in ok.stdout and "checkpoints" in ok.stdout, ok.stderr
    broken = copy_demo(demo_home, tmp_path / "broken")
    db = sqlite3.connect(broken / "clinic.sqlite3")
    for trigger in ("audit_event_no_update", "audit_event_no_delete"):
        db.execute(f"DROP TRIGGER {trigger}")  # an attacker with the file can do this too
    db.execute("UPDATE audit_auditevent SET actor_username = 'mallory' WHERE id IN (7, 9)")
    db.commit()
    db.close()
    bad = run(["audit", "verify", "--data-dir", str(broken)], tmp_path)
    assert bad.returncode == 1
    assert "event #7 " in bad.stderr and "event #9 " in bad.stderr and "2 problems" in bad.stderr


def test_commands_find_the_demo_from_the_data_dir_option_alone(demo_home, tmp_path):
    token = run(["token", "create", "frontdesk", "--data-dir", str(demo_home)], tmp_path / "elsewhere")
    assert token.returncode == 0 and token.stdout.strip().startswith("kc_"), token.stderr
    manage = run(["manage", "--data-dir", str(demo_home), "showmigrations", "audit"], tmp_path / "elsewhere")
    assert manage.returncode == 0 and "[X] 0003_audit_cli_sealed_chain" in manage.stdout, manage.stderr
    empty = run(["audit", "verify", "--data-dir", str(tmp_path)], tmp_path)
    assert empty.returncode != 0 and "holds no demo" in empty.stderr


def test_token_create_prints_a_token_that_authenticates(demo_home):
    out = run(["token", "create", "nurse"], demo_home)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip()
    assert token.startswith("kc_") and len(token) > 30
    missing = run(["token", "create", "nobody"], demo_home)
    assert missing.returncode == 2 and "no active user" in missing.stderr


def test_manage_passes_through_to_django(demo_home):
    out = run(["manage", "showmigrations", "patients"], demo_home)
    assert out.returncode == 0 and "[X] 0001_initial" in out.stdout


def test_sqlite_backup_and_restore_round_trip_with_the_chain_verified(demo_home, tmp_path):
    backup = tmp_path / "clinic.backup"
    out = run(["backup", str(backup)], demo_home)
    assert out.returncode == 0 and backup.stat().st_size > 0, out.stderr
    again = run(["backup", str(backup)], demo_home)
    assert again.returncode == 2 and "already exists" in again.stderr
    target = copy_demo(demo_home, tmp_path / "restored")
    run(["token", "create", "nurse"], target)  # a change after the backup, which the restore undoes
    restored = run(["restore", str(backup)], target)
    assert restored.returncode == 0 and "audit chain intact" in restored.stdout, restored.stderr
    assert counts(target) == counts(demo_home)
    events = "SELECT COUNT(*), MAX(id) FROM audit_auditevent"
    assert sqlite3.connect(target / "clinic.sqlite3").execute(events).fetchone() == sqlite3.connect(backup).execute(events).fetchone()


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(demo_home, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    before = counts(demo_home)
    out = run(["restore", str(junk)], demo_home)
    assert out.returncode == 2 and "not a SQLite database" in out.stderr and "Traceback" not in out.stderr
    missing = run(["restore", str(tmp_path / "nope")], demo_home)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert counts(demo_home) == before


def test_server_refuses_to_start_without_a_secret_key(tmp_path):
    out = run(["manage", "check"], tmp_path)
    assert out.returncode != 0 and "SECRET_KEY is not set" in out.stderr


def test_server_refuses_to_start_without_an_audit_key(tmp_path):
    out = run(["manage", "check"], tmp_path, SECRET_KEY="a-secret", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert out.returncode != 0 and "AUDIT_KEY is not set" in out.stderr


def test_new_events_wait_for_the_sealer_and_audit_seal_links_them(demo_home, tmp_path):
    home = copy_demo(demo_home, tmp_path / "home")
    assert run(["token", "create", "nurse"], home).returncode == 0  # writes an audit event
    pending = run(["audit", "verify"], home)
    assert pending.returncode == 0 and "events are not sealed yet" in pending.stdout
    sealed = run(["audit", "seal"], home)
    assert sealed.returncode == 0 and sealed.stdout.startswith("sealed ") and "sealed 0 " not in sealed.stdout
    after = run(["audit", "verify"], home)
    assert after.returncode == 0 and "not sealed yet" not in after.stdout and "checkpoints" in after.stdout


def test_a_test_process_never_takes_up_a_demo_found_in_the_home_directory(demo_home):
    """A demo in the default home must not export its keys into a test process: every subprocess
    the tests start would inherit them (the restore test would check the chain with the wrong key)."""
    # patch.dict puts the whole environment back afterwards, including what the CLI adds to it
    with mock.patch.dict(os.environ, KETAMINE_CLINIC_HOME=str(demo_home), KETAMINE_CLINIC_TESTING="1"):
        for name in (*DEPLOYMENT_VARIABLES, "ALLOWED_HOSTS"):
            if name != "KETAMINE_CLINIC_TESTING":
                os.environ.pop(name, None)
        _use_data_dir(Namespace(), auto=True)
        assert "AUDIT_KEY" not in os.environ and "KETAMINE_CLINIC_DEMO" not in os.environ
        os.environ["KETAMINE_CLINIC_TESTING"] = "0"  # a shell with no deployment does take up the demo
        _use_data_dir(Namespace(), auto=True)
        assert os.environ["AUDIT_KEY"] == (demo_home / "audit_key").read_text().strip()
    assert os.environ.get("AUDIT_KEY") != (demo_home / "audit_key").read_text().strip()
