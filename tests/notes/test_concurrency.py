"""Concurrent writers on one note: a draft is signed once (the second signer gets a clear conflict,
and a late autosave never changes the signed text); two addenda at once are both kept; two
disclosures of one psychotherapy note to one colleague at once leave one. Real concurrent
transactions on PostgreSQL (threads, own connections, bounded in time); SQLite's test database runs
the same workers one after another."""

import pytest
from django.utils import timezone

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import Note, NoteStatus, PsychotherapyNoteDisclosure
from tests.support.concurrency import label, race
from tests.support.people import ctx_for


@pytest.mark.django_db(transaction=True)
def test_a_draft_is_signed_once_and_a_late_autosave_never_changes_it(nurse, patient):
    for n in range(3):
        note = services.start_note(ctx_for(nurse), patient, "progress")
        outcomes = label(race(lambda: services.sign_note(ctx_for(nurse), note, {"section_plan": f"Signed text {n}"}),
                               lambda: services.sign_note(ctx_for(nurse), note, {"section_plan": f"Signed text {n}"}),
                               lambda: services.save_draft(ctx_for(nurse), note, {"section_plan": "late autosave"}),
                               expect=(Conflict,)))
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
    outcomes = label(race(lambda: services.add_addendum(ctx_for(nurse), note, "From the nurse"),
                               lambda: services.add_addendum(ctx_for(prescriber), note, "From the prescriber")))
    assert outcomes == ["ok", "ok"]
    assert sorted(note.addenda.values_list("text", flat=True)) == ["From the nurse", "From the prescriber"]
    assert Note.objects.get(pk=note.pk).version == before + 2


@pytest.mark.django_db(transaction=True)
def test_two_disclosures_of_one_note_to_one_colleague_at_once_leave_one(therapist, prescriber, patient):
    pnote = services.sign_psychotherapy_note(ctx_for(therapist), services.write_psychotherapy_note(
        ctx_for(therapist), patient, "Process notes"))
    data = {"recipient": str(prescriber.public_id), "authorization_signed_on": timezone.localdate().isoformat(),
            "authorization_reference": "Signed authorization on file"}
    outcomes = label(race(lambda: services.disclose_psychotherapy_note(ctx_for(therapist), pnote, data),
                          lambda: services.disclose_psychotherapy_note(ctx_for(therapist), pnote, data),
                          expect=(Conflict,)))
    assert outcomes == ["conflict", "ok"]
    assert PsychotherapyNoteDisclosure.objects.filter(note=pnote).count() == 1
