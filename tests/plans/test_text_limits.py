"""A reason a person typed is never cut: one longer than its column is refused with a field error
and nothing is written; one that fits is kept whole, and the timeline line quoting it is shortened
visibly (an ellipsis) instead of overflowing its column (a 500 on PostgreSQL)."""

import pytest

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.plans import scheduling, services
from ketamine_clinic.plans.models import AppointmentChange, AppointmentStatus, BoosterProposal, PlanStatusChange

from tests.support.people import ctx_for
from tests.support.plans import NOW
from .test_boosters import AFTER_INDUCTION, induction  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 501  # every reason column here holds 500


def _activate(prescriber, fixture, reason):
    draft, ready = fixture("draft"), fixture("ready")
    ready("iv")
    plan = draft()
    changes = PlanStatusChange.objects.filter(plan=plan).count()
    return lambda: services.activate_plan(ctx_for(prescriber), plan, reason, now=NOW), \
        lambda: PlanStatusChange.objects.filter(plan=plan).count() == changes and plan.appointments.count() == 0


def _pause(prescriber, fixture, reason):
    draft, ready = fixture("draft"), fixture("ready")
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    changes = PlanStatusChange.objects.filter(plan=plan).count()
    return lambda: services.change_status(ctx_for(prescriber), plan, "paused", reason, now=NOW), \
        lambda: PlanStatusChange.objects.filter(plan=plan).count() == changes


def _accept(prescriber, fixture, reason):
    proposal = fixture("induction").booster_proposals.get()
    return lambda: services.accept_proposal(ctx_for(prescriber), proposal, reason, now=AFTER_INDUCTION), \
        lambda: BoosterProposal.objects.get(pk=proposal.pk).status == "proposed"


def _decline(prescriber, fixture, reason):
    proposal = fixture("induction").booster_proposals.get()
    return lambda: services.decline_proposal(ctx_for(prescriber), proposal, reason, now=AFTER_INDUCTION), \
        lambda: BoosterProposal.objects.get(pk=proposal.pk).status == "proposed"


def _cancel(prescriber, fixture, reason):
    draft, ready = fixture("draft"), fixture("ready")
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    appt = plan.appointments.first()
    return lambda: scheduling.cancel_appointment(ctx_for(prescriber), appt, reason, now=NOW), \
        lambda: appt.__class__.objects.get(pk=appt.pk).status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("act", [_activate, _pause, _accept, _decline, _cancel],
                         ids=["activate", "pause", "accept booster", "decline booster", "cancel appointment"])
def test_an_over_long_reason_is_refused_on_its_field_and_nothing_is_written(prescriber, request, act):
    do, unchanged = act(prescriber, request.getfixturevalue, TOO_LONG)
    timeline_before = TimelineEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        do()
    assert "500 characters" in err.value.errors["reason"][0]
    assert unchanged() and TimelineEvent.objects.count() == timeline_before


def test_a_declined_booster_keeps_the_whole_reason_and_the_timeline_line_shows_the_cut(prescriber, induction):
    reason = "Patient prefers to wait; " + "r" * 475  # 500 characters: fits its column
    proposal = services.decline_proposal(ctx_for(prescriber), induction.booster_proposals.get(), reason,
                                         now=AFTER_INDUCTION)
    assert BoosterProposal.objects.get(pk=proposal.pk).decision_reason == reason
    line = TimelineEvent.objects.filter(kind="plan").order_by("-id").first().summary
    assert len(line) == 300 and line.endswith("…") and "declined: Patient prefers to wait; " in line


def test_a_cancelled_appointment_keeps_the_whole_reason_and_the_timeline_line_shows_the_cut(prescriber, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    reason = "c" * 500
    appt = scheduling.cancel_appointment(ctx_for(prescriber), plan.appointments.first(), reason, now=NOW)
    assert AppointmentChange.objects.get(appointment=appt, action="cancelled").reason == reason
    line = TimelineEvent.objects.filter(kind="appointment").order_by("-id").first().summary
    assert len(line) == 300 and line.endswith("…")
