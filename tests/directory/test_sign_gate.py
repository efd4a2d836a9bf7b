"""A prescriber whose recorded licence or DEA registration has expired signs no orders: eligibility
approvals, plan activation and dose changes are refused (409) with the reason; a decline is not an order."""

import datetime as dt

import pytest

from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.directory import services
from ketamine_clinic.plans import services as plan_services
from ketamine_clinic.plans.models import PlanStatus
from ketamine_clinic.screening import services as screening_services
from ketamine_clinic.screening.models import EligibilityDecision

from tests.support.people import ctx_for
from tests.support.plans import NOW
from tests.support.screening import approve, complete

TODAY = dt.date(2030, 3, 1)


def _profile(user, dea_expires_on=None, licence_expires_on=None):
    if dea_expires_on:
        services.save_profile(ctx_for(user), user.public_id, {"dea_number": "AB1234563", "dea_expires_on": dea_expires_on})
    if licence_expires_on:
        services.save_licence(ctx_for(user), user.public_id, {"state": "NY", "number": "MD-1", "expires_on": licence_expires_on})


@pytest.mark.parametrize("dea, licence, blocked_by", [
    (None, None, None),                        # nothing recorded: nothing to read, not blocked
    ("2030-03-01", "2030-03-01", None),        # valid through the day of expiry
    ("2030-02-28", None, "DEA registration AB1234563 expired on 2030-02-28"),
    (None, "2030-02-28", "no current state licence (NY MD-1 expired on 2030-02-28)"),
])
def test_prescriber_block_reason_reads_the_recorded_profile(prescriber, dea, licence, blocked_by):
    _profile(prescriber, dea, licence)
    reason = services.prescriber_block_reason(prescriber, TODAY)
    assert (reason is None) if blocked_by is None else (blocked_by in reason and "cannot sign orders" in reason)


def test_one_current_licence_among_expired_ones_is_enough(prescriber):
    _profile(prescriber, licence_expires_on="2029-12-31")
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NJ", "number": "NJ-1", "expires_on": "2031-01-01"})
    assert services.prescriber_block_reason(prescriber, TODAY) is None


def test_an_expired_dea_refuses_an_eligibility_approval_but_not_a_decline(prescriber, patient, clinic_today):
    ev = complete(prescriber, patient)
    _profile(prescriber, dea_expires_on=(clinic_today - dt.timedelta(days=1)).isoformat())
    with pytest.raises(Conflict) as exc:
        approve(prescriber, patient, ev, "iv")
    assert "DEA registration" in exc.value.message and "decision" in exc.value.errors
    assert not EligibilityDecision.objects.filter(decision="approve").exists()
    screening_services.sign_decision(ctx_for(prescriber), patient, {
        "evaluation": str(ev.public_id), "route": "iv", "decision": "decline", "override_reason": ""})
    assert EligibilityDecision.objects.get().decision == "decline"
    _profile(prescriber, dea_expires_on=(clinic_today + dt.timedelta(days=365)).isoformat())  # renewed
    assert approve(prescriber, patient, ev, "iv").decision == "approve"


def test_an_expired_licence_refuses_plan_activation_and_dose_changes(prescriber, ready, draft):
    ready()
    plan = draft()
    _profile(prescriber, licence_expires_on="2030-02-28")  # the day before NOW
    with pytest.raises(Conflict) as exc:
        plan_services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert "no current state licence" in exc.value.message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.appointments.exists()
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NY", "number": "MD-2", "expires_on": "2032-01-01"})
    plan, _ = plan_services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert plan.status == PlanStatus.ACTIVE
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NY", "number": "MD-2", "expires_on": "2030-02-01"})
    with pytest.raises(Conflict):
        plan_services.change_dose(ctx_for(prescriber), plan, {"dose": "0.6", "reason": "Partial response"}, now=NOW)
    assert plan.doses.count() == 1
