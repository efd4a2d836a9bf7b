"""The chart and Today pages as composed from registered sections: what each role sees, what the
outsider clinic never sees, and a query count that does not grow with the records shown."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.accounts.permissions import Role, has_permission
from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.core import sections
from ketamine_clinic.patients import services as patients
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans import services as plans
from ketamine_clinic.treatments import services as treatments
from tests.support.assessments import answers_for_total, phq9
from tests.support.factories import PatientFactory
from tests.support.people import PATIENT_DATA, ctx_for
from tests.support.plans import MONDAY, NOW, plan_data
from tests.support.screening import make_ready
from tests.support.treatments import ORDERS

P, N, T, F, A = Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK, Role.CLINIC_ADMIN
# Who sees which section, as the pages showed them before the registry.
EXPECTED = {
    "chart": {"screening": {P, N, T, F}, "assessments": {P, N, T}, "plans": {P, N, T, F}, "treatments": {P, N, T}},
    "today": {"assessments-alerts": {P, N, T, A}, "plans-day": {P, N, T, F, A, Role.BILLER}, "treatments-now": {P, N, T}},
}


def marker(name: str) -> str:
    return f'data-section="{name}"'


def test_the_apps_register_their_sections_in_order():
    assert [s.name for s in sections.sections("chart")] == ["screening", "assessments", "plans", "treatments", "inventory", "notes", "education", "billing"]
    assert [s.name for s in sections.sections("today")] == ["assessments-alerts", "plans-day", "notes-today", "treatments-now", "inventory-today", "directory-expiring", "billing-today"]


@pytest.mark.parametrize("page", sections.PAGES)
def test_every_section_renders_for_the_roles_that_may_see_it_and_hides_for_the_others(page, client_for, staff, patient):
    assessments.submit_response(ctx_for(staff[N]), patient, "phq9", phq9(item9=1), mode="staff_paper")  # an open alert
    url = f"/patients/{patient.public_id}/" if page == "chart" else "/"
    for role, user in staff.items():
        response = client_for(user).get(url)
        assert response.status_code == 200, role
        body = response.content.decode()
        for section in sections.sections(page):
            may_see = any(has_permission(user, action) for action in section.actions)
            assert (marker(section.name) in body) is may_see, (role, section.name)
            if section.name in EXPECTED[page]:
                assert may_see is (role in EXPECTED[page][section.name]), (role, section.name)


def test_the_outsider_clinic_sees_no_section_of_our_patient(client_for, outsider, staff, patient, location):
    assessments.submit_response(ctx_for(staff[N]), patient, "phq9", phq9(item9=1), mode="staff_paper")
    treatments.start_session(ctx_for(staff[N]), patient, dict(
        ORDERS["iv"], location=str(location.public_id), ordered_by=str(staff[P].public_id), indication="depression"))
    client = client_for(outsider)
    chart = client.get(f"/patients/{patient.public_id}/")
    assert chart.status_code == 404 and "data-section" not in chart.content.decode()
    today = client.get("/").content.decode()
    for section in sections.sections("today"):  # the outsider's roles see every Today section, of their own clinic
        assert marker(section.name) in today
    assert patient.display_name not in today and "None open." in today and "Nobody is in session." in today


# --- query counts ------------------------------------------------------------------------------

def add_chart_records(count: int, *, patient, nurse, prescriber, location, routes):
    """``count`` more records in every section of the chart, through the services."""
    ctx = ctx_for(nurse)
    order = dict(ORDERS["iv"], location=str(location.public_id), ordered_by=str(prescriber.public_id), indication="depression")
    for i in range(count):
        patients.add_subrecord(ctx, patient, "allergy", {"substance": f"Latex {i}", "severity": "mild"})
        patients.add_subrecord(ctx, patient, "medication", {"name": "sertraline", "dose": f"{50 + i} mg"})
        patients.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
        patients.add_subrecord(ctx, patient, "trial", {"drug": f"drug {i}", "dose_mg_per_day": "100", "weeks": "8",
                                                       "adequate": "true", "outcome": "no_response", "current_episode": "true"})
        patients.add_subrecord(ctx, patient, "result", {"kind": "ecg", "name": "12-lead ECG", "performed_on": "2026-01-02",
                                                        "result": "sinus rhythm", "interpretation": "normal"})
        assessments.submit_response(ctx, patient, "phq9", phq9(item9=1, total=10 + i), mode="staff_paper")
        assessments.submit_response(ctx, patient, "gad7", answers_for_total("gad7", 7), mode="staff_paper")
        plans.create_plan(ctx, patient, plan_data(location), now=NOW)
        treatments.end_without_dose(ctx, treatments.start_session(ctx, patient, order), {"reason": "Blood pressure too high"})
    for route in routes:
        make_ready(prescriber, nurse, patient, route)


def queries_of(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_chart_page_runs_the_same_queries_for_one_record_or_many(client_for, nurse, prescriber, patient, clinic):
    client = client_for(nurse)
    url = f"/patients/{patient.public_id}/"
    people = {"patient": patient, "nurse": nurse, "prescriber": prescriber, "location": clinic}
    add_chart_records(1, routes=["iv"], **people)
    client.get(url)  # the first request of a session writes it
    one, _ = queries_of(client, url)
    add_chart_records(6, routes=["im", "oral_sublingual"], **people)
    many, response = queries_of(client, url)
    assert many == one
    shown = {s.name: s.context for s in response.context["sections"]}
    assert list(shown) == ["screening", "assessments", "plans", "treatments", "inventory", "notes", "education", "billing"]
    assert len(shown["plans"]["plans"]) == 7 and len(shown["treatments"]["sessions"]) == 7
    assert len(shown["assessments"]["alerts"]) == 5 and len(shown["assessments"]["latest"]) == 2
    assert sum(1 for row, _ in shown["screening"]["rows"] if row.decision) == 3


def test_the_today_page_runs_the_same_queries_for_one_patient_or_many(client_for, nurse, front_desk, prescriber, clinic_admin,
                                                                      patient, clinic):
    morning = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(8, 0), tzinfo=clinic.tz)
    chairs = list(clinic.resources.all())
    order = dict(ORDERS["iv"], location=str(clinic.public_id), ordered_by=str(prescriber.public_id), indication="depression")

    def add_patient(i):
        who = patient if i == 0 else PatientFactory(registered_by=front_desk, **dict(PATIENT_DATA, given_name=f"Sam{i}"))
        scheduling.book_appointment(ctx_for(front_desk), who, {
            "location": str(clinic.public_id), "start": f"{morning.date().isoformat()}T{9 + i:02d}:00", "kind": "dosing",
            "resource": str(chairs[i % 2].public_id)})
        assessments.submit_response(ctx_for(nurse), who, "phq9", phq9(item9=1, total=12), mode="staff_paper")
        treatments.start_session(ctx_for(nurse), who, order)

    with time_machine.travel(morning, tick=False):
        scheduling.set_opening_hours(ctx_for(clinic_admin), clinic, {"wednesday": "08:00-18:00"})
        client = client_for(nurse)
        add_patient(0)
        client.get("/")
        one, _ = queries_of(client, "/")
        for i in range(1, 7):
            add_patient(i)
        many, response = queries_of(client, "/")
    assert many == one
    shown = {s.name: s.context for s in response.context["sections"]}
    assert len(shown["assessments-alerts"]["alerts"]) == 7 and len(shown["plans-day"]["appointments"]) == 7
    assert shown["treatments-now"]["locations"][0]["total"] == 7


# The chart reads every list of every section in one statement (core.batch), before it builds any
# section; Today reads each table once (the request memo). The chart: the session, the user (with
# clinic, location and roles), the patient, the audit event with its pending row (one statement on
# PostgreSQL; on SQLite two INSERTs in a savepoint pair, inside the test's transaction), the clinic's
# settings, and the one statement of lists. The target is 15.
CHART_MAX_QUERIES = 6 if connection.vendor == "postgresql" else 9
TODAY_MAX_QUERIES = 16  # the signed-in user and their clinic, location and roles: one query (was four)


def test_the_chart_with_rows_in_every_section_reads_each_table_once(client_for, nurse, prescriber, patient, clinic,
                                                                   django_assert_max_num_queries):
    add_chart_records(2, routes=["iv"], patient=patient, nurse=nurse, prescriber=prescriber, location=clinic)
    client = client_for(nurse)
    client.get("/")  # the session's first write
    with django_assert_max_num_queries(CHART_MAX_QUERIES) as captured:
        response = client.get(f"/patients/{patient.public_id}/")
    assert response.status_code == 200
    # No lock on a read: the audit event of the view is an insert; only the sealer locks the chain head.
    assert not [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"].upper()]
    shown = {s.name: s.context for s in response.context["sections"]}
    assert shown["plans"]["plans"] and shown["treatments"]["sessions"] and shown["assessments"]["latest"]
    with django_assert_max_num_queries(TODAY_MAX_QUERIES):
        assert client.get("/").status_code == 200


def test_every_role_reads_the_chart_in_as_few_queries(client_for, staff, nurse, prescriber, patient, clinic,
                                                     django_assert_max_num_queries):
    """Each role sees other sections (the biller: money; the front desk: no clinical lists), all in
    the one statement: no role's chart costs more."""
    add_chart_records(1, routes=["iv"], patient=patient, nurse=nurse, prescriber=prescriber, location=clinic)
    readers = {role: user for role, user in staff.items() if has_permission(user, "patient.view")}
    assert Role.BILLER in readers and Role.FRONT_DESK in readers
    for role, user in readers.items():
        client = client_for(user)
        client.get("/healthz")  # the session's first write
        with django_assert_max_num_queries(CHART_MAX_QUERIES):
            assert client.get(f"/patients/{patient.public_id}/").status_code == 200, role
