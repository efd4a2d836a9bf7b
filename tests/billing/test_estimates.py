"""Good-faith estimates from a treatment plan: every required element of 45 CFR 149.610(c), the
PDF read back, versions, the deadline items and the $400 dispute notice on the invoice."""

import datetime as dt
from decimal import Decimal

import pytest

from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import EstimateDue, GoodFaithEstimate
from ketamine_clinic.billing.pdf import estimate_pdf
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.plans.models import PlanDose, TreatmentPlan

from tests.support.billing import pdf_text
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def iv_plan(diagnosed, location, prescriber):
    """A six-session IV series (0.5 mg/kg over 40 min) for a 70 kg patient."""
    from ketamine_clinic.plans.services.protocol_store import library_entry

    entry = library_entry(diagnosed.organization, "iv-racemic-induction")
    plan = TreatmentPlan.objects.create(
        organization=diagnosed.organization, patient=diagnosed, protocol_source="library", protocol_key=entry.key,
        protocol_version=entry.version, protocol_title=entry.title, protocol_data=entry.data, route="iv",
        phase_name="Induction", session_count=6, location=location, start_date=dt.date(2026, 12, 14),
        preferred_time=dt.time(9), status="active", created_by=prescriber, activated_by=prescriber)
    PlanDose.objects.create(plan=plan, version=1, dose=Decimal("0.5"), unit="mg/kg", reason="Protocol default",
                            created_by=prescriber, signed_by=prescriber)
    return plan


def test_six_session_iv_estimate_contains_every_required_element(iv_plan, biller, billing_setup, diagnosed):
    est = services.issue_estimate(ctx_for(biller), diagnosed, {"plan": str(iv_plan.public_id)})
    c = est.content
    assert c["patient"] == {"name": "Jordan Avery", "date_of_birth": "1984-05-17", "mrn": diagnosed.mrn}  # 1
    assert c["primary_service"]["code"] == "96365" and c["primary_service"]["scheduled_on"] == "2026-12-14"  # 2
    assert [(ln["code"], ln["quantity"]) for ln in c["lines"]] == [("96365", 6), ("J3490", 6)]  # 3: itemized
    j = c["lines"][1]
    assert j["drug_mg"] == "35.0" and j["unit_charge_usd"] == "70.00" and j["expected_charge_usd"] == "420.00"
    assert all(ln["diagnosis_codes"] == ["F33.2", "F41.1"] for ln in c["lines"])  # 4: diagnosis + service codes + charges
    assert est.total_usd == Decimal("3120.00")  # 6 x (450 + 70)
    prov = c["providers"][0]
    assert prov["npi"] == "1588667638" and prov["tin"] == "123456789" and prov["state"] == "NY"  # 5
    assert c["separately_scheduled"]  # 6
    assert len(c["disclaimers"]) == 4 and "$400" in c["disclaimers"][2] and "quality" in c["disclaimers"][3]  # 7
    assert c["recurring"]["total_sessions"] == 6 and c["recurring"]["period_end"] == "2027-12-13"  # up to 12 months
    text = pdf_text(estimate_pdf(c, "2026-12-05"))
    for expected in ("Good Faith Estimate", "Jordan Avery", "1984-05-17", "96365", "J3490", "F33.2", "NPI 1588667638",
                     "TIN 123456789", "Total expected charges: $3120.00", "not affect the quality"):
        assert expected in text, expected


def test_estimate_versions_and_due_items(iv_plan, biller, front_desk, billing_setup, diagnosed):
    due = services.record_estimate_due(ctx_for(front_desk), diagnosed, {"requested": "on", "asked_on": "2026-12-04"})
    assert due.due_on == dt.date(2026, 12, 9)  # Friday + 3 business days
    e1 = services.issue_estimate(ctx_for(biller), diagnosed, {"plan": str(iv_plan.public_id)})
    e2 = services.issue_estimate(ctx_for(biller), diagnosed, {"plan": str(iv_plan.public_id), "frequency": "Twice weekly"})
    assert (e1.version, e2.version) == (1, 2)
    assert EstimateDue.objects.get(pk=due.pk).fulfilled_by == e1


def test_estimate_for_another_clinics_plan_is_a_field_error(biller, billing_setup, diagnosed, outsider, outsider_patient,
                                                            location):
    other = TreatmentPlan.objects.create(
        organization=outsider.organization, patient=outsider_patient, protocol_source="library", protocol_key="x",
        protocol_version=1, protocol_title="x", protocol_data={}, route="iv", phase_name="x", session_count=6,
        location=location, start_date=dt.date(2026, 12, 14), preferred_time=dt.time(9), created_by=outsider)
    with pytest.raises(ValidationFailed) as exc:
        services.issue_estimate(ctx_for(biller), diagnosed, {"plan": str(other.public_id)})
    assert "No such treatment plan" in exc.value.errors["plan"][0]
    assert GoodFaithEstimate.objects.count() == 0


def test_more_than_12_months_is_refused(iv_plan, biller, billing_setup, diagnosed):
    with pytest.raises(ValidationFailed) as exc:
        services.issue_estimate(ctx_for(biller), diagnosed, {"plan": str(iv_plan.public_id), "period_start": "2026-12-14",
                                                             "period_end": "2027-12-14"})
    assert "12 months" in exc.value.errors["period_end"][0]


def test_a_bill_400_over_the_estimate_needs_confirmation_and_carries_the_notice(biller, front_desk, billing_setup,
                                                                                diagnosed, finalized_visit, prescriber):
    ctx = ctx_for(biller)
    est = services.issue_estimate(ctx, diagnosed, {"extra_items": [{"code": "96372", "units": 1, "quantity": 1}],
                                                   "provider": str(prescriber.public_id),
                                                   "period_start": (dt.date.today() - dt.timedelta(days=30)).isoformat()})
    assert est.total_usd == Decimal("200.00")
    visit = finalized_visit(minutes=105)  # 450 + 150 + 70 = 670: 470 over
    with pytest.raises(ValidationFailed) as exc:
        services.issue_invoice(ctx_for(front_desk), visit)
    assert "dispute" in exc.value.errors["acknowledge_dispute_notice"][0]
    invoice = services.issue_invoice(ctx_for(front_desk), visit, {"acknowledge_dispute_notice": True})
    assert invoice.dispute_notice and invoice.estimate == est


def test_estimate_needs_the_practice_numbers_and_prices(iv_plan, biller, diagnosed):
    with pytest.raises(ValidationFailed) as exc:
        services.issue_estimate(ctx_for(biller), diagnosed, {"plan": str(iv_plan.public_id)})
    text = " ".join(exc.value.errors["__all__"])
    assert "TIN" in text and "NPI" in text and "96365 has no price" in text


def test_booking_a_self_pay_patient_makes_an_estimate_due_until_one_is_issued(biller, front_desk, billing_setup, diagnosed,
                                                                             location, prescriber):
    from django.utils import timezone

    from ketamine_clinic.billing.rules.money import gfe_due_date
    from ketamine_clinic.billing.services.reports import estimates_due
    from ketamine_clinic.plans.models import Appointment

    services.add_coverage(ctx_for(front_desk), diagnosed, {"kind": "self_pay", "effective_from": "2020-01-01"})
    start = timezone.now() + dt.timedelta(days=21)
    Appointment.objects.create(organization=diagnosed.organization, location=location, patient=diagnosed, start_at=start,
                               end_at=start + dt.timedelta(hours=2), created_by=front_desk)
    [due] = estimates_due(ctx_for(biller))
    booked_on = timezone.localtime(timezone.now(), location.tz).date()
    assert due.patient == diagnosed and not due.requested
    assert due.due_on == gfe_due_date(asked_on=booked_on, service_on=timezone.localtime(start, location.tz).date(),
                                      requested=False)  # >= 10 business days ahead: 3 business days
    services.issue_estimate(ctx_for(biller), diagnosed, {"extra_items": [{"code": "96365", "quantity": 6}],
                                                         "provider": str(prescriber.public_id)})
    assert estimates_due(ctx_for(biller)) == []


@pytest.mark.parametrize("coverage, counts_as_uninsured, due", [
    (None, True, True),  # nothing on file: uninsured, an estimate is owed (45 CFR 149.610)
    (None, False, False),  # the clinic records coverage before booking: nothing derived
    ({"kind": "commercial", "payer_name": "Aetna", "member_id": "W1", "in_network": "yes"}, True, False),
    ({"kind": "commercial", "payer_name": "Aetna", "member_id": "W1", "in_network": "yes", "effective_to": "2021-01-01"},
     True, True),  # the insurance on file has ended
])
def test_booking_a_patient_with_no_current_insurance_makes_an_estimate_due(clinic_admin, biller, front_desk, billing_setup,
                                                                          diagnosed, location, coverage,
                                                                          counts_as_uninsured, due):
    from django.utils import timezone

    from ketamine_clinic.billing.services.reports import estimates_due
    from ketamine_clinic.clinic_settings.services import change_setting
    from ketamine_clinic.plans.models import Appointment

    if coverage:
        services.add_coverage(ctx_for(front_desk), diagnosed, {"effective_from": "2020-01-01", **coverage})
    if not counts_as_uninsured:
        change_setting(ctx_for(clinic_admin), "billing.estimate_when_no_coverage_on_file", False, "We record coverage first")
    start = timezone.now() + dt.timedelta(days=21)
    for days in (0, 7):  # two bookings: one estimate due, for the first
        Appointment.objects.create(organization=diagnosed.organization, location=location, patient=diagnosed,
                                   start_at=start + dt.timedelta(days=days), end_at=start + dt.timedelta(days=days, hours=2),
                                   created_by=front_desk)
    found = estimates_due(ctx_for(biller))
    assert [d.patient for d in found] == ([diagnosed] if due else [])
    if due:
        assert found[0].no_coverage_on_file and found[0].service_on == timezone.localtime(start, location.tz).date()
