"""The eligibility engine: an intake evaluation in, one decision per route out.

For each route the outcome is the most severe level among the rules that fire:
absolute contraindication -> CONTRAINDICATED; relative -> NEEDS_PRESCRIBER_REVIEW (a prescriber
signs off with a reason); caution -> ELIGIBLE_WITH_CAUTIONS; none -> ELIGIBLE. Prerequisites do
not change the outcome: they are the to-do list before the first treatment (``prerequisites``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from ..routes import Route
from .clinic_policy import EligibilityPolicy, resolve_policy
from .evaluation import SCHEMA_VERSION, Evaluation
from .errors import EligibilityInputError
from .resistance import TRDAssessment, assess_treatment_resistance
from .rules import RULES, SEVERITY_ORDER, Level, Rule


class Outcome(StrEnum):
    CONTRAINDICATED = "contraindicated"
    NEEDS_PRESCRIBER_REVIEW = "needs_prescriber_review"
    ELIGIBLE_WITH_CAUTIONS = "eligible_with_cautions"
    ELIGIBLE = "eligible"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Higher is more severe.
SEVERITY = {Outcome.ELIGIBLE: 0, Outcome.ELIGIBLE_WITH_CAUTIONS: 1, Outcome.NEEDS_PRESCRIBER_REVIEW: 2,
            Outcome.CONTRAINDICATED: 3}

_OUTCOME_FOR_LEVEL = {
    Level.ABSOLUTE: Outcome.CONTRAINDICATED,
    Level.RELATIVE: Outcome.NEEDS_PRESCRIBER_REVIEW,
    Level.CAUTION: Outcome.ELIGIBLE_WITH_CAUTIONS,
}


@dataclass(frozen=True)
class Reason:
    rule_id: str
    level: Level
    title: str
    explanation: str  # plain language for staff, including the route-specific note
    source: str  # key of sources.SOURCES for this level on this route
    detail: str = ""  # patient-specific, e.g. "Baseline 150/95 mmHg; ..."


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    outcome: Outcome
    reasons: tuple[Reason, ...]  # most severe first

    def _at(self, level: Level) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.level is level)

    @property
    def contraindications(self) -> tuple[Reason, ...]:
        return self._at(Level.ABSOLUTE)

    @property
    def review_reasons(self) -> tuple[Reason, ...]:
        return self._at(Level.RELATIVE)

    @property
    def cautions(self) -> tuple[Reason, ...]:
        return self._at(Level.CAUTION)

    @property
    def prerequisites(self) -> tuple[Reason, ...]:
        return self._at(Level.PREREQUISITE)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.reasons)


@dataclass(frozen=True)
class EligibilityResult:
    decisions: Mapping[Route, RouteDecision]  # one per Route, in Route order
    treatment_resistance: TRDAssessment
    policy: EligibilityPolicy
    schema_version: int = SCHEMA_VERSION

    def __getitem__(self, route: Route) -> RouteDecision:
        return self.decisions[Route(route)]

    def outcome(self, route: Route) -> Outcome:
        return self[route].outcome


def evaluate_eligibility(
    evaluation: Evaluation,
    policy: "Mapping[str, object] | EligibilityPolicy | None" = None,
    rules: Iterable[Rule] = RULES,
) -> EligibilityResult:
    """Decide each route for ``evaluation`` under the clinic's ``policy`` values.

    Raises ``EvaluationInvalid`` for an inconsistent evaluation and ``PolicyInvalid`` for a bad
    policy value.
    """
    if not isinstance(evaluation, Evaluation):
        raise EligibilityInputError("evaluation", "must be an Evaluation (use Evaluation.from_dict)")
    evaluation = evaluation.validate()  # normalized: plain strings become enum members
    resolved = resolve_policy(policy)
    fired = [rule for rule in rules if rule.applies(evaluation, resolved)]
    decisions = {route: _decide(route, fired, evaluation, resolved) for route in Route}
    trd = assess_treatment_resistance(evaluation.prior_treatments.antidepressant_trials, resolved.trd)
    return EligibilityResult(MappingProxyType(decisions), trd, resolved)


def _decide(route: Route, fired: list[Rule], evaluation: Evaluation, policy: EligibilityPolicy) -> RouteDecision:
    reasons = []
    for rule in fired:
        route_level = rule.levels.get(route)
        if route_level is None:
            continue
        explanation = f"{rule.explanation} {route_level.note}".strip()
        detail = rule.detail(evaluation, policy) if rule.detail else ""
        reasons.append(Reason(rule.id, route_level.level, rule.title, explanation, route_level.source, detail))
    reasons.sort(key=lambda r: SEVERITY_ORDER.index(r.level))  # stable: rule order within a level
    outcome = next((_OUTCOME_FOR_LEVEL[r.level] for r in reasons if r.level in _OUTCOME_FOR_LEVEL), Outcome.ELIGIBLE)
    return RouteDecision(route, outcome, tuple(reasons))
