"""The audit trail page an admin investigates with: named patients, filters, zone-labelled times, CSV."""

import csv
import datetime as dt
import io

import pytest

from ketamine_clinic.audit.models import AuditEvent

from tests.support.factories import PatientFactory

URL = "/clinic-admin/audit/"


def test_events_show_the_patient_by_name_and_mrn(client_for, clinic_admin, patient):
    body = client_for(clinic_admin).get(URL, {"action": "patient.create"}).content.decode()
    assert patient.display_name in body and f"MRN {patient.mrn}" in body


@pytest.mark.parametrize("query", ["Avery", "jordan avery", "MRN"])
def test_filter_by_patient_name_or_mrn_finds_only_that_patients_events(client_for, clinic_admin, front_desk, patient, query):
    other = PatientFactory(registered_by=front_desk, given_name="Sam", family_name="Other", date_of_birth="1990-01-01")
    query = patient.mrn if query == "MRN" else query
    body = client_for(clinic_admin).get(URL, {"patient": query}).content.decode()
    assert patient.display_name in body and other.display_name not in body


def test_filter_by_user_and_action(client_for, clinic_admin, front_desk, prescriber, patient):
    client_for(prescriber).get(f"/patients/{patient.public_id}/")
    page = client_for(clinic_admin).get(URL, {"user": prescriber.username, "action": "patient.view"})
    events = list(page.context["page"])
    assert events and {(e.actor_username, e.action) for e in events} == {(prescriber.username, "patient.view")}


def test_times_are_shown_and_filtered_in_the_readers_zone(client_for, clinic_admin, patient, location):
    location.time_zone = "America/Los_Angeles"
    location.save()
    event = AuditEvent.objects.filter(action="patient.create").get()
    response = client_for(clinic_admin).get(URL, {"action": "patient.create"})
    body = response.content.decode()
    local = event.occurred_at.astimezone(location.tz)
    assert "When (America/Los_Angeles)" in body and local.strftime("%Y-%m-%d %H:%M:%S") in body and "UTC)" not in body
    day = local.date()
    assert list(client_for(clinic_admin).get(URL, {"action": "patient.create", "date_from": day, "date_to": day}).context["page"]) == [event]
    assert not list(client_for(clinic_admin).get(URL, {"action": "patient.create", "date_to": day - dt.timedelta(days=1)}).context["page"])


def test_csv_export_holds_the_filtered_events_with_names_and_is_itself_audited(client_for, clinic_admin, patient, outsider_patient):
    response = client_for(clinic_admin).get(URL, {"patient": patient.mrn, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = AuditEvent.objects.filter(patient_id=str(patient.public_id)).count()
    assert len(rows) == expected > 0
    assert {r["patient_name"] for r in rows} == {patient.display_name} and {r["patient_mrn"] for r in rows} == {patient.mrn}
    assert str(outsider_patient.public_id) not in str(rows)
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == clinic_admin and export.detail == {"filters": {"patient": patient.mrn}}


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client_for, clinic_admin):
    from ketamine_clinic.audit.services import Context, record

    record(Context(user=clinic_admin), "auth.login_failed", detail={}, object_id="=HYPERLINK(\"x\")")
    body = b"".join(client_for(clinic_admin).get(URL, {"format": "csv"}).streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_clinic_admin_sees_only_their_organizations_events(client_for, clinic_admin, patient, outsider_patient):
    body = client_for(clinic_admin).get(URL, {"action": "patient.create"}).content.decode()
    assert patient.display_name in body and outsider_patient.display_name not in body
    by_mrn = client_for(clinic_admin).get(URL, {"patient": outsider_patient.mrn, "format": "csv"})
    assert len(b"".join(by_mrn.streaming_content).decode().strip().splitlines()) == 1  # the header only


def test_the_outsider_admin_sees_none_of_our_events(client_for, outsider, patient):
    body = client_for(outsider).get(URL, {"patient": patient.mrn}).content.decode()
    assert "No events match." in body and patient.display_name not in body


@pytest.mark.parametrize("role", ["prescriber", "nurse", "front_desk", "therapist"])
def test_only_clinic_admins_browse_or_export_the_audit_trail(client_for, staff, role):
    from ketamine_clinic.accounts.permissions import Role

    assert client_for(staff[Role(role)]).get(URL).status_code == 403
    assert client_for(staff[Role(role)]).get(URL, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("bad", ["yesterday", "9999-12-31", "0001-01-01x"])
def test_a_bad_date_says_so_and_exports_nothing(client_for, clinic_admin, bad):
    response = client_for(clinic_admin).get(URL, {"date_to": bad, "format": "csv"})
    assert response.status_code == 200 and "use a date YYYY-MM-DD" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_verify_button_lists_every_problem(client_for, clinic_admin, patient):
    from django.db import connection

    from ketamine_clinic.audit.guard import guard_lifted

    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET action = 'x'")
    body = client_for(clinic_admin).get(URL, {"verify": "1"}).content.decode()
    assert "Audit chain broken" in body
    assert body.count("its MAC does not match") == AuditEvent.objects.filter(action="x").count() >= 2
