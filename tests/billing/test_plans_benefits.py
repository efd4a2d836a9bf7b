"""Payment plans (at most 4 instalments, no interest, no fees, unless the clinic allows more) and
benefits checks recorded with who, when and the answer."""

import datetime as dt
from decimal import Decimal

import pytest

from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import BenefitsCheck, PaymentPlan
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict, ValidationFailed

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(finalized_visit, front_desk):
    return services.issue_invoice(ctx_for(front_desk), finalized_visit())


def test_plan_splits_the_balance_without_interest_and_tracks_payments(invoice, front_desk):
    ctx = ctx_for(front_desk)
    services.record_payment(ctx, invoice, {"method": "cash", "amount_usd": "20"})
    plan = services.create_payment_plan(ctx, invoice, {"instalments": "3", "first_due_on": "2026-01-31"})
    assert plan.total_usd == Decimal("500.00")
    assert [i["due_on"] for i in plan.instalments] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert sum(Decimal(i["amount_usd"]) for i in plan.instalments) == Decimal("500.00")
    services.record_payment(ctx, invoice, {"method": "cash", "amount_usd": "166.68"})
    states = [r["state"] for r in services.plan_status(plan, today=dt.date(2026, 3, 1))]
    assert states == ["paid", "overdue", "due"]
    with pytest.raises(Conflict):
        services.create_payment_plan(ctx, invoice, {"instalments": "2"})


def test_more_than_four_instalments_needs_the_clinic_setting(invoice, front_desk, clinic_admin):
    with pytest.raises(ValidationFailed) as exc:
        services.create_payment_plan(ctx_for(front_desk), invoice, {"instalments": "6"})
    assert "Truth in Lending" in exc.value.errors["instalments"][0]
    assert PaymentPlan.objects.count() == 0
    change_setting(ctx_for(clinic_admin), "billing.payment_plan_over_four_instalments", True, "Reviewed by counsel")
    assert len(services.create_payment_plan(ctx_for(front_desk), invoice, {"instalments": "6"}).instalments) == 6


def test_fractional_instalments_are_refused(invoice, front_desk):
    with pytest.raises(ValidationFailed) as exc:
        services.create_payment_plan(ctx_for(front_desk), invoice, {"instalments": "2.5"})
    assert "whole" in exc.value.errors["instalments"][0]


def test_benefits_check_is_recorded_with_the_answer(front_desk, biller, patient):
    ctx = ctx_for(front_desk)
    cov = services.add_coverage(ctx, patient, {"kind": "commercial", "payer_name": "Aetna", "member_id": "W1",
                                               "effective_from": "2026-01-01"})
    check = services.record_benefits_check(ctx, cov, {"method": "phone", "reference": "CALL-123", "coverage_active": "yes",
                                                      "mental_health_covered": "yes", "copay_usd": "40",
                                                      "coinsurance_percent": "20", "answer": "Covered after deductible"})
    assert check.service_type_codes == ["30", "MH"] and check.copay_usd == Decimal("40.00") and check.checked_by == front_desk
    with pytest.raises(ValidationFailed) as exc:
        services.record_benefits_check(ctx, cov, {"method": "fax", "service_type_codes": "ZZ", "coinsurance_percent": "120",
                                                  "answer": ""})
    assert set(exc.value.errors) == {"method", "service_type_codes", "coinsurance_percent", "answer"}
    assert BenefitsCheck.objects.count() == 1


def test_payment_plan_and_benefits_check_through_the_pages(client_for, front_desk, invoice, patient):
    c = client_for(front_desk)
    r = c.post(f"/billing/invoices/{invoice.public_id}/payment-plan/", {"instalments": "5"})
    assert r.status_code == 422 and "Truth in Lending" in r.content.decode()
    r = c.post(f"/billing/invoices/{invoice.public_id}/payment-plan/", {"instalments": "4"})
    assert r.status_code == 302
    assert "no interest" in c.get(r["Location"]).content.decode().lower()
