"""Eligibility for ketamine treatment, by route, from a structured intake evaluation.

Public API:
- ``Evaluation`` (+ ``from_dict`` / ``to_dict``), its parts and ``SCHEMA_VERSION``;
- ``evaluate_eligibility(evaluation, policy)`` -> ``EligibilityResult`` (one ``RouteDecision`` per
  ``Route`` with an ``Outcome`` and its ``Reason``s);
- ``assess_treatment_resistance(trials, policy)`` -> ``TRDAssessment``;
- ``baseline_measures_required(indications, phq9_item9)`` -> ``[(instrument_key, reason)]``;
- ``RULES`` (the rules as data), ``SETTINGS`` (clinic-configurable numbers);
- ``SUGGESTED_CODES`` and ``is_valid_icd10cm_code`` for ICD-10-CM coding of indications.
"""

from .baseline import INSTRUMENT_KEYS, RequiredMeasure, baseline_measures_required
from .engine import EligibilityResult, Outcome, Reason, RouteDecision, evaluate_eligibility
from .errors import EligibilityInputError, EvaluationInvalid, PolicyInvalid
from .evaluation import (
    SCHEMA_VERSION,
    AntidepressantTrial,
    BaselineVitals,
    Evaluation,
    LiverDisease,
    MedicalHistory,
    MedicationClass,
    PresentingIndication,
    PriorTreatments,
    PsychiatricHistory,
    Status,
    SubstanceUse,
    TrialOutcome,
)
from .indications import (
    SUGGESTED_CODES,
    TRD_SNOMED_CT,
    Coding,
    Indication,
    is_valid_icd10cm_code,
    normalize_icd10cm_code,
)
from .clinic_policy import SETTINGS, EligibilityPolicy, TRDPolicy, resolve_policy
from .resistance import TRDAssessment, assess_treatment_resistance
from .rules import RULES, RULES_BY_ID, TABLE_ROWS, Level, Rule, RouteLevel

__all__ = [
    "INSTRUMENT_KEYS", "RequiredMeasure", "baseline_measures_required",
    "EligibilityResult", "Outcome", "Reason", "RouteDecision", "evaluate_eligibility",
    "EligibilityInputError", "EvaluationInvalid", "PolicyInvalid",
    "SCHEMA_VERSION", "AntidepressantTrial", "BaselineVitals", "Evaluation", "LiverDisease",
    "MedicalHistory", "MedicationClass", "PresentingIndication", "PriorTreatments",
    "PsychiatricHistory", "Status", "SubstanceUse", "TrialOutcome",
    "SUGGESTED_CODES", "TRD_SNOMED_CT", "Coding", "Indication", "is_valid_icd10cm_code",
    "normalize_icd10cm_code",
    "TRDAssessment", "assess_treatment_resistance",
    "RULES", "RULES_BY_ID", "TABLE_ROWS", "Level", "Rule", "RouteLevel",
    "SETTINGS", "EligibilityPolicy", "TRDPolicy", "resolve_policy",
]
