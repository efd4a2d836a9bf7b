"""Django's database sessions, with the one read every signed-in request makes (its session row)
compiled once per process (``core.prepared``) instead of built and compiled on each request.
Everything else (saving, expiry, cycling the key at sign-in, sign-out) is Django's own.

Settings: ``SESSION_ENGINE = "ketamine_clinic.accounts.sessions"``."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from ketamine_clinic.core.prepared import Prepared

_LIVE_SESSION = Prepared(lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)[:1])


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _LIVE_SESSION(self.session_key, timezone.now()).fetch()
        if found:
            return found[0]
        self._session_key = None  # unknown or expired: a new session, as Django's own store does
        return None
