"""Invoices from finalized visits; payments, refunds and adjustments as an append-only ledger."""

from decimal import Decimal

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied, Role
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import LedgerEntry
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(finalized_visit, front_desk):
    return services.issue_invoice(ctx_for(front_desk), finalized_visit())


def test_invoice_totals_the_finalized_lines_and_numbers_per_clinic(invoice, finalized_visit, front_desk):
    assert invoice.total_usd == Decimal("520.00") and invoice.number == 1
    assert services.balance_of(invoice) == Decimal("520.00")
    second = services.issue_invoice(ctx_for(front_desk), finalized_visit(days_ago=2))
    assert second.number == 2
    with pytest.raises(Conflict, match="already has an invoice"):
        services.issue_invoice(ctx_for(front_desk), invoice.visit)


def test_a_draft_visit_is_not_invoiced(biller, session_done, billing_setup):
    visit = services.propose_for_session(ctx_for(biller), session_done("iv"))
    with pytest.raises(Conflict, match="Finalize"):
        services.issue_invoice(ctx_for(biller), visit)


def test_payments_by_method_with_receipts_and_the_balance(invoice, front_desk):
    ctx = ctx_for(front_desk)
    p1 = services.record_payment(ctx, invoice, {"method": "cash", "amount_usd": "120.00"})
    p2 = services.record_payment(ctx, invoice, {"method": "hsa_fsa", "amount_usd": "400", "reference": "TERM-8812"})
    assert p1.receipt_number != p2.receipt_number and p1.receipt_number.startswith("R")
    assert services.balance_of(invoice) == Decimal("0.00")
    assert AuditEvent.objects.filter(action="billing.payment").count() == 2


@pytest.mark.parametrize("data, field, message", [
    ({"method": "cash", "amount_usd": "600"}, "amount_usd", "More than the balance"),
    ({"method": "cash", "amount_usd": "10.005"}, "amount_usd", "2 decimal"),
    ({"method": "cash", "amount_usd": "-10"}, "amount_usd", "negative"),
    ({"method": "cash", "amount_usd": "0"}, "amount_usd", "more than zero"),
    ({"method": "bitcoin", "amount_usd": "10"}, "method", "Choose"),
    ({"method": "card", "amount_usd": "10", "reference": "4111 1111 1111 1111"}, "reference", "card number"),
    ({"method": "check", "amount_usd": "10"}, "reference", "check number"),
])
def test_bad_payments_are_field_errors_and_write_nothing(invoice, front_desk, data, field, message):
    with pytest.raises(ValidationFailed) as exc:
        services.record_payment(ctx_for(front_desk), invoice, data)
    assert message in " ".join(exc.value.errors[field])
    assert LedgerEntry.objects.count() == 0


def test_an_overpayment_marked_as_credit_is_kept(invoice, front_desk):
    entry = services.record_payment(ctx_for(front_desk), invoice, {"method": "cash", "amount_usd": "600", "is_credit": "on"})
    assert entry.is_credit and services.balance_of(invoice) == Decimal("-80.00")


def test_refunds_and_adjustments_need_a_reason_and_the_biller(invoice, front_desk, biller):
    services.record_payment(ctx_for(front_desk), invoice, {"method": "cash", "amount_usd": "520"})
    with pytest.raises(PermissionDenied):
        services.record_refund(ctx_for(front_desk), invoice, {"amount_usd": "20", "method": "cash", "reason": "x"})
    with pytest.raises(ValidationFailed) as exc:
        services.record_refund(ctx_for(biller), invoice, {"amount_usd": "600", "method": "cash", "reason": ""})
    assert set(exc.value.errors) == {"reason"}
    with pytest.raises(ValidationFailed, match="Some fields"):
        services.record_refund(ctx_for(biller), invoice, {"amount_usd": "600", "method": "cash", "reason": "Too much"})
    services.record_refund(ctx_for(biller), invoice, {"amount_usd": "20", "method": "cash", "reason": "Courtesy"})
    services.record_adjustment(ctx_for(biller), invoice, {"amount_usd": "-20.00", "reason": "Courtesy discount"})
    assert services.balance_of(invoice) == Decimal("0.00")
    with pytest.raises(ValidationFailed, match="Some fields"):
        services.record_adjustment(ctx_for(biller), invoice, {"amount_usd": "-1", "reason": "Below zero"})


def test_clinical_roles_see_no_money_unless_the_clinic_allows_it(invoice, staff, clinic_admin):
    from ketamine_clinic.clinic_settings import change_setting

    nurse = staff[Role.NURSE]
    with pytest.raises(PermissionDenied):
        services.get_invoice_for(ctx_for(nurse), invoice.public_id)
    change_setting(ctx_for(clinic_admin), "billing.clinical_roles_see_payments", True, "Nurses take payments questions")
    assert services.get_invoice_for(ctx_for(nurse), invoice.public_id) == invoice


def test_outsider_never_sees_the_invoice(invoice, outsider_biller, outsider):
    for user in (outsider_biller, outsider):
        with pytest.raises(NotFound):
            services.get_invoice_for(ctx_for(user), invoice.public_id)


class FakeProcessor:
    calls: list = []

    def capture(self, *, amount_usd, token, description):
        FakeProcessor.calls.append(("capture", amount_usd, token, description))
        return f"fake-{len(FakeProcessor.calls)}"

    def refund(self, *, amount_usd, reference):
        FakeProcessor.calls.append(("refund", amount_usd, reference))
        return "fake-refund"


def test_a_configured_processor_captures_with_a_token_and_only_its_reference_is_kept(invoice, front_desk, settings):
    settings.BILLING_PAYMENT_PROCESSOR = "tests.billing.test_invoices.FakeProcessor"
    FakeProcessor.calls = []
    entry = services.record_payment(ctx_for(front_desk), invoice, {"method": "card", "amount_usd": "100", "token": "tok_1"})
    assert FakeProcessor.calls == [("capture", Decimal("100.00"), "tok_1", f"Invoice {invoice.number}")]
    assert entry.reference == "fake-1"


def test_a_refund_through_the_processor_keeps_its_reference(invoice, front_desk, biller, settings):
    settings.BILLING_PAYMENT_PROCESSOR = "tests.billing.test_invoices.FakeProcessor"
    FakeProcessor.calls = []
    paid = services.record_payment(ctx_for(front_desk), invoice, {"method": "card", "amount_usd": "100", "token": "tok_9"})
    refund = services.record_refund(ctx_for(biller), invoice, {"method": "card", "amount_usd": "40", "reason": "Partial",
                                                               "reference": paid.reference, "through_processor": True})
    assert FakeProcessor.calls[-1] == ("refund", Decimal("40.00"), paid.reference)
    assert refund.reference == "fake-refund" and services.balance_of(invoice) == Decimal("460.00")


def test_over_long_reason_is_a_field_error_never_cut(invoice, biller):
    with pytest.raises(ValidationFailed) as exc:
        services.record_adjustment(ctx_for(biller), invoice, {"amount_usd": "-5", "reason": "x" * 301})
    assert "At most 300 characters" in exc.value.errors["reason"][0]
    assert LedgerEntry.objects.count() == 0


def test_the_patients_balance_is_every_invoices_balance_summed_in_one_read(invoice, finalized_visit, front_desk, biller,
                                                                           django_assert_num_queries):
    from ketamine_clinic.billing.services.invoices import patient_balance

    second = services.issue_invoice(ctx_for(front_desk), finalized_visit(days_ago=2))
    services.record_payment(ctx_for(front_desk), invoice, {"method": "cash", "amount_usd": "520"})
    services.record_refund(ctx_for(biller), invoice, {"amount_usd": "20.50", "method": "cash", "reason": "Courtesy"})
    services.record_payment(ctx_for(front_desk), second, {"method": "cash", "amount_usd": "100.25"})
    services.record_adjustment(ctx_for(biller), second, {"amount_usd": "-19.75", "reason": "Courtesy discount"})
    expected = services.balance_of(invoice) + services.balance_of(second)
    assert expected == Decimal("20.50") + Decimal("520.00") - Decimal("100.25") - Decimal("19.75")
    with django_assert_num_queries(1):
        assert patient_balance(invoice.patient) == expected
