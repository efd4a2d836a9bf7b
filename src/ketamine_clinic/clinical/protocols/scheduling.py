"""Pure schedule generation and conflict explanation for a protocol phase.

Time rules: opening hours, closed dates, the preferred time and "days between sessions" are in the
location's LOCAL time (an IANA zone key such as "America/New_York"); every datetime taken or
returned is timezone-aware, and returned ones are in UTC. A 9:00 local appointment stays 9:00 local
across a daylight-saving change. Days are calendar days in the local zone.

Spacing of a phase (``model.Spacing``):
- ``min_days_between``: the next session is at least this many local days after the previous one;
- ``sessions_per_week``: at most this many sessions in any 7 consecutive days, spread out: the
  next session is at least ``7 // sessions_per_week`` days after the previous one (3/week gives
  Mon-Wed-Fri, 2/week gives Mon-Thu);
- ``interval_days``: the next session is due this many days after the previous one (or the first
  workable day after that);
- ``max_span_days``: every session falls within this many days counted from the first one's day
  (day 1 is the first session's day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import Phase, RelativeTo, Spacing

OpeningHours = Mapping[int, Sequence[tuple[time, time]]]  # weekday (0 = Monday) -> [(open, close)] local
Interval = tuple[datetime, datetime]  # aware (start, end)


class SchedulingError(ValueError):
    """Bad scheduling input, or no schedule fits. ``field`` names the input, ``message`` says why."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class ProposedAppointment:
    session_number: int  # 1-based position in the generated schedule
    start_utc: datetime
    end_utc: datetime
    resource_id: str

    def local_start(self, tz: str) -> datetime:
        return self.start_utc.astimezone(zone_for(tz))


@dataclass(frozen=True)
class ExistingAppointment:
    start_utc: datetime
    end_utc: datetime
    resource_id: str | None = None
    patient_id: str | None = None
    is_dosing_session: bool = True  # therapy-only visits do not count for dosing spacing


class ConflictKind(StrEnum):
    RESOURCE_DOUBLE_BOOKED = "resource_double_booked"
    PATIENT_DOUBLE_BOOKED = "patient_double_booked"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    TOO_CLOSE_TO_PREVIOUS = "too_close_to_previous"
    TOO_MANY_IN_WEEK = "too_many_in_week"
    IN_THE_PAST = "in_the_past"


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    message: str


# --- input checking ---------------------------------------------------------------------------


def zone_for(tz: object) -> ZoneInfo:
    if not isinstance(tz, str) or not tz:
        raise SchedulingError("tz", "A time zone name such as 'America/New_York' is required.")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SchedulingError("tz", f"Unknown time zone {tz!r}.") from None


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise SchedulingError(field, "A date and time is required.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise SchedulingError(field, "The time must carry a time zone (store times in UTC).")
    return value.astimezone(UTC)


def _intervals(values: Iterable[object], field: str) -> list[Interval]:
    out = []
    for i, item in enumerate(values):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise SchedulingError(f"{field}[{i}]", "Give a (start, end) pair.")
        start, end = _aware(item[0], f"{field}[{i}]"), _aware(item[1], f"{field}[{i}]")
        if end <= start:
            raise SchedulingError(f"{field}[{i}]", "The end must be after the start.")
        out.append((start, end))
    return out


def _opening_hours(value: object) -> dict[int, list[tuple[time, time]]]:
    if not isinstance(value, Mapping):
        raise SchedulingError("opening_hours", "Give opening hours as {weekday: [(open, close)]}, Monday = 0.")
    out: dict[int, list[tuple[time, time]]] = {}
    for weekday, spans in value.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise SchedulingError("opening_hours", f"Weekday {weekday!r} must be 0 (Monday) to 6 (Sunday).")
        out[weekday] = []
        for span in spans:
            if (not isinstance(span, (tuple, list)) or len(span) != 2
                    or not all(isinstance(t, time) and t.tzinfo is None for t in span)):
                raise SchedulingError("opening_hours", "Each opening span is a pair of local times (open, close).")
            if not span[0] < span[1]:
                raise SchedulingError("opening_hours", f"Opening {span[0]} must be before closing {span[1]}.")
            out[weekday].append((span[0], span[1]))
    return out


def _positive_int(value: object, field: str, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SchedulingError(field, "A whole number of 1 or more is required.")
    if maximum is not None and value > maximum:
        raise SchedulingError(field, f"Must be at most {maximum}.")
    return value


# --- local-time helpers -----------------------------------------------------------------------


def _to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """``day`` at local ``at`` in UTC; None when that local time does not exist (spring forward)."""
    local = datetime.combine(day, at, tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _within_opening(start: datetime, end: datetime, zone: ZoneInfo,
                    hours: dict[int, list[tuple[time, time]]], closed: set[date]) -> bool:
    day = _local_date(start, zone)
    if day in closed:
        return False
    for open_t, close_t in hours.get(day.weekday(), []):
        opens = datetime.combine(day, open_t, tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(day, close_t, tzinfo=zone).astimezone(UTC)
        if opens <= start and end <= closes:
            return True
    return False


def _overlaps(start: datetime, end: datetime, intervals: Iterable[Interval]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in intervals)


def min_gap_days(spacing: Spacing) -> int:
    """Fewest local days from one session to the next under ``spacing``."""
    gap = spacing.min_days_between
    if spacing.sessions_per_week:
        gap = max(gap, 7 // spacing.sessions_per_week)
    if spacing.interval_days:
        gap = max(gap, spacing.interval_days)
    return max(gap, 1)


def _week_cap_ok(day: date, dates: Sequence[date], per_week: int | None) -> bool:
    """Adding ``day`` keeps every 7-consecutive-day window at or under ``per_week`` sessions."""
    if not per_week:
        return True
    for first in (day - timedelta(days=k) for k in range(7)):
        last = first + timedelta(days=6)
        if sum(1 for d in dates if first <= d <= last) + 1 > per_week:
            return False
    return True


# --- generation -------------------------------------------------------------------------------


def generate_schedule(
    protocol_phase: Phase,
    start: date | datetime,
    count: int | None,
    preferred_time: time,
    tz: str,
    opening_hours: OpeningHours,
    closed_dates: Iterable[date] = (),
    busy: Mapping[str, Sequence[Interval]] | None = None,
    duration_min: int = 60,
    resources: Sequence[str] = (),
    *,
    patient_busy: Sequence[Interval] = (),
    previous_sessions_utc: Sequence[datetime] = (),
    slot_step_min: int = 15,
    horizon_days: int = 366,
) -> list[ProposedAppointment]:
    """Propose ``count`` sessions of ``protocol_phase`` from ``start`` on, earliest first.

    ``start``: a local date (first session on or after it) or an aware datetime (not before it).
    ``count``: sessions to book; None takes the phase's session count.
    ``preferred_time``: local wall-clock time tried first each day; when it is taken or closed,
    the nearest free start within opening hours (``slot_step_min`` apart) is used.
    ``busy``: per resource id, the (start, end) times it is already booked. ``resources`` are tried
    in order. ``patient_busy``: the patient's own other appointments.
    ``previous_sessions_utc``: the patient's earlier dosing sessions, so spacing carries over.
    Raises ``SchedulingError`` for bad input, or when the sessions cannot all be placed within the
    phase's maximum span or ``horizon_days``.
    """
    if not isinstance(protocol_phase, Phase):
        raise SchedulingError("protocol_phase", "A protocol phase is required.")
    spacing = protocol_phase.spacing
    zone = zone_for(tz)
    count = _session_count(protocol_phase, count)
    if not isinstance(preferred_time, time) or preferred_time.tzinfo is not None:
        raise SchedulingError("preferred_time", "A local time without a time zone is required, e.g. 09:00.")
    hours = _opening_hours(opening_hours)
    closed = _closed_dates(closed_dates)
    duration = timedelta(minutes=_positive_int(duration_min, "duration_min", maximum=24 * 60))
    step = timedelta(minutes=_positive_int(slot_step_min, "slot_step_min", maximum=24 * 60))
    horizon = _positive_int(horizon_days, "horizon_days", maximum=3 * 366)
    if isinstance(resources, str) or not resources:
        raise SchedulingError("resources", "Give at least one resource (chair or room) to book.")
    busy_by_resource = {r: _intervals((busy or {}).get(r, ()), f"busy[{r}]") for r in resources}
    patient_intervals = _intervals(patient_busy, "patient_busy")
    previous = sorted(_local_date(_aware(p, "previous_sessions_utc"), zone) for p in previous_sessions_utc)

    not_before, day = _start_point(start, zone)

    gap = min_gap_days(spacing)
    last_day_allowed = day + timedelta(days=horizon)
    dates: list[date] = list(previous)
    proposals: list[ProposedAppointment] = []
    first_day: date | None = None
    while len(proposals) < count:
        if dates:
            day = max(day, dates[-1] + timedelta(days=gap))
        _check_still_within_span(day, first_day, spacing, len(proposals), count)
        if day > last_day_allowed:
            raise SchedulingError("count", f"Only {len(proposals)} of {count} sessions fit within {horizon} days.")
        slot = None
        if _week_cap_ok(day, dates, spacing.sessions_per_week) and day not in closed:
            slot = _first_free_slot(day, preferred_time, zone, hours, duration, step, not_before,
                                    busy_by_resource, resources, patient_intervals)
        if slot is None:
            day += timedelta(days=1)
            continue
        start_utc, resource_id = slot
        proposals.append(ProposedAppointment(len(proposals) + 1, start_utc, start_utc + duration, resource_id))
        dates.append(day)
        first_day = first_day or day
        day += timedelta(days=1)
    return proposals


def _session_count(protocol_phase: Phase, count) -> int:
    """The sessions to book: the phase's own count when None, never more than the phase has."""
    if count is None:
        if protocol_phase.session_count is None:
            raise SchedulingError("count", f"Phase {protocol_phase.name!r} is open-ended: say how many sessions to book.")
        count = protocol_phase.session_count
    count = _positive_int(count, "count", maximum=200)
    if protocol_phase.session_count is not None and count > protocol_phase.session_count:
        raise SchedulingError("count", f"Phase {protocol_phase.name!r} has {protocol_phase.session_count} sessions, not {count}.")
    return count


def _closed_dates(closed_dates: Iterable[date]) -> set[date]:
    closed = set(closed_dates)
    if not all(isinstance(d, date) and not isinstance(d, datetime) for d in closed):
        raise SchedulingError("closed_dates", "Closed dates must be dates.")
    return closed


def _start_point(start, zone) -> tuple[datetime | None, date]:
    """(the first moment allowed, or None for the whole day; the first local day to try)."""
    if isinstance(start, datetime):
        not_before = _aware(start, "start")
        return not_before, _local_date(not_before, zone)
    if isinstance(start, date):
        return None, start
    raise SchedulingError("start", "A date or a timezone-aware date and time is required.")


def _check_still_within_span(day: date, first_day: date | None, spacing, placed: int, count: int) -> None:
    """Refuse once ``day`` is past the phase's maximum span from its first session."""
    if first_day is not None and spacing.max_span_days and (day - first_day).days >= spacing.max_span_days:
        raise SchedulingError(
            "count",
            f"Only {placed} of {count} sessions fit within {spacing.max_span_days} days from "
            f"{first_day.isoformat()}: check opening hours, closures and resource availability.",
        )


def _candidate_times(day: date, preferred: time, spans: list[tuple[time, time]], step: timedelta) -> list[time]:
    times = {preferred}
    for open_t, close_t in spans:
        t = datetime.combine(day, open_t)
        while t.time() < close_t and t.date() == day:
            times.add(t.time())
            t += step
    pref_min = preferred.hour * 60 + preferred.minute
    return sorted(times, key=lambda t: (abs(t.hour * 60 + t.minute - pref_min), t))


def _first_free_slot(day, preferred, zone, hours, duration, step, not_before, busy_by_resource, resources,
                     patient_intervals) -> tuple[datetime, str] | None:
    for at in _candidate_times(day, preferred, hours.get(day.weekday(), []), step):
        start = _to_utc(day, at, zone)
        if start is None or (not_before is not None and start < not_before):
            continue
        end = start + duration
        if not _within_opening(start, end, zone, hours, set()) or _overlaps(start, end, patient_intervals):
            continue
        for resource_id in resources:
            if not _overlaps(start, end, busy_by_resource[resource_id]):
                return start, resource_id
    return None


# --- conflicts --------------------------------------------------------------------------------


def find_conflicts(
    proposed: ProposedAppointment,
    existing: Sequence[ExistingAppointment],
    *,
    patient_id: str,
    now: datetime,
    tz: str,
    opening_hours: OpeningHours | None = None,
    closed_dates: Iterable[date] = (),
    spacing: Spacing | None = None,
) -> list[Conflict]:
    """Every reason ``proposed`` (for ``patient_id``) cannot go ahead as is; empty when it can.

    ``existing`` holds the other bookings of the location and the patient (leave out the
    appointment being moved). ``spacing`` is the protocol phase's spacing; ``opening_hours`` the
    location's local hours (both optional: skipped when not given).
    """
    zone = zone_for(tz)
    start, end = _aware(proposed.start_utc, "start_utc"), _aware(proposed.end_utc, "end_utc")
    if end <= start:
        raise SchedulingError("end_utc", "The end must be after the start.")
    now_utc = _aware(now, "now")
    conflicts: list[Conflict] = []

    def show(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")

    if start < now_utc:
        conflicts.append(Conflict(ConflictKind.IN_THE_PAST, f"Starts {show(start)}, which is in the past."))
    if opening_hours is not None and not _within_opening(start, end, zone, _opening_hours(opening_hours),
                                                         set(closed_dates)):
        conflicts.append(Conflict(ConflictKind.OUTSIDE_OPENING_HOURS,
                                  f"{show(start)} to {end.astimezone(zone):%H:%M} is outside opening hours."))
    for other in existing:
        o_start, o_end = _aware(other.start_utc, "existing.start_utc"), _aware(other.end_utc, "existing.end_utc")
        if not (start < o_end and o_start < end):
            continue
        if other.resource_id is not None and other.resource_id == proposed.resource_id:
            conflicts.append(Conflict(ConflictKind.RESOURCE_DOUBLE_BOOKED,
                                      f"{proposed.resource_id} is already booked {show(o_start)} to "
                                      f"{o_end.astimezone(zone):%H:%M}."))
        if other.patient_id is not None and other.patient_id == patient_id:
            conflicts.append(Conflict(ConflictKind.PATIENT_DOUBLE_BOOKED,
                                      f"The patient already has an appointment {show(o_start)} to "
                                      f"{o_end.astimezone(zone):%H:%M}."))
    if spacing is not None:
        conflicts.extend(_spacing_conflicts(start, existing, patient_id, spacing, zone))
    return conflicts


def _spacing_conflicts(start: datetime, existing: Sequence[ExistingAppointment], patient_id: str,
                       spacing: Spacing, zone: ZoneInfo) -> list[Conflict]:
    day = _local_date(start, zone)
    own = sorted(_local_date(_aware(e.start_utc, "existing.start_utc"), zone)
                 for e in existing if e.patient_id == patient_id and e.is_dosing_session)
    out = []
    close = [d for d in own if abs((d - day).days) < spacing.min_days_between]
    if close:
        nearest = min(close, key=lambda d: abs((d - day).days))
        out.append(Conflict(ConflictKind.TOO_CLOSE_TO_PREVIOUS,
                            f"Another dosing session is on {nearest.isoformat()}; this protocol needs at least "
                            f"{spacing.min_days_between} day(s) between sessions."))
    if spacing.sessions_per_week:
        for first in (day - timedelta(days=k) for k in range(7)):
            last = first + timedelta(days=6)
            in_window = sum(1 for d in own if first <= d <= last) + 1
            if in_window > spacing.sessions_per_week:
                out.append(Conflict(ConflictKind.TOO_MANY_IN_WEEK,
                                    f"{in_window} dosing sessions between {first.isoformat()} and {last.isoformat()}; "
                                    f"this protocol allows {spacing.sessions_per_week} per week."))
                break
    return out


# --- therapy sessions linked to dosing --------------------------------------------------------


ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class LinkedSessionDue:
    kind: str  # model.TherapyKind value: preparation / integration / psychotherapy
    earliest: date  # local date window in which to book it
    latest: date
    dosing_session_number: int  # the dosing session it belongs to (1-based)
    source: str


def propose_linked_sessions(protocol, dosing_dates: Sequence[date]) -> list[LinkedSessionDue]:
    """Date windows for the protocol's therapy sessions around the given dosing dates (local)."""
    dates = list(dosing_dates)
    if not all(isinstance(d, date) and not isinstance(d, datetime) for d in dates):
        raise SchedulingError("dosing_dates", "Local dates are required.")
    dates.sort()
    out: list[LinkedSessionDue] = []
    if not dates:
        return out
    for link in protocol.linked_sessions:
        window = timedelta(days=link.within_days)
        if link.relative_to is RelativeTo.BEFORE_FIRST_DOSING:
            anchors = [(1, dates[0] - window, dates[0])]
        # After dosing: from the next day (the patient goes home and does not drive until then;
        # PRACTICE.md s.5.1: integration "usually within 24-28 hours"), never before the dose.
        elif link.relative_to is RelativeTo.AFTER_LAST_DOSING:
            anchors = [(len(dates), dates[-1] + ONE_DAY, dates[-1] + window)]
        else:
            anchors = [(i, d + ONE_DAY, d + window) for i, d in enumerate(dates, start=1)]
        for number, earliest, latest in anchors:
            out.extend(LinkedSessionDue(link.kind.value, earliest, latest, number, link.source)
                       for _ in range(link.count))
    return out
