"""A note started from a treatment session is pre-filled from the recorded entries (order, dose,
times, vitals, scores, side effects, discharge), each fact linked to its source entry; entries
marked entered-in-error are left out; the clinician edits and signs."""

import pytest

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import NoteStatus
from ketamine_clinic.treatments import services as treatments
from ketamine_clinic.treatments.models import EntryStatus
from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot
from tests.treatments.test_discharge import FIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def discharged(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = treatments.start_dosing(ctx, dosing_ready("iv", checked_in_min_ago=170), lot(started_at=ago(150)))
    treatments.record_event(ctx, session, {"kind": "cadss", "score": 12, "occurred_at": ago(130)})
    treatments.record_event(ctx, session, {"kind": "side_effect", "effect": "nausea", "severity": "mild", "occurred_at": ago(120)})
    session = treatments.stop_dosing(ctx, session, {"stopped_at": ago(110)})
    treatments.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=131, observed_at=ago(100)))
    return treatments.discharge(ctx, session, FIT)


def test_a_note_from_a_session_carries_its_facts_with_their_sources(discharged, nurse, patient):
    note = services.start_note(ctx_for(nurse), patient, "administration", session=discharged)
    facts = {f["label"].split(" ")[0]: f for f in note.source_facts}
    assert "IV infusion" in facts["Order"]["value"] and "0.5 mg/kg" in facts["Order"]["value"]
    assert facts["Dose"]["value"] == f"{discharged.dose_mg} mg"
    assert facts["Administration"]["source_type"] == "administration"
    assert facts["Administration"]["source_id"] == str(discharged.administration.public_id)
    vitals = [f for f in note.source_facts if f["group"] == "vitals"]
    assert any("BP 131/78 mmHg" in f["value"] for f in vitals)
    assert {f["source_id"] for f in vitals} == {str(r.public_id) for r in discharged.vitals.all()}
    assert any("CADSS" in f["label"] or "Dissociation" in f["label"] for f in note.source_facts if f["group"] == "score")
    assert any("nausea" in f["value"] for f in note.source_facts if f["group"] == "event")
    assert any(f["group"] == "discharge" for f in note.source_facts)
    assert all(f["source_url"] == f"/sessions/{discharged.public_id}/" for f in note.source_facts)
    drafted = {s["key"]: s["text"] for s in note.sections}
    assert "Dose given" in drafted["order_and_dose"] and "BP 131/78" in drafted["monitoring"]
    assert "nausea" in drafted["side_effects"] and "Discharged" in drafted["discharge"]
    assert drafted["plan"] == ""


def test_an_entry_in_error_is_not_pre_filled(discharged, nurse, patient):
    reading = discharged.vitals.order_by("-observed_at").first()
    type(reading).objects.filter(pk=reading.pk).update(status=EntryStatus.ENTERED_IN_ERROR)
    note = services.start_note(ctx_for(nurse), patient, "administration", session=discharged)
    assert str(reading.public_id) not in {f["source_id"] for f in note.source_facts}


def test_the_nurse_edits_and_signs_the_pre_filled_note(discharged, nurse, patient):
    note = services.start_note(ctx_for(nurse), patient, "administration", session=discharged)
    services.sign_note(ctx_for(nurse), note, {"section_plan": "Next infusion in 3 days."})
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.session == discharged and note.source_facts


def test_another_patients_session_is_refused(discharged, nurse, outsider_patient, front_desk):
    from ketamine_clinic.patients.services import register_patient
    from tests.support.people import PATIENT_DATA

    other = register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name="Other"))
    with pytest.raises(ValidationFailed):
        services.resolve_links(ctx_for(nurse), other, session_id=discharged.public_id)
    with pytest.raises(ValidationFailed):
        services.start_note(ctx_for(nurse), other, "administration", session=discharged)


def test_the_page_starts_a_pre_filled_note_from_the_session(client_for, discharged, nurse, patient):
    client = client_for(nurse)
    response = client.post(f"/notes/patient/{patient.public_id}/new/", {"kind": "administration", "session_id": str(discharged.public_id)})
    page = client.get(response["Location"]).content.decode()
    assert "From the record" in page and f'href="/sessions/{discharged.public_id}/"' in page and "BP 131/78" in page
