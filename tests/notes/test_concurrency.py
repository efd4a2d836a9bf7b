"""Concurrent writers on one note: a draft is signed once (the second signer gets a clear conflict,
and a late autosave never changes the signed text); two addenda at once are both kept. Real
concurrent transactions on PostgreSQL (threads, own connections, bounded in time); SQLite's test
database runs the same workers one after another."""

import threading

import pytest
from django.db import connection

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import Note, NoteStatus
from tests.support.people import ctx_for

BOUND_SECONDS = 60


def _race(*calls):
    concurrent = connection.vendor == "postgresql"
    barrier, outcomes, errors = threading.Barrier(len(calls)), [], []

    def run(call):
        try:
            if concurrent:
                barrier.wait(timeout=30)
            call()
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # reported below, never swallowed
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(c,), daemon=True) for c in calls]
    for w in workers:
        w.start()
        if not concurrent:
            w.join(BOUND_SECONDS)
    for w in workers:
        w.join(BOUND_SECONDS)
    assert not any(w.is_alive() for w in workers), "a writer hung"
    assert errors == []
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_a_draft_is_signed_once_and_a_late_autosave_never_changes_it(nurse, patient):
    for n in range(3):
        note = services.start_note(ctx_for(nurse), patient, "progress")
        outcomes = _race(lambda: services.sign_note(ctx_for(nurse), note, {"section_plan": f"Signed text {n}"}),
                         lambda: services.sign_note(ctx_for(nurse), note, {"section_plan": f"Signed text {n}"}),
                         lambda: services.save_draft(ctx_for(nurse), note, {"section_plan": "late autosave"}))
        fresh = Note.objects.get(pk=note.pk)
        assert fresh.status == NoteStatus.SIGNED
        assert outcomes.count("ok") in (1, 2)  # one sign, and the autosave only if it came first
        assert AuditEvent.objects.filter(action="note.sign", object_id=str(note.public_id)).count() == 1
        assert fresh.sections[-1]["text"] == f"Signed text {n}"


@pytest.mark.django_db(transaction=True)
def test_two_addenda_at_once_are_both_kept(nurse, prescriber, patient):
    note = services.start_note(ctx_for(nurse), patient, "progress")
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"})
    before = Note.objects.get(pk=note.pk).version
    outcomes = _race(lambda: services.add_addendum(ctx_for(nurse), note, "From the nurse"),
                     lambda: services.add_addendum(ctx_for(prescriber), note, "From the prescriber"))
    assert outcomes == ["ok", "ok"]
    assert sorted(note.addenda.values_list("text", flat=True)) == ["From the nurse", "From the prescriber"]
    assert Note.objects.get(pk=note.pk).version == before + 2
