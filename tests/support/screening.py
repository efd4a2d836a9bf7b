"""Screening builders: an evaluation, a signed decision, a witnessed consent, and ``make_ready`` (all
of them, so screening allows a route), through the screening services as a clinic would."""

import copy
import datetime as dt

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.screening import services

from .people import ctx_for

MEDICAL_FALSE = {
    k: False
    for k in (
        "hypertension", "cardiovascular_disease", "aneurysmal_vascular_disease_or_avm", "intracerebral_hemorrhage_history",
        "raised_intracranial_pressure", "raised_intraocular_pressure", "seizures", "hyperthyroidism", "bladder_symptoms",
        "sleep_apnea", "pregnant", "breastfeeding", "hypersensitivity_to_ketamine_or_esketamine",
    )
}

# Treatment-resistant depression with two failed adequate trials: eligible on every route.
BASE_EVALUATION = {
    "indications": [{"indication": "treatment_resistant_depression", "icd10cm_codes": ["F33.2"]}],
    "prior_treatments": {
        "antidepressant_trials": [
            {"drug": "sertraline", "dose_mg_per_day": 150, "weeks": 8, "adequate": True, "outcome": "no_response", "in_current_episode": True},
            {"drug": "venlafaxine", "dose_mg_per_day": 225, "weeks": 8, "adequate": True, "outcome": "partial_response", "in_current_episode": True},
        ],
        "psychotherapy": True, "ect": False, "tms": False,
    },
    "psychiatric_history": {"psychosis": "none", "mania": "none"},
    "substance_use": {"substance_use_disorder": "none", "ketamine_or_pcp_misuse": "none", "regular_alcohol_use": False},
    "medical_history": dict(MEDICAL_FALSE, liver_disease="none"),
    "interacting_medications": ["ssri"],
    "baseline_vitals": {"systolic_mmhg": 122, "diastolic_mmhg": 78, "heart_rate_per_min": 72},
    "weight_kg": 70,
    "ride_home_arranged": True,
    "phq9_item9_baseline": 0,
    "episode_duration_weeks": 30,
}


def evaluation_dict(**medical) -> dict:
    """The base evaluation with medical-history fields changed."""
    data = copy.deepcopy(BASE_EVALUATION)
    data["medical_history"].update(medical)
    return data


UNCONTROLLED_HYPERTENSION = {"hypertension": True, "hypertension_controlled": False}
HYPERSENSITIVE = {"hypersensitivity_to_ketamine_or_esketamine": True}


def complete(user, patient, data=None):
    return services.save_evaluation(ctx_for(user), patient, data or evaluation_dict(), complete=True)


def approve(user, patient, evaluation, route, reason=""):
    return services.sign_decision(ctx_for(user), patient, {
        "evaluation": str(evaluation.public_id), "route": route, "decision": "approve", "override_reason": reason,
    })


def consent_in_clinic(user, patient, route):
    return services.sign_consent(ctx_for(user), patient, route, {"signed_name": "Jordan Avery", "agree": "on"}, via="clinic")


def make_ready(prescriber, nurse, patient, route):
    """Evaluation completed, route approved, consent witnessed (and REMS for esketamine)."""
    route = Route(route)
    ev = services.current_evaluation(patient) or complete(prescriber, patient)
    approve(prescriber, patient, ev, route.value)
    consent_in_clinic(nurse, patient, route.value)
    if route is Route.ESKETAMINE_NASAL and services.current_rems(patient) is None:
        services.enroll_rems(ctx_for(nurse), patient, {
            "enrolled_on": dt.date.today().isoformat(), "patient_signed_name": "Jordan Avery",
            "prescriber": str(prescriber.public_id)})
