"""Proposing, editing and finalizing a visit's lines from the recorded session (service level)."""

from decimal import Decimal

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import ChargeLine
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def codes(visit):
    return [(ln.code, ln.units, ln.charge_usd) for ln in visit.active_lines()]


def test_iv_session_of_105_minutes_proposes_96365_96366_and_the_drug_priced(biller, session_done, billing_setup):
    visit = services.propose_for_session(ctx_for(biller), session_done("iv", minutes=105, dose_mg="35"))
    assert codes(visit) == [("96365", 1, Decimal("450.00")), ("96366", 1, Decimal("150.00")),
                            ("J3490", 1, Decimal("70.00"))]
    j = visit.active_lines().get(code="J3490")
    assert j.ndc == "00409205150" and j.drug_mg == Decimal("35")
    assert visit.diagnosis_codes == ["F33.2", "F41.1"] and j.diagnosis_pointers == "A"
    assert visit.payer == "self_pay" and "No coverage recorded" in visit.notes[0]
    assert AuditEvent.objects.filter(action="billing.visit_propose", object_id=str(visit.public_id)).exists()


def test_iv_of_75_minutes_has_no_96366_and_ondansetron_push_adds_96375(biller, session_done, billing_setup):
    s = session_done("iv", minutes=75, rescue=[("Ondansetron", "4 mg IV"), ("Lorazepam", "1 mg PO")])
    visit = services.propose_for_session(ctx_for(biller), s)
    assert [c for c, _, _ in codes(visit)] == ["96365", "J3490", "96375"]


def test_esketamine_medicare_established_is_g2083_from_devices(biller, session_done, billing_setup, diagnosed, location,
                                                              prescriber, nurse):
    services.add_coverage(ctx_for(biller), diagnosed, {"kind": "medicare", "payer_name": "Medicare Part B",
                                                       "member_id": "1EG4TE5MK73", "effective_from": "2020-01-01"})
    session_done("esketamine_nasal", devices=3, days_ago=7)  # an earlier visit: established
    visit = services.propose_for_session(ctx_for(biller), session_done("esketamine_nasal", devices=3))
    assert visit.established_patient and visit.payer == "medicare"
    assert codes(visit) == [("G2083", 1, Decimal("1289.82"))]


def test_esketamine_commercial_uses_j0013_units_and_clinician_time(biller, session_done, billing_setup, diagnosed):
    services.add_coverage(ctx_for(biller), diagnosed, {"kind": "commercial", "payer_name": "Aetna", "member_id": "W123",
                                                       "effective_from": "2020-01-01"})
    visit = services.propose_for_session(ctx_for(biller), session_done("esketamine_nasal", devices=2),
                                         {"clinician_minutes": "70", "established": "yes"})
    assert codes(visit) == [("J0013", 56, Decimal("672.00")), ("99215", 1, Decimal("250.00")),
                            ("99417", 2, Decimal("160.00"))]


def test_only_a_discharged_session_is_coded(biller, session_done, billing_setup):
    s = session_done("iv")
    s.status = "observing"
    s.save()
    with pytest.raises(Conflict):
        services.propose_for_session(ctx_for(biller), s)


def test_edit_needs_reason_whole_units_and_a_pointer_to_the_patients_diagnosis(biller, session_done, billing_setup):
    ctx = ctx_for(biller)
    visit = services.propose_for_session(ctx, session_done("iv", minutes=40))
    line = visit.active_lines().get(code="96365")
    with pytest.raises(ValidationFailed) as exc:
        services.edit_line(ctx, line, {"version": visit.version, "code": "96365", "units": "1.5",
                                       "diagnosis_pointers": "C", "reason": ""})
    assert set(exc.value.errors) == {"units", "diagnosis_pointers", "reason"}
    assert "points to no diagnosis" in exc.value.errors["diagnosis_pointers"][0]
    assert ChargeLine.objects.filter(visit=visit).count() == 2  # nothing written
    new = services.edit_line(ctx, line, {"version": visit.version, "code": "96365", "units": "1",
                                         "diagnosis_pointers": "AB", "reason": "Anxiety also treated"})
    line.refresh_from_db()
    assert line.status == "replaced" and new.replaces == line and new.diagnosis_pointers == "AB"
    event = AuditEvent.objects.get(action="billing.line_edit")
    assert event.detail["reason"] == "Anxiety also treated"


def test_stale_version_is_refused(biller, session_done, billing_setup):
    ctx = ctx_for(biller)
    visit = services.propose_for_session(ctx, session_done("iv"))
    line = visit.active_lines().first()
    services.remove_line(ctx, line, {"version": visit.version, "reason": "Duplicate"})
    with pytest.raises(Conflict):
        services.add_line(ctx, visit, {"version": visit.version, "code": "99215", "diagnosis_pointers": "A",
                                       "reason": "Separate E/M"})


def test_finalize_refuses_unpriced_lines_then_freezes_the_visit(biller, session_done, billing_setup):
    ctx = ctx_for(biller)
    visit = services.propose_for_session(ctx, session_done("iv"))
    visit = services.get_visit_for(ctx, visit.public_id)
    services.add_line(ctx, visit, {"version": visit.version, "code": "90785", "diagnosis_pointers": "A",
                                   "reason": "Interpreter"})
    visit.refresh_from_db()
    with pytest.raises(ValidationFailed, match="cannot be finalized") as exc:
        services.finalize_visit(ctx, visit, {"version": visit.version})
    assert "90785 has no price" in exc.value.errors["lines"][0]
    services.remove_line(ctx, visit.active_lines().get(code="90785"), {"version": visit.version, "reason": "No fee"})
    visit.refresh_from_db()
    visit = services.finalize_visit(ctx, visit, {"version": visit.version})
    assert visit.is_final
    with pytest.raises(Conflict):
        services.propose_for_session(ctx, visit.session)


@pytest.mark.parametrize("role", ["prescriber", "nurse", "therapist", "front_desk"])
def test_only_biller_and_admin_code(staff, role, session_done, billing_setup):
    from ketamine_clinic.accounts.permissions import Role

    with pytest.raises(PermissionDenied):
        services.propose_for_session(ctx_for(staff[Role(role)]), session_done("iv"))


def test_outsider_cannot_see_the_visit(biller, outsider_biller, session_done, billing_setup):
    visit = services.propose_for_session(ctx_for(biller), session_done("iv"))
    with pytest.raises(NotFound):
        services.get_visit_for(ctx_for(outsider_biller), visit.public_id)
    with pytest.raises(NotFound):
        services.get_session_for_billing(ctx_for(outsider_biller), visit.session.public_id)


@pytest.mark.parametrize("who, code", [("prescriber", "90792"), ("nurse", "90791")])
def test_a_completed_evaluation_is_coded_by_who_did_it(staff, biller, diagnosed, billing_setup, who, code):
    from ketamine_clinic.accounts.permissions import Role

    from tests.support.screening import complete

    evaluation = complete(staff[Role(who)], diagnosed)
    visit = services.propose_for_evaluation(ctx_for(biller), evaluation)
    assert [ln.code for ln in visit.active_lines()] == [code]
    assert visit.rendering_provider == staff[Role(who)] and visit.evaluation == evaluation
