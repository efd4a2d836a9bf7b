"""Outcomes over a series of totals for one instrument: change, response, remission, relapse.

Definitions (all thresholds are settings below; defaults cite their source):

- **Percent change** = (total - baseline) / baseline x 100. Negative is improvement on these
  scales (lower is better). Undefined (None) when the baseline is 0.
- **Response**: reduction from baseline >= ``outcomes.response_min_reduction_percent`` (50 %,
  shared/CLINICAL.md s.4), i.e. total <= baseline x 0.5. Exactly 50 % counts.
- **Remission**: total <= the instrument's ``outcomes.remission.<key>_max_total`` (PHQ-9 < 5 is
  stored as <= 4). Instruments without such a setting have no remission (None).
- **Relapse** (clinic policy, no published number): only after a response. While responding,
  relapse is declared at the first follow-up where EITHER the last
  ``outcomes.relapse.consecutive_non_response`` follow-ups (default 2) all fail the response
  criterion, OR one total is >= baseline x ``outcomes.relapse.min_fraction_of_baseline``
  (default 0.75). A later response after a relapse is recorded as a new response event.
- **Time to first response / remission**: days (fractional) from the baseline measure to the
  first follow-up that meets the criterion.

Arithmetic on the thresholds is exact (fractions), so 50 % is never lost to float rounding.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from ..clinic_policy import Setting
from ..sources import CLINIC_POLICY
from .clinic_policy import setting_value
from .errors import InstrumentError
from .scoring import PCL5_CUTOFF
from .validation import get_instrument


class OutcomeInputError(InstrumentError):
    """A series that cannot be summarised (bad time, bad total, out of order)."""


RESPONSE_MIN_REDUCTION = Setting(
    key="outcomes.response_min_reduction_percent",
    default=50,  # source "seeds": shared/CLINICAL.md s.4, response = >= 50 % reduction
    unit="%",
    source="seeds",
    description="Response: at least this % reduction of the total from baseline.",
    minimum=1,
    maximum=100,
)
RELAPSE_CONSECUTIVE = Setting(
    key="outcomes.relapse.consecutive_non_response",
    default=2,
    unit="{measures}",
    source=CLINIC_POLICY,
    description="Clinic policy: after a response, this many consecutive measures that no longer meet the response criterion mean relapse.",
    minimum=1,
    maximum=10,
)
RELAPSE_FRACTION = Setting(
    key="outcomes.relapse.min_fraction_of_baseline",
    default=0.75,
    unit="1",
    source=CLINIC_POLICY,
    description="Clinic policy: after a response, one total at or above this fraction of baseline means relapse.",
    minimum=0.5,
    maximum=2.0,
)

REMISSION_MAX_TOTAL: dict[str, Setting] = {
    s.key.split(".")[2].removesuffix("_max_total"): s
    for s in (
        Setting("outcomes.remission.phq9_max_total", 4, "{score}", "kroenke-2001",
                "Remission: PHQ-9 total < 5 (stored as <= 4).", 0, 27),
        Setting("outcomes.remission.madrs_max_total", 10, "{score}", "seeds",
                "Remission: MADRS total <= 10 (some services use <= 12; shared/CLINICAL.md s.4).", 0, 60),
        Setting("outcomes.remission.gad7_max_total", 4, "{score}", CLINIC_POLICY,
                "Clinic policy: remission as GAD-7 total < 5 (stored as <= 4), the 'minimal' band.", 0, 21),
        Setting("outcomes.remission.qids_sr16_max_total", 5, "{score}", CLINIC_POLICY,
                "Clinic policy: remission as QIDS-SR16 total <= 5, the 'none' band (band edges are marked verify).", 0, 27),
        Setting("outcomes.remission.pcl5_max_total", 32, "{score}", CLINIC_POLICY,
                "Clinic policy: remission as PCL-5 total at or below this; never at or above the clinic's "
                "probable-PTSD cut-point (instruments.pcl5.probable_ptsd_min_total), whichever is lower.", 0, 80),
        Setting("outcomes.remission.ybocs_max_total", 7, "{score}", CLINIC_POLICY,
                "Clinic policy: remission as Y-BOCS total <= 7, the 'subclinical' band (band edges are marked verify).", 0, 40),
    )
}

# A total in a "disorder probable" band can never also read "remission": remission stays below the
# clinic's cut-point even when the remission setting is higher (pcl5: probable PTSD at 31-33).
REMISSION_BELOW_CUTPOINT: dict[str, Setting] = {"pcl5": PCL5_CUTOFF}

SETTINGS: tuple[Setting, ...] = (
    RESPONSE_MIN_REDUCTION,
    RELAPSE_CONSECUTIVE,
    RELAPSE_FRACTION,
    *REMISSION_MAX_TOTAL.values(),
)


@dataclass(frozen=True)
class OutcomePolicy:
    response_min_reduction_percent: float
    remission_max_total: float | None  # None: no remission definition for this instrument
    relapse_consecutive_non_response: int
    relapse_min_fraction_of_baseline: float

    @classmethod
    def for_instrument(cls, instrument_key: str, settings: Mapping[str, object] | None = None) -> "OutcomePolicy":
        """The clinic's thresholds for ``instrument_key`` (shipped defaults where unset)."""
        get_instrument(instrument_key)
        remission = REMISSION_MAX_TOTAL.get(instrument_key)
        remission_max = setting_value(settings, remission) if remission else None
        cutpoint = REMISSION_BELOW_CUTPOINT.get(instrument_key)
        if remission_max is not None and cutpoint is not None:
            remission_max = min(remission_max, setting_value(settings, cutpoint) - 1)
        return cls(
            response_min_reduction_percent=setting_value(settings, RESPONSE_MIN_REDUCTION),
            remission_max_total=remission_max,
            relapse_consecutive_non_response=int(setting_value(settings, RELAPSE_CONSECUTIVE)),
            relapse_min_fraction_of_baseline=setting_value(settings, RELAPSE_FRACTION),
        )


@dataclass(frozen=True)
class ScorePoint:
    at: datetime  # timezone-aware
    total: int | float


@dataclass(frozen=True)
class ScoreSeries:
    instrument_key: str
    baseline: ScorePoint
    follow_up: tuple[ScorePoint, ...]  # chronological, all at or after the baseline

    @classmethod
    def from_points(
        cls, instrument_key: str, points: Iterable[tuple[datetime, int | float] | ScorePoint],
        baseline_at: datetime | None = None,
    ) -> "ScoreSeries":
        """Baseline = the point at ``baseline_at`` (default: the first); follow-ups = later points."""
        pts = [p if isinstance(p, ScorePoint) else ScorePoint(*p) for p in points]
        if not pts:
            raise OutcomeInputError("points", "At least one score (the baseline) is needed.")
        if baseline_at is None:
            return cls(instrument_key, pts[0], tuple(pts[1:]))
        for i, p in enumerate(pts):
            if p.at == baseline_at:
                return cls(instrument_key, p, tuple(pts[i + 1:]))
        raise OutcomeInputError("baseline_at", "No score at the given baseline time.")


@dataclass(frozen=True)
class PointOutcome:
    at: datetime
    total: int | float
    percent_change: float | None
    meets_response: bool
    meets_remission: bool | None


@dataclass(frozen=True)
class OutcomeEvent:
    kind: str  # "response", "remission", "relapse"
    at: datetime
    total: int | float


@dataclass(frozen=True)
class OutcomeSummary:
    instrument_key: str
    baseline: ScorePoint
    latest: ScorePoint
    latest_percent_change: float | None
    points: tuple[PointOutcome, ...]  # one per follow-up
    first_response_at: datetime | None
    days_to_first_response: float | None
    first_remission_at: datetime | None
    days_to_first_remission: float | None
    first_relapse_at: datetime | None
    events: tuple[OutcomeEvent, ...]
    status: str  # "no_follow_up", "not_responded", "responding", "relapsed"
    in_remission_now: bool | None
    policy: OutcomePolicy


def percent_change(baseline_total: int | float, total: int | float) -> float | None:
    """(total - baseline) / baseline x 100; None when the baseline is 0."""
    if baseline_total == 0:
        return None
    return float((Fraction(total) - Fraction(baseline_total)) * 100 / Fraction(baseline_total))


def meets_response(baseline_total: int | float, total: int | float, min_reduction_percent: float) -> bool:
    """Reduction from baseline >= min_reduction_percent (exact arithmetic); never with baseline 0."""
    if baseline_total <= 0:
        return False
    reduction = (Fraction(baseline_total) - Fraction(total)) * 100
    return reduction >= Fraction(min_reduction_percent) * Fraction(baseline_total)


def summarize_outcomes(
    series: ScoreSeries,
    policy: OutcomePolicy | None = None,
    *,
    settings: Mapping[str, object] | None = None,
) -> OutcomeSummary:
    """Response, remission and relapse over ``series`` under ``policy`` (default: clinic settings)."""
    instrument = get_instrument(series.instrument_key)
    if not instrument.has_total or not instrument.lower_is_better:
        raise OutcomeInputError("instrument_key", f"{instrument.name} has no total to follow over time.")
    policy = policy or OutcomePolicy.for_instrument(series.instrument_key, settings)
    _check_series(series, instrument.total_min, instrument.total_max)

    base = series.baseline
    points, events, state = _walk_follow_up(series, policy)
    first = {kind: next((e for e in events if e.kind == kind), None) for kind in ("response", "remission", "relapse")}
    latest = series.follow_up[-1] if series.follow_up else base
    return OutcomeSummary(
        instrument_key=series.instrument_key,
        baseline=base,
        latest=latest,
        latest_percent_change=percent_change(base.total, latest.total) if series.follow_up else None,
        points=tuple(points),
        first_response_at=_at(first["response"]),
        days_to_first_response=_days(base.at, first["response"]),
        first_remission_at=_at(first["remission"]),
        days_to_first_remission=_days(base.at, first["remission"]),
        first_relapse_at=_at(first["relapse"]),
        events=tuple(events),
        status=state if series.follow_up else "no_follow_up",
        in_remission_now=points[-1].meets_remission if points else None,
        policy=policy,
    )


def _walk_follow_up(series: ScoreSeries, policy: OutcomePolicy) -> tuple[list[PointOutcome], list[OutcomeEvent], str]:
    """Each follow-up score against the baseline, in order, through the states
    not_responded -> responding -> relapsed; the first remission is an event of its own."""
    base = series.baseline
    relapse_floor = Fraction(policy.relapse_min_fraction_of_baseline) * Fraction(base.total)
    points: list[PointOutcome] = []
    events: list[OutcomeEvent] = []
    state = "not_responded"
    misses_since_response = 0
    for p in series.follow_up:
        responded = meets_response(base.total, p.total, policy.response_min_reduction_percent)
        remitted = None if policy.remission_max_total is None else p.total <= policy.remission_max_total
        points.append(PointOutcome(p.at, p.total, percent_change(base.total, p.total), responded, remitted))
        if remitted and not any(e.kind == "remission" for e in events):
            events.append(OutcomeEvent("remission", p.at, p.total))
        if state == "responding":
            misses_since_response = 0 if responded else misses_since_response + 1
            too_high = not responded and Fraction(p.total) >= relapse_floor
            if misses_since_response >= policy.relapse_consecutive_non_response or too_high:
                events.append(OutcomeEvent("relapse", p.at, p.total))
                state = "relapsed"
        elif responded:
            events.append(OutcomeEvent("response", p.at, p.total))
            state, misses_since_response = "responding", 0
    return points, events, state


def _at(event: OutcomeEvent | None) -> datetime | None:
    return event.at if event else None


def _days(start: datetime, event: OutcomeEvent | None) -> float | None:
    # Elapsed real time: subtracting two datetimes that share a tzinfo would give wall-clock time.
    return None if event is None else (event.at.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 86400


def _check_series(series: ScoreSeries, total_min: int, total_max: int) -> None:
    all_points: Sequence[ScorePoint] = (series.baseline, *series.follow_up)
    for i, p in enumerate(all_points):
        where = "baseline" if i == 0 else f"follow_up[{i - 1}]"
        if not isinstance(p.at, datetime) or p.at.tzinfo is None or p.at.utcoffset() is None:
            raise OutcomeInputError(f"{where}.at", "Must be a timezone-aware datetime.")
        t = p.total
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
            raise OutcomeInputError(f"{where}.total", f"Must be a finite number, got {t!r}.")
        if not total_min <= t <= total_max:
            raise OutcomeInputError(f"{where}.total", f"Must be between {total_min} and {total_max}, got {t}.")
        if i > 0 and p.at.astimezone(UTC) < all_points[i - 1].at.astimezone(UTC):
            raise OutcomeInputError(f"{where}.at", "Scores must be in chronological order, after the baseline.")
