"""Psychotherapy minutes come from the signed notes of the visit's session; the biller may bill a
different number only with a reason, which is audited."""

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import BillableVisit
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.notes import services as notes
from tests.support.people import ctx_for


def _therapy_note(therapist, session, minutes: str, sign: bool = True):
    note = notes.start_note(ctx_for(therapist), session.patient, "kap_dosing", session=session)
    notes.save_draft(ctx_for(therapist), note, {"service_minutes": minutes, "psychotherapy_minutes": minutes,
                                                "section_interventions": "Supportive presence"})
    if sign:
        notes.sign_note(ctx_for(therapist), note)
    return note


def _codes(visit):
    return [ln.code for ln in visit.active_lines()]


def test_signed_note_supplies_the_minutes_and_a_draft_does_not(biller, therapist, session_done, billing_setup):
    session = session_done("iv")
    _therapy_note(therapist, session, "40", sign=False)
    visit = services.propose_for_session(ctx_for(biller), session)
    assert visit.psychotherapy_minutes is None and not {"90832", "90834", "90837"} & set(_codes(visit))
    _therapy_note(therapist, session, "53")
    visit = services.propose_for_session(ctx_for(biller), session)
    assert visit.psychotherapy_minutes == 53 and "90837" in _codes(visit)
    assert any("from 1 signed note" in n for n in visit.notes)
    event = AuditEvent.objects.filter(action="billing.visit_propose").latest("id")
    assert event.detail["psychotherapy"]["documented_minutes"] == 53


def test_a_different_number_needs_a_reason_and_is_audited(biller, therapist, session_done, billing_setup):
    session = session_done("iv")
    _therapy_note(therapist, session, "53")
    with pytest.raises(ValidationFailed) as exc:
        services.propose_for_session(ctx_for(biller), session, {"psychotherapy_minutes": "30"})
    assert "psychotherapy_reason" in exc.value.errors and not BillableVisit.objects.filter(session=session).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.propose_for_session(ctx_for(biller), session, {"psychotherapy_minutes": "30",
                                                                 "psychotherapy_reason": "x" * 301})
    assert "psychotherapy_reason" in exc.value.errors
    visit = services.propose_for_session(ctx_for(biller), session, {"psychotherapy_minutes": "30",
                                                                    "psychotherapy_reason": "Payer audit found 30"})
    assert visit.psychotherapy_minutes == 30
    assert any("Payer audit found 30" in n for n in visit.notes)
    event = AuditEvent.objects.filter(action="billing.visit_propose").latest("id")
    assert event.detail["psychotherapy"]["override_reason"] == "Payer audit found 30"
    # Typing the documented number is no override.
    visit = services.propose_for_session(ctx_for(biller), session, {"psychotherapy_minutes": "53"})
    assert visit.psychotherapy_minutes == 53


def test_without_a_signed_note_typed_minutes_need_a_reason(biller, session_done, billing_setup):
    session = session_done("iv")
    with pytest.raises(ValidationFailed) as exc:
        services.propose_for_session(ctx_for(biller), session, {"psychotherapy_minutes": "45"})
    assert "no psychotherapy minutes" in exc.value.errors["psychotherapy_reason"][0]
    visit = services.propose_for_session(ctx_for(biller), session, {"psychotherapy_minutes": "45",
                                                                    "psychotherapy_reason": "Paper note, scanned"})
    assert visit.psychotherapy_minutes == 45
