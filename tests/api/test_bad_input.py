"""Bad input found by fuzzing: each gets a precise 4xx with the standard error shape, never a 500.

Dates at the edges of the calendar, integers past any database column, negative pages, bodies too
large to read and bytes that are not UTF-8, on the API and on the pages that take the same input.
"""

import json

import pytest
from django.test import override_settings

from ketamine_clinic.patients.models import Patient

from tests.support.people import PATIENT_DATA


def _error_shape(response) -> dict:
    body = response.json()
    assert body["detail"] and isinstance(body["errors"], dict)
    return body


@pytest.mark.parametrize("query", [
    "date=9999-12-31&days=31",
    "date=9999-12-31",
    "date=9999-12-01&days=31",
    "date=0001-01-01",
    "date=0001-01-01&days=31",
    "date=1899-12-31",
    "days=0",
    "days=-1",
    "days=32",
    "days=99999999999999999999",
    "date=2030-02-30",
    "date=not-a-date",
])
def test_appointments_out_of_range_dates_and_days_are_422(api, front_desk, query):
    response = api(front_desk, "get", f"/appointments?{query}")
    assert response.status_code == 422
    _error_shape(response)


def test_appointments_on_the_last_supported_day_still_answer(api, front_desk):
    response = api(front_desk, "get", "/appointments?date=2999-12-01&days=31")
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("query,field", [
    ("from=0001-01-01&to=9999-12-31", "from"),
    ("from=2020-01-01&to=9999-12-31", "to"),
    ("from=0001-01-01&to=2020-01-01", "from"),
    ("from=9999-12-31&to=9999-12-31", "from"),
    ("from=2020-01-01&to=2019-01-01", "to"),
    ("from=2020-13-01", "from"),
])
def test_outcomes_summary_out_of_range_dates_are_422(api, clinic_admin, query, field):
    response = api(clinic_admin, "get", f"/outcomes/summary?{query}")
    assert response.status_code == 422
    assert field in _error_shape(response)["errors"]


@pytest.mark.parametrize("query", [
    "page=1479659427895152128",
    "page=9223372036854775808",
    "page=0",
    "page=-1",
    "page=-9223372036854775809",
    "page=1.5",
    "page_size=0",
    "page_size=-5",
    "page_size=1479659427895152128",
])
def test_patient_search_bad_pages_are_422(api, nurse, query):
    response = api(nurse, "get", f"/patients?q=&{query}")
    assert response.status_code == 422
    _error_shape(response)


def test_the_last_allowed_page_is_empty_not_an_error(api, nurse, patient):
    from ketamine_clinic.core.pagination import MAX_PAGE

    response = api(nurse, "get", f"/patients?q=&page={MAX_PAGE}&page_size=100")
    assert response.status_code == 200 and response.json()["items"] == [] and response.json()["count"] == 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_upload_limit_is_413_and_writes_nothing(api, front_desk):
    body = json.dumps(dict(PATIENT_DATA, address_line="x" * 2048))
    response = api(front_desk, "post", "/patients", raw=body)
    assert response.status_code == 413
    _error_shape(response)
    assert Patient.objects.count() == 0


def test_a_10_mb_json_body_is_413(api, front_desk):
    response = api(front_desk, "post", "/patients", raw=json.dumps({"given_name": "x" * (10 * 1024 * 1024)}))
    assert response.status_code == 413 and Patient.objects.count() == 0


@pytest.mark.parametrize("raw", [
    b'{"given_name": "\xff\xfe"}',
    b"\xff\xfe\x00\x00",
    b'{"given_name": "Avery", "family_name": "\xc3\x28"}',
])
def test_a_body_that_is_not_utf8_is_400(api, front_desk, raw):
    response = api(front_desk, "post", "/patients", raw=raw)
    assert response.status_code == 400
    _error_shape(response)
    assert Patient.objects.count() == 0


@pytest.mark.parametrize("body,field", [
    ({"weight_kg": 10**30}, "weight_kg"),
    ({"weight_kg": "1e400"}, "weight_kg"),
    ({"weight_kg": "NaN"}, "weight_kg"),
    ({"date_of_birth": "0001-01-01"}, "date_of_birth"),
    ({"date_of_birth": "9999-12-31"}, "date_of_birth"),
])
def test_huge_numbers_and_edge_dates_in_a_body_are_422(api, front_desk, body, field):
    response = api(front_desk, "post", "/patients", raw=json.dumps(dict(PATIENT_DATA, **body)))
    assert response.status_code == 422
    assert field in _error_shape(response)["errors"]
    assert Patient.objects.count() == 0


def test_a_version_past_any_integer_is_a_409_not_a_500(api, front_desk, patient):
    response = api(front_desk, "patch", f"/patients/{patient.public_id}", raw=json.dumps({"version": 2**70, "city": "Troy"}))
    assert response.status_code in (409, 422)
    patient.refresh_from_db()
    assert patient.city != "Troy"


# --- the pages that take the same dates -------------------------------------------------------
@pytest.mark.parametrize("query", [
    "date=9999-12-31", "date=9999-12-31&view=fortnight", "date=9999-12-27&view=week",
    "date=0001-01-01", "date=0001-01-01&view=week",
])
def test_schedule_page_refuses_dates_outside_the_calendar(client_for, front_desk, location, query):
    response = client_for(front_desk).get(f"/plans/schedule/?{query}")
    assert response.status_code == 400
    assert b"between 1900-01-01 and 2999-12-31" in response.content


@pytest.mark.parametrize("query", [
    "date_from=0001-01-01&date_to=9999-12-31",
    "date_from=2020-01-01&date_to=9999-12-31",
    "date_from=0001-01-01",
    "date_from=9999-12-31&date_to=9999-12-31",
])
def test_outcomes_page_refuses_dates_outside_the_calendar(client_for, clinic_admin, query):
    response = client_for(clinic_admin).get(f"/assessments/outcomes/?{query}")
    assert response.status_code == 422
    assert b"between 1900-01-01 and 2999-12-31" in response.content
