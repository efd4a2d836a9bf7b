"""Which measures are due: rules over session times, completed measures and ``now``.

Rules (each names the instrument it asks for):

- ``BeforeEachSession``: complete within ``window_before`` before each session start.
- ``AfterEachSession``: around ``target_after`` after each session (research practice: ~24 h,
  shared/CLINICAL.md s.4), accepted from ``target_after - window_before`` to ``target_after +
  window_after``.
- ``Every``: every ``interval`` from ``starts_at`` (e.g. weekly during maintenance) until
  ``ends_at``, accepted from ``window_before`` before to ``window_after`` after each due time.
- ``WhenTriggered``: after a trigger such as a positive PHQ-9 item 9, by the end of the same
  calendar day (shared/CLINICAL.md s.4: same-day suicide-risk assessment) or within ``within``.

Time arithmetic is wall-clock in the time zone of the datetimes you pass: pass session times in
the location's zone (``zoneinfo``) and "24 h after 10:00" stays 10:00 the next day across a
daylight-saving change. All datetimes must be timezone-aware.

Each completed measure satisfies at most one due measure (earliest window end first), so a single
PHQ-9 cannot count both as "after Monday's session" and "before Wednesday's".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ..clinic_policy import Setting
from ..sources import CLINIC_POLICY
from .errors import InstrumentError
from .validation import get_instrument


class ScheduleInputError(InstrumentError):
    """Bad rule, session, completion or ``now`` passed to ``measures_due``."""


BEFORE_SESSION_WINDOW = Setting(
    "schedule.before_session.window_h", 24, "h", CLINIC_POLICY,
    "Clinic policy: a pre-session measure counts if completed this many hours before the session start.", 1, 168)
AFTER_SESSION_TARGET = Setting(
    "schedule.after_session.target_h", 24, "h", "seeds",
    "Post-session measure taken about this many hours after the session (research practice ~24 h).", 1, 168)
AFTER_SESSION_WINDOW_BEFORE = Setting(
    "schedule.after_session.window_before_h", 4, "h", CLINIC_POLICY,
    "Clinic policy: the post-session measure is accepted from this many hours before its target time.", 0, 48)
AFTER_SESSION_WINDOW_AFTER = Setting(
    "schedule.after_session.window_after_h", 24, "h", CLINIC_POLICY,
    "Clinic policy: the post-session measure is overdue this many hours after its target time.", 0, 168)
PERIODIC_WINDOW_BEFORE = Setting(
    "schedule.periodic.window_before_days", 2, "d", CLINIC_POLICY,
    "Clinic policy: a periodic (e.g. weekly) measure is accepted from this many days before it is due.", 0, 14)
PERIODIC_WINDOW_AFTER = Setting(
    "schedule.periodic.window_after_days", 3, "d", CLINIC_POLICY,
    "Clinic policy: a periodic measure is overdue this many days after it is due.", 0, 14)

SETTINGS: tuple[Setting, ...] = (
    BEFORE_SESSION_WINDOW, AFTER_SESSION_TARGET, AFTER_SESSION_WINDOW_BEFORE,
    AFTER_SESSION_WINDOW_AFTER, PERIODIC_WINDOW_BEFORE, PERIODIC_WINDOW_AFTER,
)

PHQ9_ITEM9_POSITIVE = "phq9_item9_positive"  # the ItemFlag.flag raised by scoring
TRIGGER_WORDS = {PHQ9_ITEM9_POSITIVE: "positive PHQ-9 item 9"}  # how a due measure's reason reads


class DueStatus(StrEnum):
    UPCOMING = "upcoming"  # window not yet open
    DUE = "due"  # window open, not yet completed
    OVERDUE = "overdue"  # window closed without a completion
    DONE = "done"


@dataclass(frozen=True)
class BeforeEachSession:
    instrument_key: str
    window_before: timedelta = timedelta(hours=BEFORE_SESSION_WINDOW.default)


@dataclass(frozen=True)
class AfterEachSession:
    instrument_key: str
    target_after: timedelta = timedelta(hours=AFTER_SESSION_TARGET.default)
    window_before: timedelta = timedelta(hours=AFTER_SESSION_WINDOW_BEFORE.default)
    window_after: timedelta = timedelta(hours=AFTER_SESSION_WINDOW_AFTER.default)


@dataclass(frozen=True)
class Every:
    instrument_key: str
    interval: timedelta
    starts_at: datetime
    ends_at: datetime | None = None
    window_before: timedelta = timedelta(days=PERIODIC_WINDOW_BEFORE.default)
    window_after: timedelta = timedelta(days=PERIODIC_WINDOW_AFTER.default)


@dataclass(frozen=True)
class WhenTriggered:
    instrument_key: str  # "cssrs"
    trigger: str = PHQ9_ITEM9_POSITIVE
    within: timedelta | None = None  # None: by the end of the trigger's calendar day


Rule = BeforeEachSession | AfterEachSession | Every | WhenTriggered


@dataclass(frozen=True)
class DueMeasure:
    instrument_key: str
    reason: str  # "before session 2026-03-07 10:00"
    window_start: datetime
    due_at: datetime
    window_end: datetime
    status: DueStatus
    completed_at: datetime | None = None


def measures_due(
    rules: Sequence[Rule],
    sessions: Sequence[datetime],
    completed: Sequence[tuple[str, datetime]],
    now: datetime,
    *,
    triggers: Sequence[tuple[str, datetime]] = (),
) -> list[DueMeasure]:
    """Every measure the rules ask for up to one interval past ``now``, with its status, by due time."""
    _aware(now, "now")
    for i, s in enumerate(sessions):
        _aware(s, f"sessions[{i}]")
    for i, pair in enumerate(completed):
        if not isinstance(pair, tuple) or len(pair) != 2 or not isinstance(pair[0], str):
            raise ScheduleInputError(f"completed[{i}]", "Must be a pair (instrument_key, completed_at).")
        _aware(pair[1], f"completed[{i}]")
    for i, pair in enumerate(triggers):
        if not isinstance(pair, tuple) or len(pair) != 2 or not isinstance(pair[0], str):
            raise ScheduleInputError(f"triggers[{i}]", "Must be a pair (trigger, at).")
        _aware(pair[1], f"triggers[{i}]")

    windows: list[tuple[str, str, datetime, datetime, datetime]] = []
    for i, rule in enumerate(rules):
        windows.extend(_windows(rule, f"rules[{i}]", sorted(sessions), now, triggers))

    # Compare instants in UTC: Python compares two datetimes sharing a tzinfo by wall clock.
    unused = sorted(completed, key=lambda pair: _utc(pair[1]))
    now_utc = _utc(now)
    result: list[DueMeasure] = []
    for key, reason, start, due, end in sorted(windows, key=lambda w: (_utc(w[4]), _utc(w[3]))):
        match = next((p for p in unused if p[0] == key and _utc(start) <= _utc(p[1]) <= _utc(end)), None)
        if match is not None:
            unused.remove(match)
            status = DueStatus.DONE
        elif now_utc > _utc(end):
            status = DueStatus.OVERDUE
        elif now_utc >= _utc(start):
            status = DueStatus.DUE
        else:
            status = DueStatus.UPCOMING
        result.append(DueMeasure(key, reason, start, due, end, status, match[1] if match else None))
    return sorted(result, key=lambda d: (_utc(d.due_at), d.instrument_key))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _windows(rule, where: str, sessions: list[datetime], now: datetime, triggers):
    if not isinstance(rule, BeforeEachSession | AfterEachSession | Every | WhenTriggered):
        raise ScheduleInputError(where, f"Unknown rule {rule!r}.")
    try:
        get_instrument(rule.instrument_key)
    except InstrumentError:
        raise ScheduleInputError(f"{where}.instrument_key", f"Unknown instrument {rule.instrument_key!r}.") from None
    key = rule.instrument_key
    if isinstance(rule, BeforeEachSession):
        _positive(rule.window_before, f"{where}.window_before")
        for s in sessions:
            yield key, f"before session {s:%Y-%m-%d %H:%M}", s - rule.window_before, s, s
    elif isinstance(rule, AfterEachSession):
        for name in ("target_after", "window_before", "window_after"):
            _positive(getattr(rule, name), f"{where}.{name}", allow_zero=name != "target_after")
        for s in sessions:
            due = s + rule.target_after
            yield key, f"after session {s:%Y-%m-%d %H:%M}", due - rule.window_before, due, due + rule.window_after
    elif isinstance(rule, Every):
        _positive(rule.interval, f"{where}.interval")
        _aware(rule.starts_at, f"{where}.starts_at")
        if rule.ends_at is not None:
            _aware(rule.ends_at, f"{where}.ends_at")
        horizon = _utc(now) + rule.interval
        if rule.ends_at is not None and _utc(rule.ends_at) < horizon:
            horizon = _utc(rule.ends_at)
        k = 0
        while _utc(due := rule.starts_at + k * rule.interval) <= horizon:
            yield key, f"every {_show(rule.interval)}", due - rule.window_before, due, due + rule.window_after
            k += 1
    else:
        for trigger, at in triggers:
            if trigger != rule.trigger:
                continue
            if rule.within is None:
                end = at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
            else:
                _positive(rule.within, f"{where}.within")
                end = at + rule.within
            yield key, f"{TRIGGER_WORDS.get(trigger, trigger)} at {at:%Y-%m-%d %H:%M}", at, at, end


def _show(interval: timedelta) -> str:
    if interval.days and not interval.seconds:
        return "week" if interval.days == 7 else f"{interval.days} days"
    return str(interval)


def _aware(value: object, field: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleInputError(field, "Must be a timezone-aware datetime.")


def _positive(value: object, field: str, allow_zero: bool = False) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0) or (value == timedelta(0) and not allow_zero):
        raise ScheduleInputError(field, "Must be a positive duration.")
