"""Treatment-resistant depression (TRD) from the recorded antidepressant trials.

Common operational definition (shared/CLINICAL.md s.2, settings from ``settings.py``): at least
``min_failed_adequate_trials`` (default 2) adequate antidepressant trials failed in the current
episode, a trial being adequate when it lasted at least ``min_trial_weeks`` (default 6) and, if the
clinic requires it, the clinician marked it adequate (dose). TRD has no ICD-10-CM code: this
assessment is recorded as data next to the coded episode.

Counting choices, stated so a reviewer can disagree: a trial *failed* when its outcome is no
response or partial response (not when stopped for intolerance, still ongoing, or unknown);
several failed trials of the same drug count once (a retrial is not a new antidepressant).
The dose itself is not checked against a table; the clinician's flag covers dose adequacy.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .clinic_policy import EligibilityPolicy, TRDPolicy, resolve_trd_policy
from .errors import EligibilityInputError
from .evaluation import FAILED_OUTCOMES, AntidepressantTrial

SOURCE = "seeds"  # operational definition as given in shared/CLINICAL.md s.2


@dataclass(frozen=True)
class TRDAssessment:
    is_resistant: bool
    adequate_failed_count: int  # distinct drugs with an adequate, failed trial in the current episode
    reasons: tuple[str, ...]  # one line per trial, then the conclusion
    required_count: int
    source: str = SOURCE


def assess_treatment_resistance(
    trials: Iterable[AntidepressantTrial],
    policy: "Mapping[str, object] | TRDPolicy | EligibilityPolicy | None" = None,
) -> TRDAssessment:
    """Whether the recorded trials meet the clinic's definition of treatment resistance."""
    rules = resolve_trd_policy(policy)
    if isinstance(trials, (str, bytes)) or not isinstance(trials, Iterable):
        raise EligibilityInputError("antidepressant_trials", "must be a list of antidepressant trials")
    reasons: list[str] = []
    counted_drugs: set[str] = set()
    for i, trial in enumerate(trials):
        if not isinstance(trial, AntidepressantTrial):
            raise EligibilityInputError(f"antidepressant_trials[{i}]", "must be an AntidepressantTrial")
        counts, why = _judge(trial, rules)
        drug_key = trial.drug.strip().casefold()
        if counts and drug_key in counted_drugs:
            counts, why = False, "not counted again: an earlier trial of the same drug already counts"
        if counts:
            counted_drugs.add(drug_key)
        reasons.append(f"{_describe(trial)}: {'counts' if counts else 'does not count'} ({why})")
    count = len(counted_drugs)
    needed = rules.min_failed_adequate_trials
    resistant = count >= needed
    reasons.append(
        f"{count} adequate failed trial(s) in the current episode; {needed} needed: "
        + ("treatment-resistant" if resistant else "not treatment-resistant by the clinic's definition")
    )
    return TRDAssessment(resistant, count, tuple(reasons), needed)


def _judge(trial: AntidepressantTrial, rules: TRDPolicy) -> tuple[bool, str]:
    if not trial.in_current_episode:
        return False, "outside the current episode"
    if trial.weeks < rules.min_trial_weeks:
        return False, f"shorter than {rules.min_trial_weeks} weeks"
    if rules.require_clinician_adequate_flag and not trial.adequate:
        return False, "not marked adequate by the clinician"
    if trial.outcome not in FAILED_OUTCOMES:
        return False, f"outcome {str(trial.outcome).replace('_', ' ')} is not a failed trial"
    return True, f"adequate, {str(trial.outcome).replace('_', ' ')}, current episode"


def _describe(trial: AntidepressantTrial) -> str:
    return f"{trial.drug} {trial.dose_mg_per_day:g} mg/day for {trial.weeks:g} weeks"
