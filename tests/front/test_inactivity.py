"""The inactivity sign-out writes the last-seen time to the session at most once a minute, and still
signs an idle user out after the clinic's timeout (a moved clock, no sleeps)."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.front.middleware import LAST_SEEN_WRITE_INTERVAL_S, PASSIVE_HEADER

START = dt.datetime(2030, 3, 4, 14, 0, tzinfo=dt.UTC)


def session_writes(client, url: str = "/patients/", **headers) -> tuple[int, object]:
    """(number of writes of the session row, response) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and q["sql"].lstrip().startswith(("UPDATE", "INSERT"))]
    return len(writes), response


def test_two_requests_ten_seconds_apart_write_the_session_once(client_for, nurse):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(nurse)
        first, _ = session_writes(client)
        clock.shift(10)
        second, response = session_writes(client)
    assert (first, second) == (1, 0) and response.status_code == 200


def test_two_requests_sixty_one_seconds_apart_write_it_twice(client_for, nurse):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(nurse)
        first, _ = session_writes(client)
        clock.shift(LAST_SEEN_WRITE_INTERVAL_S + 1)
        second, response = session_writes(client)
    assert (first, second) == (1, 1) and response.status_code == 200


def test_a_passive_refresh_never_writes_it(client_for, nurse):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(nurse)
        session_writes(client)
        clock.shift(5 * 60)
        writes, _ = session_writes(client, **{PASSIVE_HEADER: "1"})
    assert writes == 0


def test_activity_every_half_minute_keeps_the_session_alive_past_the_timeout(client_for, nurse):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(nurse)
        for _ in range(2 * 20):  # 20 minutes of activity; the timeout is 15
            assert client.get("/patients/").status_code == 200
            clock.shift(30)


def test_an_idle_session_is_still_signed_out_after_the_timeout(client_for, nurse):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(nurse)
        assert client.get("/patients/").status_code == 200
        clock.shift(30)
        assert client.get("/patients/").status_code == 200  # within the minute: not written
        clock.shift(15 * 60 - 30 + 1)  # 15 min 1 s after the last written activity
        response = client.get("/patients/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
