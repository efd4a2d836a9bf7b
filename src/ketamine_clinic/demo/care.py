"""Demo care: evaluations, signed decisions, consents, REMS, plans and questionnaire histories.

Everything goes through the same services as the screens, so permissions, validation, the audit
trail and the timelines are real. All data is synthetic.
"""

import datetime as dt
import random

from django.utils import timezone

from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.audit.services import Context
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans import services as plans
from ketamine_clinic.screening import services as screening
from ketamine_clinic.treatments import facts
from ketamine_clinic.treatments import services as sessions

MEDICAL_NONE = {
    k: False
    for k in (
        "hypertension", "cardiovascular_disease", "aneurysmal_vascular_disease_or_avm", "intracerebral_hemorrhage_history",
        "raised_intracranial_pressure", "raised_intraocular_pressure", "seizures", "hyperthyroidism", "bladder_symptoms",
        "sleep_apnea", "pregnant", "breastfeeding", "hypersensitivity_to_ketamine_or_esketamine",
    )
}


def phq9_answers(total: int, item9: int = 0) -> dict:
    answers = {f"phq9-{n}": 0 for n in range(1, 10)}
    answers["phq9-9"] = item9
    remaining = max(0, total - item9)
    for n in range(1, 9):
        answers[f"phq9-{n}"] = min(3, remaining)
        remaining -= answers[f"phq9-{n}"]
    return answers


def _evaluation(patient: Patient, rng: random.Random, *, uncontrolled_hypertension: bool = False) -> dict:
    prefill = screening.registry_prefill(patient)
    codes = [d.icd10_code for d in patient.diagnoses.all() if d.icd10_code.startswith(("F32", "F33"))] or ["F33.2"]
    medical = dict(MEDICAL_NONE, liver_disease="none")
    systolic = rng.randint(112, 134)
    if uncontrolled_hypertension:
        medical.update(hypertension=True, hypertension_controlled=False)
        systolic = 168
    return {
        "indications": [{"indication": "treatment_resistant_depression", "icd10cm_codes": codes[:1]}],
        "prior_treatments": {
            "antidepressant_trials": prefill["antidepressant_trials"], "psychotherapy": True, "ect": False, "tms": rng.random() < 0.2,
        },
        "psychiatric_history": {"psychosis": "none", "mania": "none"},
        "substance_use": {"substance_use_disorder": "none", "ketamine_or_pcp_misuse": "none", "regular_alcohol_use": False},
        "medical_history": medical,
        "interacting_medications": prefill["interacting_medications"],
        "baseline_vitals": {"systolic_mmhg": systolic, "diastolic_mmhg": rng.randint(70, 86) + (14 if uncontrolled_hypertension else 0),
                            "heart_rate_per_min": rng.randint(62, 88)},
        "weight_kg": prefill["weight_kg"] or 70.0,
        "ride_home_arranged": True,
        "phq9_item9_baseline": 0,
        "episode_duration_weeks": rng.randint(20, 90),
    }


def _screen_for(prescriber_ctx, nurse_ctx, patient, rng, route, *, uncontrolled_hypertension=False) -> None:
    evaluation = screening.save_evaluation(prescriber_ctx, patient, _evaluation(patient, rng, uncontrolled_hypertension=uncontrolled_hypertension), complete=True)
    result = screening.eligibility_of(evaluation)[route]
    reason = "Reviewed: blood pressure to be re-checked and treated before each session; benefit outweighs risk." if result.outcome.value == "needs_prescriber_review" else ""
    screening.sign_decision(prescriber_ctx, patient, {"evaluation": str(evaluation.public_id), "route": route, "decision": "approve", "override_reason": reason})
    screening.sign_consent(nurse_ctx, patient, route, {"signed_name": f"{patient.given_name} {patient.family_name}", "agree": "on"}, via="clinic")


def seed_care(admin, prescriber, nurse, therapist, patients: list[Patient], rng: random.Random):
    """Histories, screening, plans, one infusion in the chair; returns this morning's completed session (or None)."""
    p_ctx, n_ctx = Context(user=prescriber, source_ip="127.0.0.1"), Context(user=nurse, source_ip="127.0.0.1")
    now = timezone.now()
    depressive = [p for p in patients if p.diagnoses.filter(icd10_code__regex=r"^F3[23]").exists()]

    # Questionnaire histories: baseline 6-10 weeks ago, weekly PHQ-9 after; most improve.
    for i, patient in enumerate(patients[:28]):
        start = now - dt.timedelta(days=rng.randint(42, 70))
        total = rng.randint(15, 25)
        responder = rng.random() < 0.6
        for week in range(rng.randint(4, 8)):
            at = start + dt.timedelta(days=7 * week, hours=rng.randint(0, 6))
            if at > now - dt.timedelta(days=1):
                break
            assessments.submit_response(n_ctx, patient, "phq9", phq9_answers(total), mode="staff_paper", completed_at=at)
            total = max(1, total - (rng.randint(2, 6) if responder else rng.randint(-1, 2)))
        if i % 4 == 0:
            assessments.submit_response(n_ctx, patient, "gad7", {f"gad7-{n}": rng.randint(0, 3) for n in range(1, 8)}, mode="staff_paper",
                                        completed_at=start + dt.timedelta(days=1))

    # Evaluations, decisions, consents, and IV induction plans starting in the coming days.
    for i, patient in enumerate(depressive[:8]):
        _screen_for(p_ctx, n_ctx, patient, rng, "iv", uncontrolled_hypertension=(i == 1))
        if i < 6:
            start = timezone.localdate() + dt.timedelta(days=i % 3)
            plan = plans.create_plan(p_ctx, patient, {
                "protocol": "iv-racemic-induction", "location": str(patient.home_location.public_id),
                "start_date": start.isoformat(), "preferred_time": ["09:00", "10:30", "13:00"][i % 3],
                "therapist": str(therapist.public_id),
            })
            plans.activate_plan(p_ctx, plan, "Eligibility and consent in place; start induction.")
    for patient in depressive[8:10]:
        _screen_for(p_ctx, n_ctx, patient, rng, "esketamine_nasal")
        screening.enroll_rems(p_ctx, patient, {
            "enrolled_on": timezone.localdate().isoformat(), "patient_signed_name": f"{patient.given_name} {patient.family_name}",
            "prescriber": str(prescriber.public_id), "rems_patient_id": f"DEMO-{patient.mrn}",
        })

    # One IV infusion in progress, for the chair board: a screened walk-in patient with no plan, so no
    # booked appointment of today contradicts the patient being in the chair.
    walk_ins = depressive[6:8] or depressive[:1]
    # One open suicide-risk alert, for the Today screen and the Alerts page.
    if patients:
        assessments.submit_response(n_ctx, patients[-1], "phq9", phq9_answers(14, item9=1), mode="staff_paper",
                                    completed_at=now - dt.timedelta(minutes=20))
    if walk_ins:
        _session_in_progress(n_ctx, prescriber, walk_ins[0], rng)
    return _session_completed(n_ctx, prescriber, walk_ins[1], rng) if len(walk_ins) > 1 else None



def _local(minutes_ago: int, location) -> str:
    moment = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return timezone.localtime(moment, location.tz).strftime("%Y-%m-%dT%H:%M")


def _product_from_stock(location) -> dict:
    """The demo's ketamine vial in stock at the location (the dose is drawn from it), else a typed lot."""
    vial = Container.objects.filter(location=location, product__form="vial").order_by("id").first()
    if vial is not None:
        return {"container": vial.label}
    return {"lot_number": "KX2231", "expiry_date": (timezone.localdate() + dt.timedelta(days=200)).isoformat()}


def _session_in_progress(n_ctx, prescriber, patient, rng, checked_in_min_ago: int = 50, dosing_min_ago: int = 25):
    """Checked in 50 minutes ago, PHQ-9 done in the waiting room, the weight charted today reused,
    checklist clear, infusion started 25 minutes ago, vitals charted on the clinic's cadence.
    (Billing's demo runs one earlier in the day and discharges it.)"""
    location = patient.home_location
    session = sessions.start_session(n_ctx, patient, {
        "route": "iv", "dose_unit": "mg/kg", "dose_amount": "0.5", "infusion_minutes": 40, "infusion_volume_ml": "100",
        "product_name": "Ketamine HCl 50 mg/mL vial", "concentration_mg_per_ml": "50", "indication": "depression",
        "location": str(location.public_id), "ordered_by": str(prescriber.public_id), "checked_in_at": _local(checked_in_min_ago, location),
    })
    assessments.submit_response(n_ctx, patient, "phq9", phq9_answers(rng.randint(8, 14)), mode="staff_paper",
                                completed_at=timezone.now() - dt.timedelta(minutes=checked_in_min_ago - 5))
    checklist = {"last_food_at": _local(dosing_min_ago + 335, location), "last_liquid_at": _local(dosing_min_ago + 175, location),
                 "ride_home_confirmed": "yes",
                 "defer_cssrs": "Asked verbally: no ideation"}
    if facts.dose_weight(session) is None:  # weighed at registration today: reused, not typed in twice
        checklist["weight_today_kg"] = f"{screening.registry_prefill(patient)['weight_kg'] or 70.0:.1f}"
    session = sessions.update_checklist(n_ctx, session, checklist)
    vitals = {"systolic_mmhg": 124, "diastolic_mmhg": 78, "heart_rate_per_min": 74, "spo2_percent": 98, "respiratory_rate_per_min": 14}
    sessions.record_vitals(n_ctx, session, dict(vitals, observed_at=_local(dosing_min_ago + 10, location)))
    session.refresh_from_db()
    session = sessions.start_dosing(n_ctx, session, dict(_product_from_stock(location), started_at=_local(dosing_min_ago, location)))
    for minutes_ago, systolic in ((dosing_min_ago - 10, 132), (dosing_min_ago - 20, 138)):
        sessions.record_vitals(n_ctx, session, dict(vitals, systolic_mmhg=systolic, observed_at=_local(minutes_ago, location)))
    return session


def _session_completed(n_ctx, prescriber, patient, rng):
    """An infusion this morning: 40 min, observed, discharged (billing codes it)."""
    location = patient.home_location
    session = _session_in_progress(n_ctx, prescriber, patient, rng, checked_in_min_ago=240, dosing_min_ago=220)
    session = sessions.stop_dosing(n_ctx, session, {"stopped_at": _local(180, location), "version": session.version})
    vitals = {"systolic_mmhg": 126, "diastolic_mmhg": 80, "heart_rate_per_min": 72, "spo2_percent": 98, "respiratory_rate_per_min": 14}
    for minutes_ago in (165, 150, 135, 120):
        sessions.record_vitals(n_ctx, session, dict(vitals, observed_at=_local(minutes_ago, location)))
    session.refresh_from_db()
    return sessions.discharge(n_ctx, session, {
        "padss_vital_signs": 2, "padss_activity_mental_status": 2, "padss_pain_nausea_vomiting": 2, "padss_bleeding": 2,
        "padss_intake_output": 2, "escort_present": True, "clinician_judges_ready": True, "version": session.version})
