"""The protocol a plan follows, as it applies to its patient (read by services, scheduling and sessions)."""

from __future__ import annotations

import datetime as dt

from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.patients.models import Patient

from .models import TreatmentPlan


def for_patient(protocol: cp.Protocol, patient: Patient, on_date: dt.date) -> cp.Protocol:
    """``protocol`` as it applies to this patient on ``on_date`` (the older-adult esketamine dose rule)."""
    if protocol.route is not Route.ESKETAMINE_NASAL:
        return protocol  # no settings query for the routes the rule cannot touch
    settings = policy_for(patient.organization_id, "dosing.esketamine.")
    return cp.for_patient_age(protocol, patient.age_on(on_date), settings)


def plan_protocol(plan: TreatmentPlan) -> cp.Protocol:
    """The protocol version the plan was made from (its snapshot), as it applies to the patient's age
    on the plan's start date."""
    cached = getattr(plan, "_protocol_cache", None)
    if cached is None:
        cached = plan._protocol_cache = for_patient(cp.protocol_from_dict(plan.protocol_data), plan.patient,
                                                    plan.start_date)
    return cached
