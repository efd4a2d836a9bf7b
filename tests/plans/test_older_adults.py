"""Esketamine plans for adults of 65 and over start at 28 mg and may stay there (clinic settings)."""

import datetime as dt
from decimal import Decimal

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans import services

from tests.support.people import ctx_for
from tests.support.plans import MONDAY, NOW


def born(patient, years_before_monday: int):
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=MONDAY.replace(year=MONDAY.year - years_before_monday))
    patient.refresh_from_db()


def test_a_70_year_old_starts_esketamine_at_one_device_and_may_stay_there(prescriber, patient, draft):
    born(patient, 70)
    plan = draft(protocol="esketamine-trd")
    assert plan.current_dose.dose == Decimal(1)
    assert patient.timeline.filter(summary__contains="Older-adult esketamine dose rule").exists()
    assert AuditEvent.objects.filter(action="plan.create").last().detail["older_adult_dose_rule"] is True
    dose = services.change_dose(ctx_for(prescriber), plan, {"dose": "1", "reason": "Keep 28 mg, dizzy at 56"}, now=NOW)
    assert dose.dose == Decimal(1)


def test_a_64_year_old_keeps_the_56_mg_first_dose_and_floor(prescriber, patient, draft):
    born(patient, 64)
    plan = draft(protocol="esketamine-trd")
    assert plan.current_dose.dose == Decimal(2)
    with pytest.raises(ValidationFailed) as exc:
        services.change_dose(ctx_for(prescriber), plan, {"dose": "1", "reason": "Lower"}, now=NOW)
    assert "outside this protocol's allowed range" in exc.value.errors["dose"][0]
    assert plan.doses.count() == 1


def test_age_is_taken_on_the_plans_start_date(patient, draft):
    # 65th birthday the day after the start date: still the under-65 rule for this plan.
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=(MONDAY + dt.timedelta(days=1)).replace(year=MONDAY.year - 65))
    patient.refresh_from_db()
    assert draft(protocol="esketamine-trd").current_dose.dose == Decimal(2)


def test_the_clinic_may_raise_the_age(clinic_admin, patient, draft):
    born(patient, 70)
    change_setting(ctx_for(clinic_admin), "dosing.esketamine.older_adult_age_years", 75, "Our prescribers' policy")
    assert draft(protocol="esketamine-trd").current_dose.dose == Decimal(2)


def test_an_iv_plan_is_unchanged_by_age(patient, draft):
    born(patient, 80)
    assert draft().current_dose.dose == Decimal("0.5")
