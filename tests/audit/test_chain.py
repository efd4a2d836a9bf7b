import subprocess
import sys

import pytest
from django.db import connection

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.audit.services import record, verify_chain

from ..conftest import ctx_for


def test_registration_edit_and_chart_view_each_write_an_event(client_for, front_desk, patient):
    from ketamine_clinic.patients.services import update_patient

    update_patient(ctx_for(front_desk), patient, {"city": "Troy"})
    client_for(front_desk).get(f"/patients/{patient.public_id}/", REMOTE_ADDR="10.1.2.3")
    actions = list(AuditEvent.objects.filter(patient_id=str(patient.public_id)).order_by("seq").values_list("action", flat=True))
    assert actions[0] == "patient.measurement.create" or "patient.create" in actions
    assert {"patient.create", "patient.update", "patient.view"} <= set(actions)
    view = AuditEvent.objects.filter(action="patient.view").latest("seq")
    assert view.actor == front_desk and view.actor_roles == "front_desk"
    assert view.organization_id == front_desk.organization_id and view.source_ip == "10.1.2.3"


def test_events_chain_each_hash_to_the_previous(patient):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for earlier, later in zip(events, events[1:]):
        assert later.prev_hash == earlier.hash
    assert verify_chain().ok


def test_events_cannot_be_updated_or_deleted_through_the_orm(patient):
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")


def _raw(sql, params):
    """Tamper as someone with the database owner's rights would: lift the guard first."""
    from ketamine_clinic.audit.guard import guard_lifted

    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_an_altered_event(front_desk, patient):
    from ketamine_clinic.patients.services import update_patient

    update_patient(ctx_for(front_desk), patient, {"city": "Troy"})
    update_patient(ctx_for(front_desk), patient, {"city": "Albany"})
    target = AuditEvent.objects.order_by("seq")[2]
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s", ["patient.nothing", target.pk])
    result = verify_chain()
    assert not result.ok and result.seq == target.seq and "altered" in result.problem


def test_verify_names_a_removed_event(patient):
    target = AuditEvent.objects.order_by("seq")[1]
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [target.pk])
    result = verify_chain()
    assert not result.ok and result.seq == target.seq and "missing" in result.problem


def test_verify_notices_the_newest_event_removed(patient):
    last = AuditEvent.objects.order_by("-seq").first()
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [last.pk])
    result = verify_chain()
    assert not result.ok and result.seq == last.seq


def test_failed_login_is_audited_without_the_password(client, prescriber):
    client.post("/accounts/login/", {"login": prescriber.username, "password": "wrong-password-123"})
    event = AuditEvent.objects.filter(action="auth.login_failed").latest("seq")
    assert event.detail == {"username": prescriber.username}
    assert "wrong-password" not in event.canonical()


def test_clinic_admin_browses_only_their_organizations_events(client_for, clinic_admin, patient, outsider_patient):
    response = client_for(clinic_admin).get("/clinic-admin/audit/", {"action": "patient.create"})
    assert response.status_code == 200
    assert str(patient.public_id)[:10] in response.content.decode()
    assert str(outsider_patient.public_id)[:10] not in response.content.decode()


@pytest.mark.parametrize("role", ["prescriber", "nurse", "front_desk", "therapist"])
def test_only_clinic_admins_browse_the_audit_trail(client_for, staff, role):
    from ketamine_clinic.accounts.permissions import Role

    assert client_for(staff[Role(role)]).get("/clinic-admin/audit/").status_code == 403


def test_audit_filter_by_bad_date_says_so(client_for, clinic_admin):
    response = client_for(clinic_admin).get("/clinic-admin/audit/", {"date_from": "yesterday"})
    assert response.status_code == 200 and "use YYYY-MM-DD" in response.content.decode()


def test_the_database_itself_refuses_to_update_an_audit_event(patient):
    from django.db import DatabaseError, transaction

    event = AuditEvent.objects.order_by("seq").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s", ["x", event.pk])
    event.refresh_from_db()
    assert event.action != "x" and verify_chain().ok


def test_deleting_an_audit_event_is_refused_or_detected(patient):
    """PostgreSQL refuses the delete; SQLite cannot (the test runner's flush deletes), so verify catches it."""
    from django.db import DatabaseError, transaction

    event = AuditEvent.objects.order_by("seq").first()
    sql = f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s"
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists() and verify_chain().ok
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
        result = verify_chain()
        assert not result.ok and result.seq == event.seq
