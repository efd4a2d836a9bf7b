"""A prescriber whose recorded licence or DEA registration has expired signs no orders: eligibility
approvals, plan activation and dose changes are refused (409) with the reason; a decline is not an order."""

import datetime as dt

import pytest

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.clinical.session import ItemStatus
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.directory import services
from ketamine_clinic.plans import services as plan_services
from ketamine_clinic.plans.models import PlanStatus, TreatmentPlan
from ketamine_clinic.screening import services as screening_services
from ketamine_clinic.screening.models import EligibilityDecision
from ketamine_clinic.treatments import facts

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
    assert "no current NY licence for an order at Main" in exc.value.message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.appointments.exists()
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NY", "number": "MD-2", "expires_on": "2032-01-01"})
    plan, _ = plan_services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert plan.status == PlanStatus.ACTIVE
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NY", "number": "MD-2", "expires_on": "2030-02-01"})
    with pytest.raises(Conflict):
        plan_services.change_dose(ctx_for(prescriber), plan, {"dose": "0.6", "reason": "Partial response"}, now=NOW)
    assert plan.doses.count() == 1


# --- licences matched to the state of the session's or plan's location -------------------------------

def _licence(user, state, expires_on="2032-01-01", number=None):
    services.save_licence(ctx_for(user), user.public_id, {"state": state, "number": number or f"{state}-1", "expires_on": expires_on})


@pytest.mark.parametrize("region, licences, blocked_by", [
    ("NY", [("NY", "2032-01-01")], None),
    ("New York", [("NY", "2032-01-01")], None),                 # a region typed out in full
    ("ny", [("NJ", "2032-01-01"), ("NY", "2032-01-01")], None),
    ("ME", [("NY", "2032-01-01")], "no current ME licence for an order at Main in ME (recorded: NY NY-1)"),
    ("ME", [("ME", "2030-02-28"), ("NY", "2032-01-01")], "no current ME licence"),  # the ME licence expired
])
def test_an_order_at_a_location_needs_a_current_licence_in_its_state(prescriber, location, region, licences, blocked_by):
    location.region = region
    location.save()
    for state, expires in licences:
        _licence(prescriber, state, expires)
    reason = services.prescriber_block_reason(prescriber, TODAY, location)
    assert (reason is None) if blocked_by is None else (blocked_by in reason and "cannot sign orders" in reason)


def test_a_location_without_a_state_warns_or_blocks_by_clinic_policy(prescriber, location, clinic_admin):
    location.region = "Ontario"
    location.save()
    assert services.location_state_warning(prescriber, location) == ""  # no licence recorded: nothing to match
    _licence(prescriber, "NY")
    assert services.prescriber_block_reason(prescriber, TODAY, location) is None  # any current licence, with a warning
    assert "'Ontario' is not a US state" in services.location_state_warning(prescriber, location)
    change_setting(ctx_for(clinic_admin), "directory.block_when_location_state_unknown", True, "Licence state must match")
    assert "has no US state recorded" in services.prescriber_block_reason(prescriber, TODAY, location)
    assert services.location_state_warning(prescriber, location) == ""  # blocked instead


def test_a_plan_at_a_location_in_another_state_is_refused_until_licensed_there(prescriber, ready, draft, location):
    """A prescriber licensed in NY (e.g. who otherwise treats by telehealth from New York) cannot sign a
    plan at the clinic's Maine location until a Maine licence is recorded."""
    ready()
    plan = draft()
    _licence(prescriber, "NY")
    location.region = "ME"
    location.save()
    plan = TreatmentPlan.objects.get(pk=plan.pk)  # the plan reads its location as now recorded
    with pytest.raises(Conflict) as exc:
        plan_services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert "no current ME licence" in exc.value.message and "plan" in exc.value.errors
    _licence(prescriber, "ME", number="MD-ME-9")
    plan, _ = plan_services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert plan.status == PlanStatus.ACTIVE


def test_the_checklist_stops_on_a_session_in_another_state_and_warns_without_a_state(dosing_ready, nurse, prescriber):
    session = dosing_ready("iv")
    _licence(prescriber, "NJ")
    item = next(i for i in facts.checklist_for(session).items if i.key == "ordering_prescriber")
    assert item.status == ItemStatus.HARD_STOP and "no current NY licence" in item.message
    session.location.region = ""
    session.location.save()
    result = facts.checklist_for(session)
    warning = next(i for i in result.items if i.key == "ordering_prescriber_state")
    assert warning.status == ItemStatus.OK and warning.message.startswith("Warning: The location Main has no US state")
    assert next(i for i in result.items if i.key == "ordering_prescriber").status == ItemStatus.OK
