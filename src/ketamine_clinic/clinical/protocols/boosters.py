"""Maintenance boosters: the tapering schedule after induction, and an earlier booster on relapse.

Source of the taper and the relapse rule: ketect-pmc7265624 (weekly x 1 month, every 2 weeks x 2
months, monthly x 3 months; back to every 2 weeks on relapse). Andrade 2017: give the next dose a
little before the previous effect wears off, which is why a relapse brings the booster forward.
Dates here are local calendar dates; book the exact time with ``scheduling.generate_schedule``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .model import Phase, Protocol
from .scheduling import SchedulingError, _aware, min_gap_days, zone_for


class BoosterError(ValueError):
    """Bad booster input. ``field`` names the input, ``message`` says why in plain English."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class MaintenanceVisit:
    due_date: date  # local date
    phase_name: str
    interval_days: int  # days since the previous dosing session
    source: str
    interval_options_days: tuple[int, ...] = ()  # when the phase offers a choice (e.g. 7 or 14)


@dataclass(frozen=True)
class MaintenanceState:
    """Where a patient is in maintenance: the protocol and the phase now followed."""

    protocol: Protocol
    phase_name: str


@dataclass(frozen=True)
class BoosterProposal:
    due_date: date  # earliest date the booster may be given, local
    phase_name: str  # the phase to follow from now on
    interval_days: int  # the interval for the boosters after this one
    reason: str
    source: str


def _maintenance_phases(protocol: Protocol) -> list[Phase]:
    return [p for p in protocol.phases if p.spacing.interval_days]


def _local_date(value: object, field: str, tz: str | None) -> date:
    if isinstance(value, datetime):
        if tz is None:
            raise BoosterError("tz", "Give the location's time zone to turn a date and time into a local date.")
        try:
            return _aware(value, field).astimezone(zone_for(tz)).date()
        except SchedulingError as exc:
            raise BoosterError(exc.field, exc.message) from None
    if isinstance(value, date):
        return value
    raise BoosterError(field, "A date is required.")


def interval_options(phase: Phase) -> tuple[int, ...]:
    """The intervals a prescriber may choose for ``phase``: its default interval and its options."""
    s = phase.spacing
    return tuple(sorted({*s.interval_options_days, *((s.interval_days,) if s.interval_days else ())}))


def propose_maintenance(
    protocol: Protocol,
    induction_end_date: date | datetime,
    tz: str | None = None,
    *,
    open_ended_sessions: int = 0,
    interval_choices: Mapping[str, int] | None = None,
) -> list[MaintenanceVisit]:
    """Due dates of the maintenance taper, counted from the last induction session.

    Each fixed-interval phase gives its session count, each session ``interval_days`` after the
    previous one, or the interval chosen for it in ``interval_choices`` ({phase name: days}, one of
    ``interval_options(phase)``: e.g. esketamine week 9 on, weekly or every 2 weeks). An open-ended
    phase gives ``open_ended_sessions``. ``induction_end_date`` is a local date, or an aware datetime
    with ``tz`` to find the local date.
    """
    if not isinstance(protocol, Protocol):
        raise BoosterError("protocol", "A protocol is required.")
    if isinstance(open_ended_sessions, bool) or not isinstance(open_ended_sessions, int) or open_ended_sessions < 0:
        raise BoosterError("open_ended_sessions", "A whole number of 0 or more is required.")
    phases = _maintenance_phases(protocol)
    if not phases:
        raise BoosterError("protocol", f"Protocol {protocol.key} has no maintenance phase with an interval.")
    choices = dict(interval_choices or {})
    for name, days in choices.items():
        phase = next((p for p in phases if p.name == name), None)
        if phase is None:
            raise BoosterError(f"interval_choices.{name}", f"Protocol {protocol.key} has no maintenance phase {name!r}.")
        if isinstance(days, bool) or days not in interval_options(phase):
            allowed = " or ".join(str(d) for d in interval_options(phase))
            raise BoosterError(f"interval_choices.{name}", f"Choose {allowed} days for {name}.")
    day = _local_date(induction_end_date, "induction_end_date", tz)
    visits = []
    for phase in phases:
        interval = choices.get(phase.name, phase.spacing.interval_days)
        count = phase.session_count if phase.session_count is not None else open_ended_sessions
        for _ in range(count):
            day += timedelta(days=interval)
            options = interval_options(phase)
            visits.append(MaintenanceVisit(day, phase.name, interval, phase.spacing.source, options if len(options) > 1 else ()))
    return visits


def propose_earlier_booster(
    maintenance_state: MaintenanceState,
    relapse_signal_date: date,
    last_session_date: date,
) -> BoosterProposal:
    """On a relapse signal, bring the next booster forward and return to the shorter interval.

    The booster is due on the relapse date, or as soon after the last session as the phase's
    minimum spacing allows. The interval afterwards is the protocol's relapse interval (every 2
    weeks, ketect-pmc7265624), or the current one if that is already shorter.
    """
    state = maintenance_state
    if not isinstance(state, MaintenanceState):
        raise BoosterError("maintenance_state", "A maintenance state is required.")
    for name, value in (("relapse_signal_date", relapse_signal_date), ("last_session_date", last_session_date)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise BoosterError(name, "A local date is required.")
    rule = state.protocol.relapse_rule
    if rule is None:
        raise BoosterError("maintenance_state", f"Protocol {state.protocol.key} has no relapse rule.")
    try:
        current = state.protocol.phase(state.phase_name)
    except ValueError:
        raise BoosterError("maintenance_state", f"Protocol {state.protocol.key} has no phase {state.phase_name!r}.") from None

    current_interval = min_gap_days(current.spacing)
    if current_interval <= rule.return_to_interval_days:
        phase, interval = current, current_interval
    else:
        interval = rule.return_to_interval_days
        phase = next((p for p in _maintenance_phases(state.protocol) if p.spacing.interval_days == interval), current)
    due = max(relapse_signal_date, last_session_date + timedelta(days=phase.spacing.min_days_between))
    reason = (f"Relapse signalled on {relapse_signal_date.isoformat()}: booster from {due.isoformat()}, "
              f"then every {interval} days.")
    return BoosterProposal(due, phase.name, interval, reason, rule.source)
