"""Clinic-configurable numbers of the eligibility engine, and their resolution into a policy.

The web application stores versioned values per clinic and passes them as a plain mapping
``{setting key: value}``; keys this package does not own (other prefixes) are ignored, and missing
keys fall back to the defaults below.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..clinic_policy import Setting
from ..sources import CLINIC_POLICY
from .errors import PolicyInvalid

PREFIX = "eligibility."

BP_CAUTION_SYSTOLIC = Setting(
    "eligibility.bp_caution_systolic_mmhg", 140, "mm[Hg]", CLINIC_POLICY,
    "Clinic policy: baseline systolic pressure above this shows a blood-pressure caution. 140/90 is "
    "the level above which the Spravato PI asks to weigh the BP rise against benefit; for racemic "
    "routes the figure is commonly quoted but not in the APA statement.",
    minimum=100, maximum=250)
BP_CAUTION_DIASTOLIC = Setting(
    "eligibility.bp_caution_diastolic_mmhg", 90, "mm[Hg]", CLINIC_POLICY,
    "Clinic policy: baseline diastolic pressure above this shows a blood-pressure caution.",
    minimum=60, maximum=150)
BP_REVIEW_SYSTOLIC = Setting(
    "eligibility.bp_review_systolic_mmhg", 180, "mm[Hg]", CLINIC_POLICY,
    "Clinic policy: baseline systolic pressure above this needs prescriber review before treatment. "
    "No label or guideline gives a numeric cut-off.",
    minimum=100, maximum=250)
BP_REVIEW_DIASTOLIC = Setting(
    "eligibility.bp_review_diastolic_mmhg", 100, "mm[Hg]", CLINIC_POLICY,
    "Clinic policy: baseline diastolic pressure above this needs prescriber review before treatment.",
    minimum=60, maximum=150)
HEART_RATE_CAUTION = Setting(
    "eligibility.heart_rate_caution_per_min", 110, "/min", CLINIC_POLICY,
    "Clinic policy: baseline heart rate above this shows a caution (110/min is a commonly quoted "
    "session hold value, not from a guideline).",
    minimum=60, maximum=200)
TRD_MIN_FAILED_TRIALS = Setting(
    "eligibility.trd.min_failed_adequate_trials", 2, "", "seeds",
    "Failed adequate antidepressant trials in the current episode needed to call the depression "
    "treatment-resistant (the common operational definition).",
    minimum=1, maximum=10)
TRD_MIN_TRIAL_WEEKS = Setting(
    "eligibility.trd.min_trial_weeks", 6, "wk", "seeds",
    "Shortest antidepressant trial, in weeks, that counts as adequate (common operational "
    "definition).",
    minimum=1, maximum=52)
TRD_REQUIRE_ADEQUATE_FLAG = Setting(
    "eligibility.trd.require_clinician_adequate_flag", True, "", CLINIC_POLICY,
    "Clinic policy: a trial counts as adequate only if the clinician also marked it adequate "
    "(dose judged adequate); when off, duration alone decides.")

PRETREATMENT_TEST_VALID_DAYS = Setting(
    "eligibility.pretreatment_test_valid_days", 365, "d", CLINIC_POLICY,
    "Clinic policy: an ECG or liver function tests on the chart count for the pre-treatment check when performed "
    "at most this many days before the evaluation (no published interval).",
    minimum=1, maximum=3 * 365)

SETTINGS: tuple[Setting, ...] = (
    BP_CAUTION_SYSTOLIC, BP_CAUTION_DIASTOLIC, BP_REVIEW_SYSTOLIC, BP_REVIEW_DIASTOLIC,
    HEART_RATE_CAUTION, TRD_MIN_FAILED_TRIALS, TRD_MIN_TRIAL_WEEKS, TRD_REQUIRE_ADEQUATE_FLAG,
    PRETREATMENT_TEST_VALID_DAYS,
)
_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class TRDPolicy:
    min_failed_adequate_trials: int = TRD_MIN_FAILED_TRIALS.default
    min_trial_weeks: int = TRD_MIN_TRIAL_WEEKS.default
    require_clinician_adequate_flag: bool = TRD_REQUIRE_ADEQUATE_FLAG.default


@dataclass(frozen=True)
class EligibilityPolicy:
    bp_caution_systolic_mmhg: int = BP_CAUTION_SYSTOLIC.default
    bp_caution_diastolic_mmhg: int = BP_CAUTION_DIASTOLIC.default
    bp_review_systolic_mmhg: int = BP_REVIEW_SYSTOLIC.default
    bp_review_diastolic_mmhg: int = BP_REVIEW_DIASTOLIC.default
    heart_rate_caution_per_min: int = HEART_RATE_CAUTION.default
    trd: TRDPolicy = TRDPolicy()


def resolve_policy(values: "Mapping[str, object] | EligibilityPolicy | None" = None) -> EligibilityPolicy:
    """The engine's policy from a clinic's ``{setting key: value}`` mapping (defaults fill gaps).

    Raises ``PolicyInvalid`` for an unknown ``eligibility.*`` key, a wrong type, a value outside
    the setting's bounds, or review thresholds not above caution thresholds.
    """
    if isinstance(values, EligibilityPolicy):
        return values
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise PolicyInvalid("policy", "must be a mapping of setting keys to values")
    for key in values:
        if isinstance(key, str) and key.startswith(PREFIX) and key not in _BY_KEY:
            raise PolicyInvalid(key, "unknown eligibility setting")
    v = {key: _value(setting, values.get(key, setting.default)) for key, setting in _BY_KEY.items()}
    policy = EligibilityPolicy(
        bp_caution_systolic_mmhg=v[BP_CAUTION_SYSTOLIC.key],
        bp_caution_diastolic_mmhg=v[BP_CAUTION_DIASTOLIC.key],
        bp_review_systolic_mmhg=v[BP_REVIEW_SYSTOLIC.key],
        bp_review_diastolic_mmhg=v[BP_REVIEW_DIASTOLIC.key],
        heart_rate_caution_per_min=v[HEART_RATE_CAUTION.key],
        trd=TRDPolicy(v[TRD_MIN_FAILED_TRIALS.key], v[TRD_MIN_TRIAL_WEEKS.key], v[TRD_REQUIRE_ADEQUATE_FLAG.key]),
    )
    if policy.bp_review_systolic_mmhg <= policy.bp_caution_systolic_mmhg:
        raise PolicyInvalid(BP_REVIEW_SYSTOLIC.key, "must be above the systolic caution threshold")
    if policy.bp_review_diastolic_mmhg <= policy.bp_caution_diastolic_mmhg:
        raise PolicyInvalid(BP_REVIEW_DIASTOLIC.key, "must be above the diastolic caution threshold")
    return policy


def resolve_trd_policy(values: "Mapping[str, object] | TRDPolicy | EligibilityPolicy | None" = None) -> TRDPolicy:
    if isinstance(values, TRDPolicy):
        return values
    return resolve_policy(values).trd


def _value(setting: Setting, value: object) -> int | float | bool:
    if isinstance(setting.default, bool):
        if not isinstance(value, bool):
            raise PolicyInvalid(setting.key, "must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise PolicyInvalid(setting.key, "must be a number")
    try:
        finite = math.isfinite(value)
    except ValueError:  # Decimal('sNaN')
        finite = False
    if not finite:
        raise PolicyInvalid(setting.key, "must be a finite number")
    if setting.minimum is not None and value < setting.minimum or setting.maximum is not None and value > setting.maximum:
        raise PolicyInvalid(setting.key, f"must be from {setting.minimum:g} to {setting.maximum:g} {setting.unit}".rstrip())
    if isinstance(setting.default, int):
        if value != int(value):
            raise PolicyInvalid(setting.key, "must be a whole number")
        return int(value)
    return float(value)
