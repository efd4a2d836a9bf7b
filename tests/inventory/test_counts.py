"""Counts, discrepancies, the significant-loss assessment and the DEA deadlines."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.models import Count, Deadline, DeadlineKind, Discrepancy, LedgerEvent
from ketamine_clinic.inventory.rules.deadlines import loss_deadlines
from ketamine_clinic.inventory.services._common import container_balance
from ketamine_clinic.inventory.services.reads import due_deadlines_for

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def _count(admin, location, lines, **extra):
    return services.record_count(ctx_for(admin), {"location": location.public_id, "timing": "close", "lines": lines, **extra})


def test_a_matching_count_opens_nothing_and_changes_no_balance(clinic_admin, location, vials):
    count = _count(clinic_admin, location, {v.label: {"counted_ml": "10"} for v in vials})
    assert count.lines.count() == 2 and not Discrepancy.objects.exists()
    assert all(container_balance(v).mg == Decimal("500") for v in vials)
    assert LedgerEvent.objects.filter(event_type="count").count() == 2


def test_a_count_must_cover_every_container_in_stock(clinic_admin, location, vials):
    with pytest.raises(ValidationFailed) as exc:
        _count(clinic_admin, location, {vials[0].label: "10"})
    assert vials[1].label in exc.value.errors["lines"][0]
    with pytest.raises(ValidationFailed) as exc:
        _count(clinic_admin, location, {v.label: "10" for v in vials}, timing="noon")
    assert "opening or the close" in exc.value.errors["timing"][0]
    assert not Count.objects.exists()


def test_a_short_count_opens_a_discrepancy_that_a_minor_explanation_resolves(clinic_admin, location, vials):
    _count(clinic_admin, location, {vials[0].label: "9.98", vials[1].label: {"counted_ml": "10", "estimated": True}})
    case = Discrepancy.objects.get()
    assert case.difference_ml == Decimal("-0.02") and case.difference_mg == Decimal("-1")
    with pytest.raises(ValidationFailed):
        services.resolve_discrepancy(ctx_for(clinic_admin), {"discrepancy": case.public_id, "explanation": ""})
    services.resolve_discrepancy(ctx_for(clinic_admin), {"discrepancy": case.public_id,
                                                         "explanation": "Dead space in the vial: measurement error"})
    case.refresh_from_db()
    assert case.status == "resolved" and not case.must_report and not Deadline.objects.exists()
    assert case.resolution_event.event_type == "adjust_out"  # annotated, not a reportable loss
    assert container_balance(vials[0]).ml == Decimal("9.98")


def test_a_significant_loss_starts_both_deadlines_shown_to_clinic_admins(clinic_admin, nurse, location, vials):
    _count(clinic_admin, location, {vials[0].label: "4", vials[1].label: "10"})
    case = Discrepancy.objects.get()
    services.resolve_discrepancy(ctx_for(clinic_admin), {"discrepancy": case.public_id, "explanation": "6 mL unaccounted for",
                                                         "judged_significant": True, "quantity_relative": True})
    assert Discrepancy.objects.get().resolution_event.event_type == "loss"
    due = loss_deadlines(timezone.localdate())
    found = {d.kind: d.due_on for d in due_deadlines_for(clinic_admin)}
    assert found == {DeadlineKind.WRITTEN_NOTICE: due.written_notice_due, DeadlineKind.FORM_106: due.form_106_due}
    with pytest.raises(PermissionDenied):
        due_deadlines_for(nurse)
    notice = Deadline.objects.get(kind=DeadlineKind.WRITTEN_NOTICE)
    services.mark_done(ctx_for(clinic_admin), {"deadline": notice.public_id, "note": "Faxed to the field division"})
    assert [d.kind for d in due_deadlines_for(clinic_admin)] == [DeadlineKind.FORM_106]


def test_a_pattern_of_small_losses_is_always_significant(clinic_admin, location, vials):
    _count(clinic_admin, location, {vials[0].label: "9.99", vials[1].label: "10"})
    case = Discrepancy.objects.get()
    services.resolve_discrepancy(ctx_for(clinic_admin), {"discrepancy": case.public_id, "explanation": "Third small loss this month",
                                                         "pattern": "on"})
    case.refresh_from_db()
    assert case.must_report and Deadline.objects.count() == 2


def test_theft_is_recorded_and_starts_the_deadlines_at_once(clinic_admin, vials):
    case = services.record_loss(ctx_for(clinic_admin), {"container": vials[0].label, "all": True, "theft": True,
                                                        "explanation": "Vial missing from the locked cabinet",
                                                        "discovered_on": "2026-11-25"})
    assert container_balance(vials[0]).mg == 0 and case.must_report
    notice = case.deadlines.get(kind=DeadlineKind.WRITTEN_NOTICE)
    assert notice.due_on == dt.date(2026, 11, 27)  # Thanksgiving skipped
    assert case.deadlines.get(kind=DeadlineKind.FORM_106).due_on == dt.date(2027, 1, 9)


@pytest.mark.parametrize("role", ["nurse", "prescriber", "front_desk", "therapist"])
def test_only_clinic_admins_count(request, role, location, vials):
    with pytest.raises(PermissionDenied):
        _count(request.getfixturevalue(role), location, {v.label: "10" for v in vials})


def test_the_outsider_cannot_count_our_location(outsider, location, vials):
    with pytest.raises(ValidationFailed) as exc:
        _count(outsider, location, {v.label: "10" for v in vials})
    assert "location" in exc.value.errors
    assert not Count.objects.exists()


def test_daily_count_gate_blocks_the_first_draw_until_counted(clinic_admin, nurse, patient, location, vials):
    from ketamine_clinic.clinic_settings import change_setting

    change_setting(ctx_for(clinic_admin), "inventory.daily_count_required", True, "Board of pharmacy rule")
    data = {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "10"}
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(nurse), data)
    assert "count" in exc.value.errors["container"][0]
    _count(clinic_admin, location, {v.label: "10" for v in vials}, timing="opening", kind="daily")
    assert services.draw(ctx_for(nurse), data).event.quantity_mg == Decimal("10")
