"""Billing content of the demo clinic, written through the billing services: the practice's
numbers, demo prices (synthetic, not a recommendation: no prices are shipped), coverage, a
completed IV session coded, invoiced and part-paid, a good-faith estimate from an IV plan, and a
Spravato prior authorization."""

import datetime as dt

from django.utils import timezone

from ketamine_clinic.audit.services import Context
from ketamine_clinic.plans.models import TreatmentPlan

from . import services

DEMO_FEES = """
96365 450.00
96366 150.00
96374 120.00
96375 60.00
96372 200.00
J3490 2.00 00409205150
J0013 12.00
G2082 906.51
G2083 1289.82
99205 350.00
99215 250.00
99215-25 250.00
99417 80.00
G2212 80.00
90791 300.00
90792 350.00
90832 120.00
90834 180.00
90837 240.00
"""


def seed_billing(admin, biller, prescriber, nurse, patients, rng) -> None:
    b_ctx = Context(user=biller, source_ip="127.0.0.1")
    services.save_practice_profile(b_ctx, {"legal_name": "Riverbend Ketamine Clinic PLLC", "tin": "47-1234567",
                                           "npi": "1386741258", "address": "120 Main Street, Suite 300, Albany, NY 12207",
                                           "phone": "(555) 201-0100", "reason": "Demo practice identity (synthetic)"})
    services.save_provider_numbers(b_ctx, prescriber.public_id, {"npi": "1588667638", "license_number": "MD-204711",
                                                                 "license_state": "NY"})
    services.save_fee_schedule(b_ctx, {"effective_from": "2026-01-01", "lines": DEMO_FEES,
                                       "reason": "Demo prices (synthetic; not a recommendation)"})
    start_of_year = "2026-01-01"
    with_plans = [p for p in patients if TreatmentPlan.objects.filter(patient=p).exists()]
    for i, patient in enumerate(with_plans[:4]):
        if i % 2 == 0:
            services.add_coverage(b_ctx, patient, {"kind": "self_pay", "effective_from": start_of_year})
        else:
            services.add_coverage(b_ctx, patient, {"kind": "commercial", "payer_name": "Aetna", "plan_name": "Open Access",
                                                   "member_id": f"W{rng.randint(10**8, 10**9 - 1)}", "in_network": "no",
                                                   "effective_from": start_of_year})
    if with_plans:
        patient = with_plans[0]
        plan = TreatmentPlan.objects.filter(patient=patient).first()
        services.record_estimate_due(b_ctx, patient, {"requested": "yes"})
        services.issue_estimate(b_ctx, patient, {"plan": str(plan.public_id), "frequency": "Twice weekly for 3 weeks"})
    if len(with_plans) > 2:  # an estimate still owed: shows on the Billing queue
        services.record_estimate_due(b_ctx, with_plans[2], {"requested": "yes"})
    eske = [p for p in patients if p.rems_enrollments.exists()]
    for patient in eske[:1]:
        services.add_coverage(b_ctx, patient, {"kind": "medicare", "payer_name": "Medicare Part B",
                                               "member_id": "1EG4TE5MK73", "effective_from": start_of_year})
        today = timezone.localdate()
        services.add_prior_authorization(b_ctx, patient, {
            "payer_name": "Medicare Part B", "number": "PA-DEMO-1", "codes": "G2082, G2083", "units_approved": "8",
            "start_on": (today - dt.timedelta(days=20)).isoformat(), "end_on": (today + dt.timedelta(days=10)).isoformat()})


def seed_completed_visit(biller, front_desk, session) -> None:
    """Code, finalize, invoice and part-pay a discharged session (the superbill then lists it)."""
    b_ctx, f_ctx = Context(user=biller, source_ip="127.0.0.1"), Context(user=front_desk, source_ip="127.0.0.1")
    services.add_coverage(f_ctx, session.patient, {"kind": "self_pay", "effective_from": "2026-01-01"})
    visit = services.propose_for_session(b_ctx, session)
    visit = services.finalize_visit(b_ctx, visit, {"version": visit.version})
    invoice = services.issue_invoice(f_ctx, visit)
    services.record_payment(f_ctx, invoice, {"method": "hsa_fsa", "amount_usd": "200.00", "reference": "TERMINAL-0042"})
