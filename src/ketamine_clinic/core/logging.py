"""Keep PHI and secrets out of every log line.

- Query strings (a searched name is PHI) are dropped.
- Secrets that travel in the path are redacted: the calendar-feed token, the one-time
  questionnaire-link token and the password-reset key. Used by Django's log handlers and by the
  gunicorn access log (``ketamine-clinic serve``).
"""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")
REDACTED = "[redacted]"
# (path prefix kept, secret segment); the secret runs to the next "/", ".ics", space, quote or "?".
_SECRET_PATHS = re.compile(
    r"(?P<keep>/plans/calendar/|/assessments/link/|/accounts/password/reset/key/)(?P<secret>[^/\s\"'?]+?)(?=\.ics|/|\s|\"|'|\?|$)"
)


def redact(text: str) -> str:
    """``text`` without query strings and without the secrets carried in paths."""
    if "?" in text:
        text = _QUERY.sub("?…", text)
    return _SECRET_PATHS.sub(lambda m: m.group("keep") + REDACTED, text)


class StripQueryStringFilter(logging.Filter):
    """Redact query strings and path secrets from every log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only needed by `ketamine-clinic serve`
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """Gunicorn's logger with the request path and line passed through ``redact``."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key in ("U", "r"):
                if key in atoms and isinstance(atoms[key], str):
                    atoms[key] = redact(atoms[key])
            atoms["q"] = ""
            return atoms
