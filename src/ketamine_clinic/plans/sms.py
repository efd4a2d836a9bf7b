"""Sending text messages: a small interface, ready for a real provider.

Choose the backend with the setting or environment variable ``SMS_BACKEND`` (a dotted path);
the default writes to the file at ``SMS_FILE_PATH`` (setting or environment; outside the tests it
defaults to ``OUTBOX_DIR/sms.jsonl``, readable only by the clinic's account), else to the console
(the tests only). A provider backend implements ``send(to, body)`` and raises on failure.
"""

from __future__ import annotations

import json
import os
import sys
import threading

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ketamine_clinic.core.outbox import open_private


class SmsError(Exception):
    pass


class BaseSmsBackend:
    def send(self, to: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each message (for development)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to: str, body: str) -> None:
        self.stream.write(f"SMS to {to}:\n{body}\n{'-' * 40}\n")
        self.stream.flush()


_file_lock = threading.Lock()


class FileSmsBackend(BaseSmsBackend):
    """Appends one JSON line per message: {"to", "body", "sent_at"}."""

    def __init__(self, path: str | None = None):
        self.path = path or sms_file_path()
        if not self.path:
            raise SmsError("Set SMS_FILE_PATH to use the file SMS backend.")

    def send(self, to: str, body: str) -> None:
        line = json.dumps({"to": to, "body": body, "sent_at": timezone.now().isoformat()}, ensure_ascii=False)
        with _file_lock, open_private(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def sms_file_path() -> str | None:
    return getattr(settings, "SMS_FILE_PATH", None) or os.environ.get("SMS_FILE_PATH") or None


def get_backend() -> BaseSmsBackend:
    path = getattr(settings, "SMS_BACKEND", None) or os.environ.get("SMS_BACKEND")
    if path:
        return import_string(path)()
    return FileSmsBackend() if sms_file_path() else ConsoleSmsBackend()


def send_sms(to: str, body: str) -> None:
    get_backend().send(to, body)
