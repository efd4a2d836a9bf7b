"""Fee schedules (versioned, no shipped prices), practice and provider numbers, coverage, prior
authorizations (units counted from finalized lines) and superbills (PDF read back)."""

import datetime as dt
from decimal import Decimal

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import Coverage, FeeItem, FeeSchedule
from ketamine_clinic.billing.pdf import superbill_pdf
from ketamine_clinic.billing.services.setup import fee_for, schedule_on
from ketamine_clinic.billing.services.superbill import superbill_content, visits_in_period
from ketamine_clinic.core.errors import ValidationFailed

from tests.support.billing import pdf_text
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_no_prices_are_shipped(org):
    assert FeeSchedule.objects.count() == 0 and FeeItem.objects.count() == 0


@pytest.mark.parametrize("lines, message", [
    ("96365 -450.00", "negative"),
    ("96365 450.001", "2 decimal"),
    ("J3490 2.00", "NDC"),
    ("96365 450\n96365 460", "twice"),
    ("9636 450", "not a CPT/HCPCS"),
    ("96365", "CODE PRICE"),
])
def test_bad_fee_lines_are_refused_and_nothing_is_written(biller, lines, message):
    with pytest.raises(ValidationFailed) as exc:
        services.save_fee_schedule(ctx_for(biller), {"effective_from": "2026-01-01", "reason": "Prices", "lines": lines})
    assert message in " ".join(exc.value.errors["lines"])
    assert FeeSchedule.objects.count() == 0


def test_fee_schedule_versions_apply_by_effective_date(biller):
    ctx = ctx_for(biller)
    services.save_fee_schedule(ctx, {"effective_from": "2026-01-01", "reason": "2026", "lines": "96365 400"})
    services.save_fee_schedule(ctx, {"effective_from": "2026-07-01", "reason": "Mid-year", "lines": "96365 450\n99215-25 260"})
    assert fee_for(schedule_on(biller.organization_id, dt.date(2026, 3, 1)), "96365").price_usd == Decimal("400.00")
    july = schedule_on(biller.organization_id, dt.date(2026, 8, 1))
    assert july.version == 2 and fee_for(july, "99215", ["25"]).price_usd == Decimal("260.00")


def test_front_desk_cannot_edit_prices(front_desk):
    with pytest.raises(PermissionDenied):
        services.save_fee_schedule(ctx_for(front_desk), {"effective_from": "2026-01-01", "reason": "x", "lines": "96365 1"})


@pytest.mark.parametrize("data, field", [
    ({"kind": "commercial", "effective_from": "2026-01-01"}, "payer_name"),
    ({"kind": "commercial", "payer_name": "Aetna", "effective_from": "2026-01-01"}, "member_id"),
    ({"kind": "bartering", "effective_from": "2026-01-01"}, "kind"),
    ({"kind": "self_pay", "effective_from": "2026-02-01", "effective_to": "2026-01-01"}, "effective_to"),
    ({"kind": "self_pay", "effective_from": "2026-01-01", "plan_name": "x" * 151}, "plan_name"),
])
def test_bad_coverage_is_refused(front_desk, patient, data, field):
    with pytest.raises(ValidationFailed) as exc:
        services.add_coverage(ctx_for(front_desk), patient, data)
    assert field in exc.value.errors
    assert Coverage.objects.count() == 0


def test_explicit_self_pay_and_coverage_by_date(front_desk, patient):
    ctx = ctx_for(front_desk)
    services.add_coverage(ctx, patient, {"kind": "self_pay", "effective_from": "2026-01-01", "effective_to": "2026-06-30"})
    aetna = services.add_coverage(ctx, patient, {"kind": "commercial", "payer_name": "Aetna", "member_id": "W1",
                                                 "in_network": "no", "effective_from": "2026-07-01"})
    assert services.coverage_on(patient, dt.date(2026, 3, 1)).is_self_pay
    assert services.coverage_on(patient, dt.date(2026, 8, 1)) == aetna and aetna.in_network is False
    services.mark_coverage_in_error(ctx, aetna, "Wrong patient")
    assert services.coverage_on(patient, dt.date(2026, 8, 1)) is None


def test_prior_authorization_units_are_used_by_finalized_lines(biller, diagnosed, session_done, billing_setup):
    ctx = ctx_for(biller)
    today = dt.date.today()
    pa = services.add_prior_authorization(ctx, diagnosed, {
        "payer_name": "Aetna", "number": "PA-1", "codes": "96365, J3490", "units_approved": "3",
        "start_on": (today - dt.timedelta(days=10)).isoformat(), "end_on": (today + dt.timedelta(days=10)).isoformat()})
    visit = services.propose_for_session(ctx, session_done("iv"))
    assert services.authorization_usage(pa).units_used == 0  # a draft uses nothing
    services.finalize_visit(ctx, visit, {"version": visit.version})
    usage = services.authorization_usage(pa)
    assert (usage.units_used, usage.units_left) == (2, 1)
    assert any("1 of 3 units left" in w for w in usage.warnings) and any("ends in 10 days" in w for w in usage.warnings)


def test_prior_authorization_bad_input(biller, patient):
    with pytest.raises(ValidationFailed) as exc:
        services.add_prior_authorization(ctx_for(biller), patient, {"payer_name": "A", "number": "1", "codes": "J13",
                                                                    "units_approved": "2.5", "start_on": "2026-02-01",
                                                                    "end_on": "2026-01-01"})
    assert set(exc.value.errors) == {"codes", "units_approved", "end_on"}


def test_superbill_pdf_has_the_fields_of_practice_2_3(biller, front_desk, finalized_visit, diagnosed):
    diagnosed.address_line, diagnosed.city, diagnosed.region = "5 Elm St", "Albany", "NY"
    diagnosed.save()
    services.add_coverage(ctx_for(front_desk), diagnosed, {"kind": "commercial", "payer_name": "Aetna", "member_id": "W998",
                                                           "in_network": "no", "effective_from": "2020-01-01"})
    visit = finalized_visit()
    invoice = services.issue_invoice(ctx_for(front_desk), visit)
    services.record_payment(ctx_for(front_desk), invoice, {"method": "cash", "amount_usd": "520"})
    today = dt.date.today()
    bill = superbill_content(ctx_for(biller), diagnosed, visits_in_period(diagnosed, today - dt.timedelta(days=2), today + dt.timedelta(days=1)),
                             "this week")
    text = pdf_text(superbill_pdf(bill))
    for expected in ("Jordan Avery", "1984-05-17", "5 Elm St", "W998",  # patient
                     "NPI 1588667638", "licence MD-204711 (NY)",  # rendering provider
                     "Test Clinic PLLC", "TIN 123456789", "(555) 010-1000",  # practice
                     f"{visit.service_date} POS 11 96365", "J3490", "NDC 00409205150 MG 35.00", "dx A", "A. F33.2",  # lines
                     "Total charged: $520.00", "Amount paid: $520.00", "PAID IN FULL", "signature"):
        assert expected in text, expected
