"""Boosters: the maintenance taper proposed when induction ends; an earlier booster on relapse."""

import datetime as dt

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.plans import services
from ketamine_clinic.plans.models import BoosterProposal

from tests.support.api import assert_error
from tests.support.errors import NotFound
from tests.support.people import ctx_for
from tests.support.plans import NOW, local

AFTER_INDUCTION = dt.datetime(2030, 3, 16, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def induction(prescriber, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    return services.change_status(ctx_for(prescriber), plan, "completed", "Induction finished", now=AFTER_INDUCTION)


def test_completing_induction_proposes_the_maintenance_taper(induction):
    proposal = induction.booster_proposals.get()
    assert proposal.kind == "maintenance" and proposal.status == "proposed"
    assert proposal.protocol_key == "iv-racemic-maintenance" and proposal.source == "ketect-pmc7265624"
    due = [v["due_date"] for v in proposal.visits]
    assert len(due) == 11 and due[0] == "2030-03-22"  # a week after the last infusion (Fri 15 March)
    intervals = [v["interval_days"] for v in proposal.visits]
    assert intervals == [7] * 4 + [14] * 4 + [28] * 3


def test_accepting_books_a_signed_maintenance_plan(prescriber, induction):
    proposal = induction.booster_proposals.get()
    with pytest.raises(PermissionDenied):
        services.accept_proposal(ctx_for(induction.created_by), proposal, now=AFTER_INDUCTION)
    proposal = services.accept_proposal(ctx_for(prescriber), proposal, "Agreed with patient", now=AFTER_INDUCTION)
    maintenance = proposal.result_plan
    assert proposal.status == "accepted" and maintenance.kind == "maintenance" and maintenance.status == "active"
    assert maintenance.follows == induction and maintenance.current_dose.signed_by == prescriber
    booked = list(maintenance.appointments.order_by("start_at"))
    assert len(booked) == 11
    for appt, visit in zip(booked, proposal.visits):
        assert local(appt).date() >= dt.date.fromisoformat(visit["due_date"]) and local(appt).weekday() < 5
        assert appt.phase_name == visit["phase_name"]
    with pytest.raises(Conflict):
        services.accept_proposal(ctx_for(prescriber), proposal, now=AFTER_INDUCTION)


def test_declining_needs_a_reason_and_books_nothing(prescriber, induction):
    proposal = induction.booster_proposals.get()
    with pytest.raises(ValidationFailed):
        services.decline_proposal(ctx_for(prescriber), proposal, "")
    proposal = services.decline_proposal(ctx_for(prescriber), proposal, "Patient prefers to wait")
    assert proposal.status == "declined" and proposal.decision_reason == "Patient prefers to wait"
    assert induction.followed_by.count() == 0


def test_a_relapse_note_proposes_an_earlier_booster_and_accepting_books_it(prescriber, nurse, induction):
    maintenance = services.accept_proposal(ctx_for(prescriber), induction.booster_proposals.get(), now=AFTER_INDUCTION).result_plan
    july = dt.datetime(2030, 7, 10, 15, 0, tzinfo=dt.UTC)  # after the first monthly booster (Fri 5 July)
    with pytest.raises(ValidationFailed):
        services.signal_relapse(ctx_for(nurse), maintenance, {"note": ""}, now=july)
    proposal = services.signal_relapse(ctx_for(nurse), maintenance,
                                       {"note": "Low mood returning for a week", "signal_date": "2030-07-10"}, now=july)
    assert proposal.kind == "relapse" and proposal.signal_note == "Low mood returning for a week"
    visit = proposal.visits[0]
    assert visit == {"due_date": "2030-07-10", "phase_name": "maintenance-every-2-weeks", "interval_days": 14,
                     "source": "ketect-pmc7265624"}
    assert "every 14 days" in proposal.explanation
    before = maintenance.appointments.filter(status="booked").count()
    services.accept_proposal(ctx_for(prescriber), proposal, now=july)
    maintenance.refresh_from_db()
    assert maintenance.phase_name == "maintenance-every-2-weeks"
    booster = maintenance.appointments.filter(status="booked", start_at__gte=july).order_by("start_at").first()
    assert local(booster).date() == dt.date(2030, 7, 10)
    assert maintenance.appointments.filter(status="booked").count() == before + 1


def test_relapse_needs_a_protocol_with_a_relapse_rule(nurse, prescriber, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    with pytest.raises(Conflict):
        services.signal_relapse(ctx_for(nurse), plan, {"note": "Worse"}, now=AFTER_INDUCTION)
    assert BoosterProposal.objects.count() == 0


def test_the_last_induction_session_done_proposes_maintenance(prescriber, nurse, draft, ready):
    from ketamine_clinic.plans import scheduling

    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    for appt in plan.appointments.order_by("start_at"):
        for status in ("checked_in", "in_session", "done"):
            appt = scheduling.set_appointment_status(ctx_for(nurse), appt, status)
        if appt.session_number < 6:
            assert not plan.booster_proposals.exists()
    proposal = plan.booster_proposals.get()
    assert proposal.kind == "maintenance" and proposal.visits[0]["due_date"] == "2030-03-22"
    services.change_status(ctx_for(prescriber), plan, "completed", "Induction finished", now=AFTER_INDUCTION)
    assert plan.booster_proposals.count() == 1  # not proposed twice


def test_the_outsider_can_neither_read_nor_accept_our_proposal(api, outsider, induction):
    proposal = induction.booster_proposals.get()
    with pytest.raises(NotFound):
        services.get_proposal_for(ctx_for(outsider), proposal.public_id)
    assert_error(api(outsider, "post", f"/booster-proposals/{proposal.public_id}/accept", {"reason": "Agreed"}), 404)
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and proposal.result_plan is None
