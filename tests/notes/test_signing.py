"""Drafts, signing (locks the note), co-signature per role, addenda, and the audit row each writes."""

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import SECTION_MAX_CHARS, Note, NoteStatus
from ketamine_clinic.patients.models import TimelineEvent
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def _progress(user, patient):
    return services.start_note(ctx_for(user), patient, "progress")


def test_a_draft_starts_from_the_shipped_template_with_its_loinc_type(prescriber, patient):
    note = _progress(prescriber, patient)
    assert note.status == NoteStatus.DRAFT and note.template_version == 0
    assert (note.loinc_code, note.loinc_display) == ("11506-3", "Progress note")
    assert [s["label"] for s in note.sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    assert AuditEvent.objects.filter(action="note.create", object_id=str(note.public_id)).exists()


def test_intake_is_a_history_and_physical_note(prescriber, patient):
    assert services.start_note(ctx_for(prescriber), patient, "intake").loinc_code == "34117-2"


def test_autosave_keeps_the_text_on_the_server(nurse, patient):
    note = _progress(nurse, patient)
    services.save_draft(ctx_for(nurse), note, {"section_subjective": "Feels calmer this week."})
    note.refresh_from_db()
    assert note.sections[0]["text"] == "Feels calmer this week." and note.version == 2


def test_signing_locks_the_note_and_a_change_is_refused_with_a_clear_error(nurse, patient):
    note = _progress(nurse, patient)
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Next infusion Friday."})
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.signed_at is not None
    with pytest.raises(Conflict, match="signed and locked.*addendum"):
        services.save_draft(ctx_for(nurse), note, {"section_plan": "changed"})
    note.refresh_from_db()
    assert note.sections[3]["text"] == "Next infusion Friday."
    assert TimelineEvent.objects.filter(patient=patient, kind="note", summary__contains="signed").exists()


def test_an_empty_note_cannot_be_signed(nurse, patient):
    with pytest.raises(ValidationFailed) as exc:
        services.sign_note(ctx_for(nurse), _progress(nurse, patient))
    assert "sections" in exc.value.errors


def test_oversize_text_is_a_field_error_and_nothing_is_saved(nurse, patient):
    note = _progress(nurse, patient)
    with pytest.raises(ValidationFailed) as exc:
        services.save_draft(ctx_for(nurse), note, {"section_subjective": "x" * (SECTION_MAX_CHARS + 1)})
    assert "section_subjective" in exc.value.errors
    note.refresh_from_db()
    assert note.sections[0]["text"] == "" and note.version == 1


def test_only_the_author_edits_or_signs_a_draft(nurse, prescriber, patient):
    note = _progress(nurse, patient)
    with pytest.raises(Conflict):
        services.save_draft(ctx_for(prescriber), note, {"section_plan": "not mine"})
    with pytest.raises(Conflict):
        services.sign_note(ctx_for(prescriber), note, {"section_plan": "not mine"})


def test_an_addendum_is_signed_timestamped_and_kept_under_the_note(nurse, prescriber, patient):
    note = _progress(nurse, patient)
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan A"})
    addendum = services.add_addendum(ctx_for(prescriber), note, "Late entry: BP recheck 128/80.")
    assert addendum.author == prescriber and addendum.signed_at is not None
    assert list(note.addenda.values_list("text", flat=True)) == ["Late entry: BP recheck 128/80."]
    assert AuditEvent.objects.filter(action="note.addendum", object_id=str(note.public_id)).exists()


def test_an_addendum_needs_a_signed_note_and_fitting_text(nurse, patient):
    note = _progress(nurse, patient)
    with pytest.raises(Conflict):
        services.add_addendum(ctx_for(nurse), note, "too early")
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"})
    with pytest.raises(ValidationFailed) as exc:
        services.add_addendum(ctx_for(nurse), note, "y" * 5001)
    assert "text" in exc.value.errors and note.addenda.count() == 0


def test_psychotherapy_minutes_are_kept_apart_from_e_m_minutes(therapist, patient):
    note = services.start_note(ctx_for(therapist), patient, "kap_integration")
    with pytest.raises(ValidationFailed) as exc:
        services.save_draft(ctx_for(therapist), note, {"service_minutes": "50", "psychotherapy_minutes": "45", "em_minutes": "10"})
    assert "service_minutes" in exc.value.errors
    services.save_draft(ctx_for(therapist), note, {"service_minutes": "55", "psychotherapy_minutes": "45", "em_minutes": "10"})
    note.refresh_from_db()
    assert (note.service_minutes, note.psychotherapy_minutes, note.em_minutes) == (55, 45, 10)


def test_a_medical_note_records_no_psychotherapy_time(nurse, patient):
    with pytest.raises(ValidationFailed) as exc:
        services.save_draft(ctx_for(nurse), _progress(nurse, patient), {"psychotherapy_minutes": "30"})
    assert "psychotherapy_minutes" in exc.value.errors


@pytest.fixture
def nurses_need_cosign(clinic_admin):
    change_setting(ctx_for(clinic_admin), "notes.cosign_required.nurse", "true", "Nurses work under supervision")


def test_signing_without_the_required_cosigner_is_refused(nurses_need_cosign, nurse, patient):
    note = _progress(nurse, patient)
    with pytest.raises(ValidationFailed) as exc:
        services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"})
    assert "co-signature" in exc.value.errors["cosigner"][0]
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_a_cosigner_must_be_a_colleague_who_writes_that_kind(nurses_need_cosign, nurse, front_desk, therapist, outsider, patient):
    note = _progress(nurse, patient)
    for wrong in (front_desk, therapist, outsider, nurse):
        with pytest.raises(ValidationFailed):
            services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"}, cosigner_id=wrong.public_id)


def test_a_note_with_a_cosigner_waits_for_the_cosignature(nurses_need_cosign, nurse, prescriber, patient):
    note = _progress(nurse, patient)
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"}, cosigner_id=prescriber.public_id)
    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_COSIGN and note.is_locked
    assert list(services.unsigned_notes_for(prescriber)) == [note]
    services.cosign_note(ctx_for(prescriber), note)
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.cosigned_at is not None
    with pytest.raises(Conflict):
        services.cosign_note(ctx_for(prescriber), note)


def test_only_the_named_cosigner_cosigns(nurses_need_cosign, nurse, prescriber, staff, org, location, patient):
    from tests.support.people import make_user
    from ketamine_clinic.accounts.permissions import Role

    other = make_user(org, "other_prescriber", [Role.PRESCRIBER], location=location)
    note = _progress(nurse, patient)
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"}, cosigner_id=prescriber.public_id)
    with pytest.raises(Conflict):
        services.cosign_note(ctx_for(other), note)
    assert Note.objects.get(pk=note.pk).status == NoteStatus.AWAITING_COSIGN


def test_a_clinic_template_version_is_used_for_new_notes(prescriber, nurse, patient):
    services.save_template(ctx_for(prescriber), "progress", "Progress note (clinic)", ["Subjective", "Risk", "Plan"], "Add risk")
    note = _progress(nurse, patient)
    assert note.template_version == 1 and note.title == "Progress note (clinic)"
    assert [s["key"] for s in note.sections] == ["subjective", "risk", "plan"]


def test_a_signed_note_and_its_addenda_are_sealed_in_the_model_too(nurse, patient):
    from ketamine_clinic.core.immutable import ImmutableRecordError

    note = _progress(nurse, patient)
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Plan"})
    addendum = services.add_addendum(ctx_for(nurse), note, "Later")
    stored = Note.objects.get(pk=note.pk)
    stored.sections[0]["text"] = "rewritten"
    with pytest.raises(ImmutableRecordError):
        stored.save()
    with pytest.raises(ImmutableRecordError):
        stored.delete()
    addendum.text = "rewritten"
    with pytest.raises(ImmutableRecordError):
        addendum.save()
    assert Note.objects.get(pk=note.pk).sections[0]["text"] == ""
