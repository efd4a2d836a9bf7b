"""The patient registry (trials, medications, diagnoses, allergies, weight, date of birth) as input
to an intake evaluation: the chart is the source of truth (``clinical.eligibility.chart``)."""

import datetime as dt

from ketamine_clinic.clinical.eligibility import AntidepressantTrial, MedicationClass, TrialOutcome
from ketamine_clinic.clinical.eligibility.chart import (
    ChartAllergy,
    ChartDiagnosis,
    ChartFacts,
    ChartMedication,
    ChartTrial,
)
from ketamine_clinic.clinical.eligibility.evaluation import PRETREATMENT_TESTS
from ketamine_clinic.clinical.eligibility.clinic_policy import PRETREATMENT_TEST_VALID_DAYS
from ketamine_clinic.patients.models import (
    Allergy,
    BodyMeasurement,
    Diagnosis,
    DrugClass,
    Medication,
    Patient,
    RecordStatus,
    TestResult,
)
from ketamine_clinic.patients.models import AntidepressantTrial as TrialRecord
from ketamine_clinic.patients.services import chart_records, current_measurement

from ..clinic_policy import eligibility_policy

DRUG_CLASS_TO_MEDICATION_CLASS = {
    DrugClass.BENZODIAZEPINE: MedicationClass.BENZODIAZEPINE,
    DrugClass.OPIOID: MedicationClass.OPIOID,
    DrugClass.Z_DRUG: MedicationClass.Z_DRUG,
    DrugClass.STIMULANT: MedicationClass.PSYCHOSTIMULANT,
    DrugClass.MAOI: MedicationClass.MAOI,
    DrugClass.LAMOTRIGINE: MedicationClass.LAMOTRIGINE,
    DrugClass.SSRI: MedicationClass.SSRI,
    DrugClass.SNRI: MedicationClass.SNRI,
}  # every other registry class counts as MedicationClass.OTHER

REGISTRY_TRIAL_OUTCOME = {
    "no_response": TrialOutcome.NO_RESPONSE,
    "partial": TrialOutcome.PARTIAL_RESPONSE,
    "response": TrialOutcome.RESPONSE,
    "intolerance": TrialOutcome.NOT_TOLERATED,
    "ongoing": TrialOutcome.ONGOING,
}


def medication_class(drug_class: str) -> MedicationClass:
    return DRUG_CLASS_TO_MEDICATION_CLASS.get(drug_class, MedicationClass.OTHER)


def registry_prefill(patient: Patient) -> dict:
    """Antidepressant trials, interacting medication classes and weight, from the patient's chart."""
    trials = patient.trials.exclude(status=RecordStatus.ENTERED_IN_ERROR).order_by("recorded_at", "id")
    meds = list(patient.medications.filter(status=RecordStatus.ACTIVE).order_by("name"))
    classes = {medication_class(m.drug_class) for m in meds}
    measurement = current_measurement(patient)
    return {
        "antidepressant_trials": [
            {
                "drug": t.drug,
                "dose_mg_per_day": float(t.dose_mg_per_day),
                "weeks": float(t.weeks),
                "adequate": t.adequate,
                "outcome": REGISTRY_TRIAL_OUTCOME.get(t.outcome, TrialOutcome.UNKNOWN).value,
                "in_current_episode": t.current_episode,
            }
            for t in trials
        ],
        "interacting_medications": [c.value for c in MedicationClass if c in classes],
        "medications": [(m.name, m.get_drug_class_display(), medication_class(m.drug_class).value) for m in meds],
        "weight_kg": float(measurement.weight_kg) if measurement else None,
        "weight_measured_on": measurement.measured_on if measurement else None,
    }


def _chart_trial(t) -> AntidepressantTrial:
    return AntidepressantTrial(
        drug=t.drug, dose_mg_per_day=float(t.dose_mg_per_day), weeks=float(t.weeks), adequate=t.adequate,
        outcome=REGISTRY_TRIAL_OUTCOME.get(t.outcome, TrialOutcome.UNKNOWN), in_current_episode=t.current_episode,
    )


def chart_facts(patient: Patient, on_date: dt.date) -> ChartFacts:
    """The chart records eligibility reads, as of ``on_date`` (age): the same facts as
    ``chart_facts_many``, read from the chart's own lists (``patients.services.chart_records``), so a
    page that shows the chart and its screening reads each list once."""
    records = chart_records(patient)
    window_days = int(eligibility_policy(patient.organization_id)[PRETREATMENT_TEST_VALID_DAYS.key])
    since = on_date - dt.timedelta(days=window_days)
    tests = {r.kind for r in records["results"]
             if r.kind in PRETREATMENT_TESTS and r.performed_on is not None and since <= r.performed_on <= on_date}
    return _facts(
        patient, on_date, current_measurement(patient), tests,
        meds=[_chart_medication(m) for m in records["medications"]],
        trials=[ChartTrial(str(t.public_id), _chart_trial(t)) for t in list(records["trials"])[::-1]],  # oldest first
        dxs=[ChartDiagnosis(str(d.public_id), d.icd10_code, d.display) for d in records["diagnoses"]],
        allergies=[ChartAllergy(str(a.public_id), a.substance) for a in records["allergies"]],
    )


def _chart_medication(m) -> ChartMedication:
    return ChartMedication(str(m.public_id), m.name, medication_class(m.drug_class), m.drug_class)


def _facts(p, on_date: dt.date, weight, tests, *, meds, trials, dxs, allergies) -> ChartFacts:
    return ChartFacts(
        medications=tuple(meds), trials=tuple(trials), diagnoses=tuple(dxs), allergies=tuple(allergies),
        weight_kg=float(weight.weight_kg) if weight else None, weight_record_id=str(weight.public_id) if weight else "",
        age_years=p.age_on(on_date), patient_id=str(p.public_id), tests_on_file=tuple(sorted(tests)),
    )


def chart_facts_many(patients, on_date: dt.date) -> dict[int, ChartFacts]:
    """Per patient (by pk): active medications, diagnoses and allergies, every trial not entered in
    error (a finished trial is marked stopped/inactive, and is still a trial: the chart lists it the
    same way), the latest active weight, and the age on ``on_date``. Five queries for any number."""

    patients = list(patients)
    ids = [p.pk for p in patients]
    active = RecordStatus.ACTIVE
    grouped: dict[str, dict[int, list]] = {k: {pk: [] for pk in ids} for k in ("med", "trial", "dx", "allergy")}
    for m in Medication.objects.filter(patient_id__in=ids, status=active).order_by("name", "id"):
        grouped["med"][m.patient_id].append(_chart_medication(m))
    for t in TrialRecord.objects.filter(patient_id__in=ids).exclude(status=RecordStatus.ENTERED_IN_ERROR).order_by("recorded_at", "id"):
        grouped["trial"][t.patient_id].append(ChartTrial(str(t.public_id), _chart_trial(t)))
    for d in Diagnosis.objects.filter(patient_id__in=ids, status=active).order_by("icd10_code", "id"):
        grouped["dx"][d.patient_id].append(ChartDiagnosis(str(d.public_id), d.icd10_code, d.display))
    for a in Allergy.objects.filter(patient_id__in=ids, status=active).order_by("substance", "id"):
        grouped["allergy"][a.patient_id].append(ChartAllergy(str(a.public_id), a.substance))
    # An ECG or liver tests count when performed within the clinic's window before ``on_date``.
    tests = {pk: set() for pk in ids}
    window_days = {org: int(eligibility_policy(org)[PRETREATMENT_TEST_VALID_DAYS.key]) for org in {p.organization_id for p in patients}}
    recent = TestResult.objects.filter(patient_id__in=ids, status=active, kind__in=PRETREATMENT_TESTS, performed_on__lte=on_date,
                                       performed_on__gte=on_date - dt.timedelta(days=max(window_days.values(), default=0)))
    for pk, kind, performed_on, org_id in recent.values_list("patient_id", "kind", "performed_on", "patient__organization_id"):
        if performed_on >= on_date - dt.timedelta(days=window_days[org_id]):
            tests[pk].add(kind)
    latest = {}
    for m in BodyMeasurement.objects.filter(patient_id__in=ids, status=active).order_by("-measured_on", "-recorded_at"):
        latest.setdefault(m.patient_id, m)  # the same order as patients.services.current_measurement
    return {
        p.pk: _facts(p, on_date, latest.get(p.pk), tests[p.pk], meds=grouped["med"][p.pk], trials=grouped["trial"][p.pk],
                     dxs=grouped["dx"][p.pk], allergies=grouped["allergy"][p.pk])
        for p in patients
    }
