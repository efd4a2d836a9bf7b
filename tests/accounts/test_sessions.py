"""``accounts.sessions``: Django's database sessions with a prepared read. A live session loads, an
expired or unknown one does not (and a new key is made), and a signed-in page costs one session read."""

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketamine_clinic.accounts.sessions import SessionStore


def test_the_project_uses_it():
    assert settings.SESSION_ENGINE == "ketamine_clinic.accounts.sessions"


def test_a_live_session_loads_and_an_expired_or_unknown_one_does_not(db):
    store = SessionStore()
    store["kc_last_activity"] = 1234.5
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"kc_last_activity": 1234.5}

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None  # as Django's own store: a fresh session
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_a_signed_in_page_reads_its_session_once(client, nurse):
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    assert sum('"django_session"' in q["sql"] and q["sql"].lstrip().startswith("SELECT") for q in queries.captured_queries) == 1
    assert client.get("/patients/").status_code == 200  # the session still signs the nurse in
