"""The audit trail's keyed chain: written without a shared lock, sealed by the sealer, and every
tampering a database owner could try reported by ``verify`` (all problems, not the first)."""

import pytest
from django.db import DatabaseError, connection, transaction

from ketamine_clinic.audit import chain
from ketamine_clinic.audit.guard import guard_lifted
from ketamine_clinic.audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal
from ketamine_clinic.audit.services import seal_pending
from ketamine_clinic.audit.verify import verify_chain

from tests.support.people import ctx_for

KEY = "test-only-audit-key"
EVENTS, SEALS, HEAD = AuditEvent._meta.db_table, AuditSeal._meta.db_table, AuditChainHead._meta.db_table


def _raw(sql, params=()):
    """Tamper as someone with the database owner's rights would: lift the guard first."""
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def sealed(front_desk, patient):
    from ketamine_clinic.patients.services import update_patient

    update_patient(ctx_for(front_desk), patient, {"city": "Troy"})
    update_patient(ctx_for(front_desk), patient, {"city": "Albany"})
    seal_pending()
    return list(AuditSeal.objects.order_by("seq").select_related("event"))


def test_registration_edit_and_chart_view_each_write_an_event(client_for, front_desk, patient):
    from ketamine_clinic.patients.services import update_patient

    update_patient(ctx_for(front_desk), patient, {"city": "Troy"})
    client_for(front_desk).get(f"/patients/{patient.public_id}/", REMOTE_ADDR="10.1.2.3")
    actions = set(AuditEvent.objects.filter(patient_id=str(patient.public_id)).values_list("action", flat=True))
    assert {"patient.create", "patient.update", "patient.view"} <= actions
    view = AuditEvent.objects.filter(action="patient.view").latest("id")
    assert view.actor == front_desk and view.actor_roles == "front_desk"
    assert view.organization_id == front_desk.organization_id and view.source_ip == "10.1.2.3"


def test_events_wait_unsealed_until_the_sealer_links_them_in_row_order(patient):
    assert not AuditSeal.objects.exists() and AuditPending.objects.count() == AuditEvent.objects.count() > 0
    pending = verify_chain()
    assert pending.ok and pending.pending == AuditEvent.objects.count() and "not sealed yet" in pending.notes[0]
    assert seal_pending() == AuditEvent.objects.count() and seal_pending() == 0  # idempotent
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.seq for s in seals] == list(range(1, len(seals) + 1))
    assert [s.event_id for s in seals] == sorted(s.event_id for s in seals)
    for earlier, later in zip(seals, seals[1:]):
        assert later.prev_mac == earlier.mac
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_mac) == (seals[-1].seq, seals[-1].mac)
    result = verify_chain()
    assert result.ok and result.sealed == len(seals) and result.pending == 0 and not AuditPending.objects.exists()


def test_events_and_seals_cannot_be_updated_or_deleted_through_the_orm(sealed):
    event = AuditEvent.objects.first()
    event.action = "tampered"
    for attempt in (event.save, AuditEvent.objects.all().delete, sealed[0].delete,
                    lambda: AuditSeal.objects.update(mac="x"), lambda: AuditEvent.objects.update(action="x")):
        with pytest.raises(RuntimeError, match="append-only"):
            attempt()


@pytest.mark.parametrize("table", [EVENTS, SEALS])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET mac = mac", "DELETE FROM {t}"])
def test_the_database_itself_refuses_to_update_or_delete_audit_records(sealed, table, statement):
    """Both databases, both tables: the application's own account cannot rewrite the trail."""
    before = (AuditEvent.objects.count(), AuditSeal.objects.count())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement.format(t=table))
    assert (AuditEvent.objects.count(), AuditSeal.objects.count()) == before and verify_chain().ok


def test_altering_an_event_and_recomputing_every_later_hash_is_reported(sealed):
    """The old attack: rewrite a row and re-hash the rest. Without the key the MACs cannot follow."""
    import hashlib

    target = sealed[2]
    _raw(f"UPDATE {EVENTS} SET action = %s, mac = %s WHERE id = %s",
         ["patient.nothing", hashlib.sha256(b"forged").hexdigest(), target.event_id])
    prev = target.prev_mac
    for seal in sealed[2:]:  # re-seal with a guessed key, as an attacker would have to
        forged = chain.link_mac("guessed-key", seal.seq, seal.event_id, "x", prev)
        _raw(f"UPDATE {SEALS} SET prev_mac = %s, mac = %s WHERE seq = %s", [prev, forged, seal.seq])
        prev = forged
    _raw(f"UPDATE {HEAD} SET last_mac = %s", [prev])
    result = verify_chain()
    assert not result.ok
    assert f"event #{target.event_id} (patient.nothing) was altered or forged: its MAC does not match" in result.problems
    resealed = [p for p in result.problems if "re-sealed without the key" in p]
    assert len(resealed) == len(sealed) - 2  # every re-sealed position is named, not only the first


def test_a_removed_event_in_the_middle_is_reported_with_its_position(sealed):
    target = sealed[1]
    _raw(f"DELETE FROM {SEALS} WHERE seq = %s", [target.seq])
    _raw(f"DELETE FROM {EVENTS} WHERE id = %s", [target.event_id])
    result = verify_chain()
    assert not result.ok
    assert f"chain position {target.seq} is missing (removed)" in result.problems
    assert f"chain position {target.seq + 1} does not follow position {target.seq}" in result.problems


def test_removing_the_newest_event_and_resetting_the_head_is_caught_by_a_checkpoint(
    front_desk, patient, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    from ketamine_clinic.patients.services import update_patient

    update_patient(ctx_for(front_desk), patient, {"city": "Troy"})
    with django_capture_on_commit_callbacks(execute=True):  # checkpoints are written on commit
        seal_pending()
    last, before_last = AuditSeal.objects.order_by("-seq")[:2]
    _raw(f"DELETE FROM {SEALS} WHERE seq = %s", [last.seq])
    _raw(f"DELETE FROM {EVENTS} WHERE id = %s", [last.event_id])
    _raw(f"UPDATE {HEAD} SET last_seq = %s, last_mac = %s", [before_last.seq, before_last.mac])
    assert verify_chain().ok  # the database alone cannot tell: the truncated chain is consistent
    result = verify_chain(checkpoint_dir=tmp_path)
    assert not result.ok and result.checkpoints == 1
    assert any(f"saw chain position {last.seq}, but the chain ends at {before_last.seq}" in p for p in result.problems)


def test_a_forged_checkpoint_line_is_reported(sealed, tmp_path):
    (tmp_path / "checkpoints-2026-01-01.jsonl").write_text(
        '{"seq": 1, "mac": "00", "written_at": "2026-01-01T00:00:00+00:00", "sig": "forged"}\nnot json\n'
    )
    result = verify_chain(checkpoint_dir=tmp_path)
    assert result.problems == [
        "checkpoint checkpoints-2026-01-01.jsonl:1 has a bad signature (forged or altered)",
        "checkpoint checkpoints-2026-01-01.jsonl:2 is unreadable",
    ]


def test_an_appended_forged_event_and_seal_are_reported(sealed, front_desk):
    last = sealed[-1]
    with guard_lifted():
        forged = AuditEvent(action="patient.view", actor_username="mallory", mac="f" * 64)
        forged.save()
        AuditSeal.objects.create(seq=last.seq + 1, event=forged, prev_mac=last.mac, mac="e" * 64)
    _raw(f"UPDATE {HEAD} SET last_seq = %s, last_mac = %s", [last.seq + 1, "e" * 64])
    result = verify_chain()
    assert f"event #{forged.id} (patient.view) was altered or forged: its MAC does not match" in result.problems
    assert f"chain position {last.seq + 1} (event #{forged.id}) was altered or re-sealed without the key" in result.problems


def test_an_event_dropped_from_the_sealing_queue_is_reported(patient):
    event = AuditEvent.objects.order_by("id").first()
    AuditPending.objects.filter(event=event).delete()
    result = verify_chain()
    assert result.problems == [f"event #{event.id} ({event.action}) is neither sealed nor pending"]


def test_verify_reports_every_problem_not_only_the_first(sealed):
    for seal in (sealed[0], sealed[3]):
        _raw(f"UPDATE {EVENTS} SET actor_username = 'mallory' WHERE id = %s", [seal.event_id])
    result = verify_chain()
    assert [p.split(" (")[0] for p in result.problems] == [f"event #{sealed[0].event_id}", f"event #{sealed[3].event_id}"]


def test_failed_login_is_audited_without_the_password(client, prescriber):
    client.post("/accounts/login/", {"login": prescriber.username, "password": "wrong-password-123"})
    event = AuditEvent.objects.filter(action="auth.login_failed").latest("id")
    assert event.detail == {"username": prescriber.username}
    assert "wrong-password" not in event.canonical()


def test_an_event_and_its_pending_marker_are_written_together_or_not_at_all(front_desk, patient, django_assert_num_queries):
    """On PostgreSQL one statement (the chart's audited view costs one round trip); on SQLite one
    transaction. A row the database refuses leaves neither the event nor its marker."""
    from ketamine_clinic.audit.actions import Action
    from ketamine_clinic.audit.services import record

    ctx = ctx_for(front_desk)
    counts = AuditEvent.objects.count(), AuditPending.objects.count()
    # SQLite, inside the test's transaction: SAVEPOINT, the two INSERTs, RELEASE.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        event = record(ctx, Action.PATIENT_VIEW, obj=patient, patient=patient)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert not event._state.adding and stored.mac == event.mac == stored.compute_mac()
    assert AuditPending.objects.filter(event_id=event.pk).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        record(ctx, Action.PATIENT_VIEW, object_type=None)  # NOT NULL: refused by the database
    assert (AuditEvent.objects.count(), AuditPending.objects.count()) == (counts[0] + 1, counts[1] + 1)
    seal_pending()
    assert verify_chain().ok
