"""No PHI or secrets in logs: messages go to a private outbox, never the console, and path
secrets (calendar feed, questionnaire link, password reset) are redacted from log lines."""

import logging
import stat

import pytest
from django.core.mail import EmailMessage

from ketamine_clinic.core.logging import StripQueryStringFilter, redact
from ketamine_clinic.core.outbox import PrivateFileEmailBackend
from ketamine_clinic.plans import sms

SECRET_PATHS = [
    "/plans/calendar/cal_s3cr3tTOKEN-abc_123.ics",
    "/assessments/link/s3cr3tTOKEN-abc_123/",
    "/accounts/password/reset/key/1b-s3cr3tTOKEN-abc_123/",
]


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_path_secrets_are_redacted_from_django_log_lines(path):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None)
    StripQueryStringFilter().filter(record)
    assert "s3cr3tTOKEN" not in record.getMessage() and "[redacted]" in record.getMessage()


def test_ordinary_paths_are_left_alone():
    assert redact('"GET /patients/5b7a1c4e-0000-4000-8000-000000000000/ HTTP/1.1"') == \
        '"GET /patients/5b7a1c4e-0000-4000-8000-000000000000/ HTTP/1.1"'


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_gunicorn_access_log_redacts_path_secrets(path):
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config

    from ketamine_clinic.core.logging import RedactingGunicornLogger

    cfg = Config()
    cfg.set("accesslog", None)
    logger = RedactingGunicornLogger(cfg)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "q=Avery", "RAW_URI": path + "?q=Avery",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    req = SimpleNamespace(headers=[], uri=path + "?q=Avery", method="GET", path=path, query="q=Avery", version=(1, 1))
    resp = SimpleNamespace(status="200 OK", headers=[], response_length=10, sent=10)
    atoms = logger.atoms(resp, req, environ, dt.timedelta(seconds=0.01))
    line = str(atoms["U"]) + str(atoms["r"]) + str(atoms["q"])
    assert "s3cr3tTOKEN" not in line and "Avery" not in line


def test_the_default_backends_outside_tests_write_a_private_outbox_not_the_console():
    import subprocess
    import sys

    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ketamine_clinic.settings'; django.setup();"
            "from django.conf import settings as s; from ketamine_clinic.plans import sms;"
            "print(s.EMAIL_BACKEND); print(type(sms.get_backend()).__name__)")
    env = {"SECRET_KEY": "x", "AUDIT_KEY": "y", "DATABASE_URL": "sqlite:////tmp/kc-never-created.sqlite3", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["ketamine_clinic.core.outbox.PrivateFileEmailBackend", "FileSmsBackend"], out.stderr


def test_email_outbox_files_are_readable_by_the_owner_only(tmp_path, capsys):
    outbox = tmp_path / "outbox" / "email"
    backend = PrivateFileEmailBackend(file_path=str(outbox))
    backend.send_messages([EmailMessage("Reminder", "Jordan Avery, Tuesday 10:00", "c@x", ["jordan@example.org"])])
    files = list(outbox.iterdir())
    assert len(files) == 1 and "Jordan Avery" in files[0].read_text()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600 and stat.S_IMODE(outbox.stat().st_mode) == 0o700
    assert "Jordan" not in capsys.readouterr().out


def test_sms_outbox_file_is_readable_by_the_owner_only(tmp_path, settings, capsys):
    path = tmp_path / "sms.jsonl"
    path.write_text("")
    path.chmod(0o644)  # an older, looser file is tightened on the next message
    settings.SMS_FILE_PATH = str(path)
    sms.send_sms("+15551234567", "Jordan, see you Tuesday 10:00")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "Tuesday" in path.read_text()
    assert "Tuesday" not in capsys.readouterr().out


@pytest.mark.parametrize("logger_name", ["django.server", "django.request", ""])
def test_every_request_logger_writes_through_the_redacting_filter(logger_name):
    ours = [h for h in logging.getLogger(logger_name).handlers if type(h) is logging.StreamHandler]  # not pytest's
    assert ours and all(any(isinstance(f, StripQueryStringFilter) for f in h.filters) for h in ours)
