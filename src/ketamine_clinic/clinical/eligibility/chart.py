"""The patient's chart as the source of truth for eligibility.

An intake evaluation records what the interview found; the chart (active medications with their
drug class, antidepressant trials, active diagnoses and allergies, the latest weight, the date of
birth) records what is known. ``apply_chart`` merges the two with one rule: **the chart wins**.

- Chart facts are added to the evaluation; staff cannot drop one by leaving it out. To exclude a
  chart fact, mark the chart entry inactive or entered-in-error (with a reason, audited), then
  evaluate again.
- Where the body contradicts the chart (a different weight, a trial of the same drug with another
  outcome, another age), the chart's value is used.
- Every fact the body lacked or contradicted comes back as a ``ChartCorrection`` naming the chart
  record, so the caller can say so.

``safety_facts`` / ``new_safety_facts`` name the facts a signed decision rests on, so a later chart
change that matters (a new interacting drug class, a contraindicating diagnosis, pregnancy, an
allergy to ketamine, age) can be found by comparing what was signed with what is recorded now.
"""

import dataclasses
from dataclasses import dataclass

from .evaluation import (
    MAX_DRUG_NAME_LENGTH,
    TRIAL_DOSE_MG_PER_DAY_BOUNDS,
    TRIAL_WEEKS_BOUNDS,
    WEIGHT_KG_BOUNDS,
    AntidepressantTrial,
    Evaluation,
    MedicalHistory,
    MedicationClass,
    Status,
)
from .indications import PSYCHOTIC_FEATURES_CODES, normalize_icd10cm_code
from .rules import ADULT_AGE_YEARS


@dataclass(frozen=True)
class ChartMedication:
    record_id: str
    name: str
    medication_class: MedicationClass
    drug_class: str = ""  # the chart's own class (e.g. "antihypertensive"), for suggestions


@dataclass(frozen=True)
class ChartTrial:
    record_id: str
    trial: AntidepressantTrial


@dataclass(frozen=True)
class ChartDiagnosis:
    record_id: str
    icd10cm_code: str
    display: str


@dataclass(frozen=True)
class ChartAllergy:
    record_id: str
    substance: str


@dataclass(frozen=True)
class ChartFacts:
    """The active chart records the engine reads (plain values; the web app builds this)."""

    medications: tuple[ChartMedication, ...] = ()
    trials: tuple[ChartTrial, ...] = ()
    diagnoses: tuple[ChartDiagnosis, ...] = ()
    allergies: tuple[ChartAllergy, ...] = ()
    weight_kg: float | None = None
    weight_record_id: str = ""
    age_years: int | None = None  # on the day evaluated, from the date of birth
    patient_id: str = ""
    tests_on_file: tuple[str, ...] = ()  # "ecg", "liver_tests": recorded within the clinic's window


@dataclass(frozen=True)
class ChartCorrection:
    field: str  # the evaluation field the chart set, e.g. "interacting_medications"
    record_type: str  # medication | trial | diagnosis | allergy | measurement | patient
    record_id: str
    message: str


# -- diagnoses that set evaluation facts (codes: ICD-10-CM, source "icd10cm") ---------------------

@dataclass(frozen=True)
class DiagnosisFact:
    field: str  # a MedicalHistory boolean
    code_prefixes: tuple[str, ...]  # "I71" matches I71 and I71.x; "G47.3" matches G47.3x
    label: str


DIAGNOSIS_FACTS: tuple[DiagnosisFact, ...] = (
    DiagnosisFact("aneurysmal_vascular_disease_or_avm", ("I71", "I72", "I67.1", "Q28.2", "Q28.3", "Q27.3"),
                  "aortic or other aneurysm, cerebral aneurysm, arteriovenous malformation"),
    DiagnosisFact("intracerebral_hemorrhage_history", ("I61", "I69.1"),
                  "nontraumatic intracerebral hemorrhage or its sequelae"),
    DiagnosisFact("pregnant", ("Z33.1", "Z34", "O09", "Z3A"), "pregnant state, supervision of pregnancy, weeks of gestation"),
    DiagnosisFact("breastfeeding", ("Z39.1",), "care of the lactating mother"),
    DiagnosisFact("hypertension", ("I10", "I11", "I12", "I13", "I15", "I16"), "hypertensive disease"),
    DiagnosisFact("raised_intracranial_pressure", ("G93.2",), "benign intracranial hypertension"),
    DiagnosisFact("raised_intraocular_pressure", ("H40",), "glaucoma"),
    DiagnosisFact("seizures", ("G40",), "epilepsy and recurrent seizures"),
    DiagnosisFact("hyperthyroidism", ("E05",), "thyrotoxicosis"),
    DiagnosisFact("sleep_apnea", ("G47.3",), "sleep apnea"),
)
# Schizophrenia spectrum and other psychotic disorders, and depressive or bipolar episodes coded
# with psychotic features: an active chart diagnosis counts as active psychosis.
PSYCHOSIS_CODE_PREFIXES: tuple[str, ...] = ("F20", "F21", "F22", "F23", "F24", "F25", "F28", "F29",
                                            *sorted(PSYCHOTIC_FEATURES_CODES))
# An allergy entry naming one of these is a hypersensitivity to ketamine or esketamine.
KETAMINE_ALLERGY_TERMS: tuple[str, ...] = ("ketamine", "esketamine", "ketalar", "spravato")

# Interacting classes the rules read (a new one after signing matters; SSRI/SNRI/other do not).
RULE_MEDICATION_CLASSES = frozenset({MedicationClass.BENZODIAZEPINE, MedicationClass.OPIOID, MedicationClass.Z_DRUG,
                                     MedicationClass.PSYCHOSTIMULANT, MedicationClass.MAOI})


def code_matches(code: str, prefix: str) -> bool:
    code = normalize_icd10cm_code(code) or str(code).strip().upper()
    if "." in prefix:
        return code.startswith(prefix)
    return code == prefix or code.startswith(prefix + ".")


def is_ketamine_allergy(substance: str) -> bool:
    text = substance.casefold()
    return any(term in text for term in KETAMINE_ALLERGY_TERMS)


def _diagnoses_matching(chart: ChartFacts, prefixes: tuple[str, ...]) -> list[ChartDiagnosis]:
    return [d for d in chart.diagnoses if any(code_matches(d.icd10cm_code, p) for p in prefixes)]


def _trial_label(t: AntidepressantTrial) -> str:
    return f"{t.drug} {t.dose_mg_per_day:g} mg/day for {t.weeks:g} weeks, {t.outcome.value.replace('_', ' ')}"


def _unreadable_trial(t: AntidepressantTrial) -> str:
    """Why a chart trial falls outside the evaluation's data-entry bounds ('' when it is readable)."""
    if not t.drug.strip() or len(t.drug) > MAX_DRUG_NAME_LENGTH:
        return "drug name empty or too long"
    if not TRIAL_WEEKS_BOUNDS[0] < t.weeks <= TRIAL_WEEKS_BOUNDS[1]:
        return f"{t.weeks:g} weeks"
    if not TRIAL_DOSE_MG_PER_DAY_BOUNDS[0] < t.dose_mg_per_day <= TRIAL_DOSE_MG_PER_DAY_BOUNDS[1]:
        return f"{t.dose_mg_per_day:g} mg/day"
    return ""


def apply_chart(evaluation: Evaluation, chart: ChartFacts) -> tuple[Evaluation, tuple[ChartCorrection, ...]]:
    """The evaluation with every chart fact in it (the chart wins), and what the chart changed.

    A chart entry outside the evaluation's data-entry bounds (a 0-week trial, a 700 kg weight) is
    not used, and is reported so that someone corrects it on the chart.

    Each helper below appends its corrections to ``fixes``; their order is the order shown."""
    evaluation = evaluation.validate()
    fixes: list[ChartCorrection] = []
    chart = _readable_chart(chart, fixes)
    classes = _merged_medication_classes(evaluation, chart, fixes)
    trials = _merged_trials(evaluation, chart, fixes)
    medical = _merged_medical_history(evaluation, chart, fixes)
    psychiatric = _merged_psychiatric_history(evaluation, chart, fixes)
    weight_kg = _merged_weight(evaluation, chart, fixes)
    age_years = _merged_age(evaluation, chart, fixes)
    merged = dataclasses.replace(
        evaluation,
        interacting_medications=classes,
        prior_treatments=dataclasses.replace(evaluation.prior_treatments, antidepressant_trials=trials),
        medical_history=medical,
        psychiatric_history=psychiatric,
        weight_kg=weight_kg,
        age_years=age_years,
        tests_on_file=chart.tests_on_file,  # the chart alone says which tests are on file
    )
    return merged.validate(), tuple(fixes)


def _readable_chart(chart: ChartFacts, fixes: list[ChartCorrection]) -> ChartFacts:
    """The chart without the trials and the weight outside the data-entry bounds (each reported)."""
    readable_trials = []
    for ct in chart.trials:
        problem = _unreadable_trial(ct.trial)
        if problem:
            fixes.append(ChartCorrection("prior_treatments.antidepressant_trials", "trial", ct.record_id,
                                         f"Trial of {ct.trial.drug} on the chart not used ({problem}): correct it on the chart."))
        else:
            readable_trials.append(ct)
    chart_weight = chart.weight_kg
    if chart_weight is not None and not WEIGHT_KG_BOUNDS[0] <= chart_weight <= WEIGHT_KG_BOUNDS[1]:
        fixes.append(ChartCorrection("weight_kg", "measurement", chart.weight_record_id,
                                     f"Weight {chart_weight:g} kg on the chart not used: correct it on the chart."))
        chart_weight = None
    return dataclasses.replace(chart, trials=tuple(readable_trials), weight_kg=chart_weight)


def _merged_medication_classes(evaluation: Evaluation, chart: ChartFacts, fixes: list[ChartCorrection]) -> tuple:
    """Interacting medications: the chart's active classes are added."""
    classes = list(evaluation.interacting_medications)
    for med in chart.medications:
        if med.medication_class is not MedicationClass.OTHER and med.medication_class not in classes:
            classes.append(med.medication_class)
            fixes.append(ChartCorrection("interacting_medications", "medication", med.record_id,
                                         f"{med.medication_class.value} added from the chart ({med.name})."))
    return tuple(classes)


def _merged_trials(evaluation: Evaluation, chart: ChartFacts, fixes: list[ChartCorrection]) -> tuple:
    """Antidepressant trials: the chart's trials, plus the body's trials of other drugs."""
    chart_drugs = {t.trial.drug.casefold() for t in chart.trials}
    body_by_drug = {}
    for t in evaluation.prior_treatments.antidepressant_trials:
        body_by_drug.setdefault(t.drug.casefold(), []).append(t)
    for ct in chart.trials:
        said = body_by_drug.get(ct.trial.drug.casefold(), [])
        if ct.trial not in said:
            verb = "replaces the evaluation's entry" if said else "added from the chart"
            fixes.append(ChartCorrection("prior_treatments.antidepressant_trials", "trial", ct.record_id,
                                         f"Trial {_trial_label(ct.trial)} {verb}."))
    return tuple(ct.trial for ct in chart.trials) + tuple(
        t for t in evaluation.prior_treatments.antidepressant_trials if t.drug.casefold() not in chart_drugs)


def _merged_medical_history(evaluation: Evaluation, chart: ChartFacts, fixes: list[ChartCorrection]) -> MedicalHistory:
    """Medical history: a chart diagnosis or allergy sets the condition (a charted hypertension
    without a recorded control counts as uncontrolled)."""
    medical = dataclasses.asdict(evaluation.medical_history)
    for fact in DIAGNOSIS_FACTS:
        found = _diagnoses_matching(chart, fact.code_prefixes)
        if found and not medical[fact.field]:
            medical[fact.field] = True
            note = ""
            if fact.field == "hypertension":
                medical["hypertension_controlled"] = False
                note = " Control not recorded in the evaluation: counts as uncontrolled."
            fixes.append(ChartCorrection(f"medical_history.{fact.field}", "diagnosis", found[0].record_id,
                                         f"{fact.field.replace('_', ' ').capitalize()}: set from the chart diagnosis "
                                         f"{found[0].icd10cm_code} {found[0].display}.{note}"))
    allergy = next((a for a in chart.allergies if is_ketamine_allergy(a.substance)), None)
    if allergy is not None and not medical["hypersensitivity_to_ketamine_or_esketamine"]:
        medical["hypersensitivity_to_ketamine_or_esketamine"] = True
        fixes.append(ChartCorrection("medical_history.hypersensitivity_to_ketamine_or_esketamine", "allergy",
                                     allergy.record_id, f"Hypersensitivity set from the chart allergy: {allergy.substance}."))
    return MedicalHistory(**medical)


def _merged_psychiatric_history(evaluation: Evaluation, chart: ChartFacts, fixes: list[ChartCorrection]):
    """A chart psychosis diagnosis makes psychosis active."""
    psychiatric = evaluation.psychiatric_history
    psychosis = _diagnoses_matching(chart, PSYCHOSIS_CODE_PREFIXES)
    if psychosis and psychiatric.psychosis is not Status.ACTIVE:
        psychiatric = dataclasses.replace(psychiatric, psychosis=Status.ACTIVE)
        fixes.append(ChartCorrection("psychiatric_history.psychosis", "diagnosis", psychosis[0].record_id,
                                     f"Psychosis: active, from the chart diagnosis {psychosis[0].icd10cm_code} "
                                     f"{psychosis[0].display}."))
    return psychiatric


def _merged_weight(evaluation: Evaluation, chart: ChartFacts, fixes: list[ChartCorrection]):
    """The chart's latest (readable) weight wins."""
    weight_kg = evaluation.weight_kg
    if chart.weight_kg is not None and weight_kg != chart.weight_kg:
        said = "" if weight_kg is None else f" (the evaluation said {weight_kg:g} kg)"
        fixes.append(ChartCorrection("weight_kg", "measurement", chart.weight_record_id,
                                     f"Weight {chart.weight_kg:g} kg from the chart's latest measurement{said}."))
        weight_kg = chart.weight_kg
    return weight_kg


def _merged_age(evaluation: Evaluation, chart: ChartFacts, fixes: list[ChartCorrection]):
    """The age from the chart's date of birth wins; only a contradiction is reported."""
    age_years = evaluation.age_years
    if chart.age_years is not None and age_years != chart.age_years:
        if age_years is not None:  # a contradiction; an age the body did not give is simply filled in
            fixes.append(ChartCorrection("age_years", "patient", chart.patient_id,
                                         f"Age {chart.age_years} from the chart's date of birth (the evaluation "
                                         f"said {age_years})."))
        age_years = chart.age_years
    return age_years


# -- what a signed decision rests on ------------------------------------------------------------

_SAFETY_MEDICAL = tuple(f.name for f in dataclasses.fields(MedicalHistory) if f.type in (bool, "bool"))


def safety_facts(evaluation: Evaluation) -> list[str]:
    """The facts of ``evaluation`` whose appearance after signing needs a prescriber's review."""
    facts = [f"medication:{c.value}" for c in evaluation.interacting_medications if c in RULE_MEDICATION_CLASSES]
    facts += [f"condition:{name}" for name in _SAFETY_MEDICAL if getattr(evaluation.medical_history, name)]
    if evaluation.psychiatric_history.psychosis is not Status.NONE:
        facts.append(f"psychosis:{evaluation.psychiatric_history.psychosis.value}")
    if evaluation.age_years is not None and evaluation.age_years < ADULT_AGE_YEARS:
        facts.append("age:under_adult")
    return sorted(facts)


_FACT_LABELS = {"medication": "new interacting medication class", "condition": "new condition",
                "psychosis": "psychosis", "age": "age"}


def describe_fact(fact: str) -> str:
    kind, _, value = fact.partition(":")
    if fact == "age:under_adult":
        return f"patient under {ADULT_AGE_YEARS}"
    return f"{_FACT_LABELS.get(kind, kind)}: {value.replace('_', ' ')}"


def new_safety_facts(signed: list[str], current: list[str]) -> list[str]:
    """Facts recorded now that the decision was not signed on (psychosis history -> active counts)."""
    before = set(signed)
    return [f for f in current if f not in before]


# -- suggestions for review (not facts: a drug has more than one use) ----------------------------

@dataclass(frozen=True)
class Suggestion:
    field: str  # the evaluation field to review, e.g. "medical_history.hypertension"
    record_id: str
    message: str


# Blood-pressure medicines by the chart's drug class, or by name: ACE inhibitors end in -pril,
# angiotensin-receptor blockers in -sartan; a few common others by name.
_BP_NAME_SUFFIXES = ("pril", "sartan")
_BP_NAMES = frozenset({"amlodipine", "nifedipine", "hydrochlorothiazide", "chlorthalidone", "indapamide"})


def _suggests_hypertension(med: ChartMedication) -> bool:
    name = med.name.casefold().split()[0] if med.name.strip() else ""
    return med.drug_class == "antihypertensive" or name.endswith(_BP_NAME_SUFFIXES) or name in _BP_NAMES


def suggestions(evaluation: Evaluation, chart: ChartFacts) -> tuple[Suggestion, ...]:
    """Conditions a chart medication suggests and the evaluation does not record, for staff to
    review (a blood-pressure medicine may be for something else, so this is never set for them)."""
    if evaluation.medical_history.hypertension:
        return ()
    med = next((m for m in chart.medications if _suggests_hypertension(m)), None)
    if med is None:
        return ()
    return (Suggestion("medical_history.hypertension", med.record_id,
                       f"{med.name} on the chart suggests hypertension: review, and record it (with whether it is "
                       f"controlled) if so."),)
