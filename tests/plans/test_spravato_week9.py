"""Spravato week 9 on: the maintenance proposal offers weekly or every 2 weeks; the prescriber chooses."""

import datetime as dt

import pytest

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.plans import services

from tests.support.people import ctx_for
from tests.support.plans import NOW

AFTER_INDUCTION = dt.datetime(2030, 4, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def esketamine_induction(prescriber, draft, ready):
    ready("esketamine_nasal")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(protocol="esketamine-trd"), now=NOW)
    return services.change_status(ctx_for(prescriber), plan, "completed", "Induction finished", now=AFTER_INDUCTION)


def continuation(visits):
    return [v for v in visits if v["phase_name"] == "maintenance-continuation"]


@pytest.mark.parametrize("choice, interval", [(None, 7), (7, 7), (14, 14)])
def test_accepting_esketamine_maintenance_books_week_9_at_the_chosen_interval(prescriber, esketamine_induction, choice, interval):
    proposal = esketamine_induction.booster_proposals.get()
    offered = continuation(proposal.visits)
    assert offered and all(v["interval_options_days"] == [7, 14] for v in offered)
    choices = {"maintenance-continuation": choice} if choice else None
    proposal = services.accept_proposal(ctx_for(prescriber), proposal, "Agreed", now=AFTER_INDUCTION, interval_choices=choices)
    assert {v["interval_days"] for v in continuation(proposal.visits)} == {interval}
    assert [v["interval_days"] for v in proposal.visits if v["phase_name"] == "maintenance-weekly"] == [7] * 4
    assert proposal.result_plan.appointments.count() == len(proposal.visits)


def test_an_interval_not_offered_is_refused_and_nothing_is_booked(prescriber, esketamine_induction):
    proposal = esketamine_induction.booster_proposals.get()
    with pytest.raises(ValidationFailed) as exc:
        services.accept_proposal(ctx_for(prescriber), proposal, now=AFTER_INDUCTION,
                                 interval_choices={"maintenance-continuation": 21})
    assert "interval_choices.maintenance-continuation" in exc.value.errors
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and proposal.result_plan is None


def test_the_plan_page_offers_the_week_9_choice_and_books_it(client_for, prescriber, esketamine_induction):
    proposal = esketamine_induction.booster_proposals.get()
    client = client_for(prescriber)
    page = client.get(f"/plans/{esketamine_induction.public_id}/").content.decode()
    assert 'name="interval__maintenance-continuation"' in page and "least frequent that keeps response" in page
    bad = client.post(f"/plans/proposals/{proposal.public_id}/accept/", {"interval__maintenance-continuation": "x"})
    assert bad.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    client.post(f"/plans/proposals/{proposal.public_id}/accept/", {"interval__maintenance-continuation": "14"})
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and {v["interval_days"] for v in continuation(proposal.visits)} == {14}
