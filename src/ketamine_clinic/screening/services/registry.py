"""The patient registry (trials, medications, weight) as input to an intake evaluation."""

from ketamine_clinic.clinical.eligibility import MedicationClass, TrialOutcome
from ketamine_clinic.patients.models import DrugClass, Patient, RecordStatus
from ketamine_clinic.patients.services import current_measurement

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
