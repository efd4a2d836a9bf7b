"""Billing support: a biller, the practice's numbers and a fee schedule entered through the services,
completed sessions as the session module leaves them (discharged, with the recorded administration,
devices and rescue medications), an infusion run and discharged through the session services, and
reading back the text of the billing PDFs."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.billing import services
from ketamine_clinic.billing.demo import DEMO_FEES
from ketamine_clinic.patients.services import add_subrecord
from ketamine_clinic.treatments import services as sessions
from ketamine_clinic.treatments.models import Administration, DeviceDose, MonitoringEntry, TreatmentSession

from .people import ctx_for, make_user
from .treatments import NORMAL_VITALS, ago, lot

FEES = DEMO_FEES  # the demo clinic's prices (synthetic)


@pytest.fixture
def biller(staff):
    return staff[Role.BILLER]


@pytest.fixture
def outsider_biller(outsider_org):
    return make_user(outsider_org, "outsider_biller", [Role.BILLER])


@pytest.fixture
def billing_setup(biller, prescriber, org):
    ctx = ctx_for(biller)
    services.save_practice_profile(ctx, {"legal_name": "Test Clinic PLLC", "tin": "12-3456789", "npi": "1234567893",
                                         "address": "1 Main St, Albany, NY 12207", "phone": "(555) 010-1000"})
    services.save_provider_numbers(ctx, prescriber.public_id, {"npi": "1588667638", "license_number": "MD-204711",
                                                               "license_state": "NY"})
    return services.save_fee_schedule(ctx, {"effective_from": "2020-01-01", "reason": "Opening prices", "lines": FEES})


@pytest.fixture
def diagnosed(patient, prescriber):
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F41.1"})
    return patient


ORDER = {
    "iv": ("mg/kg", "0.5", "Ketamine HCl 50 mg/mL vial"),
    "im": ("mg/kg", "0.5", "Ketamine HCl 50 mg/mL vial"),
    "esketamine_nasal": ("devices", "3", "Spravato 28 mg nasal device"),
}


def completed_session(patient, location, prescriber, nurse, route="iv", *, minutes=40, dose_mg="35", devices=3,
                      rescue=(), days_ago=0, stopped=True):
    """A discharged session with what the session module records for the route."""
    start = timezone.now() - dt.timedelta(days=days_ago, hours=4)
    unit, amount, product = ORDER[route]
    session = TreatmentSession.objects.create(
        organization=patient.organization, patient=patient, location=location, route=route, status="discharged",
        dose_unit=unit, dose_amount=Decimal(amount), product_name=product, ordered_by=prescriber,
        checked_in_by=nurse, checked_in_at=start - dt.timedelta(minutes=30), dose_mg=Decimal(dose_mg),
        dosing_started_at=start, dosing_ended_at=start + dt.timedelta(minutes=minutes),
        discharged_at=start + dt.timedelta(minutes=minutes + 60), discharged_by=nurse)
    admin = Administration.objects.create(
        session=session, product_name=product, lot_number="KX1", expiry_date=dt.date.today() + dt.timedelta(days=300),
        started_at=start, stopped_at=(start + dt.timedelta(minutes=minutes)) if stopped else None, given_by=nurse,
        bolus_mg=Decimal(dose_mg) if route == "im" else None)
    if route == "esketamine_nasal":
        for i in range(devices):
            DeviceDose.objects.create(session=session, given_at=start + dt.timedelta(minutes=5 * i), lot_number="SP1",
                                      expiry_date=admin.expiry_date, given_by=nurse)
    for med, dose in rescue:
        MonitoringEntry.objects.create(session=session, kind="rescue_medication", occurred_at=start,
                                       data={"medication": med, "dose": dose}, summary=f"Rescue medication: {med}",
                                       recorded_by=nurse)
    return session


@pytest.fixture
def session_done(diagnosed, location, prescriber, nurse):
    def make(route="iv", **kw):
        return completed_session(diagnosed, location, prescriber, nurse, route, **kw)
    return make


@pytest.fixture
def finalized_visit(biller, session_done, billing_setup):
    """An IV visit coded and finalized: 96365 + J3490 (35 mg) = 450 + 70 = $520."""
    def make(**kw):
        ctx = ctx_for(biller)
        visit = services.propose_for_session(ctx, session_done("iv", **kw))
        return services.finalize_visit(ctx, visit, {"version": visit.version})
    return make


FIT_FOR_DISCHARGE = {"padss_vital_signs": 2, "padss_activity_mental_status": 2, "padss_pain_nausea_vomiting": 2,
                     "padss_bleeding": 2, "padss_intake_output": 1, "escort_present": True, "clinician_judges_ready": True}


def discharged_infusion(dosing_ready, nurse, *, started: int, stopped: int):
    """An IV infusion run through the session services from ``started`` to ``stopped`` minutes ago, then discharged."""
    ctx = ctx_for(nurse)
    session = sessions.start_dosing(ctx, dosing_ready("iv", checked_in_min_ago=started + 20), lot(started_at=ago(started)))
    session = sessions.stop_dosing(ctx, session, {"stopped_at": ago(stopped)})
    sessions.record_vitals(ctx, session, NORMAL_VITALS)
    return sessions.discharge(ctx, session, FIT_FOR_DISCHARGE)


def pdf_text(data: bytes) -> str:
    """The text an uncompressed billing PDF shows: every string drawn with Tj, in order."""
    assert data.startswith(b"%PDF")
    out = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        text = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        text = re.sub(rb"\\(.)", rb"\1", text)
        out.append(text.decode("cp1252"))
    return "\n".join(out)
