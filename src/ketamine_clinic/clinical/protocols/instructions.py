"""What a patient is told before a visit and on leaving, per route (shared/CLINICAL.md s.1 and s.3).

Label instructions (Spravato PI) are fixed. Discharge instructions "seen in practice" carry hours a
clinic may change: those are ``SETTINGS`` (clinic policy); pass the clinic's values in ``hours``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY

SETTINGS: tuple[Setting, ...] = (
    Setting("instructions.no_driving_h", 24, "h", CLINIC_POLICY,
            "IV/IM/oral: no driving for this many hours after a session (clinic policy; seen in practice).", 12, 72),
    Setting("instructions.no_important_decisions_h", 24, "h", CLINIC_POLICY,
            "No important decisions for this many hours (clinic policy; seen in practice).", 0, 72),
    Setting("instructions.no_alcohol_cannabis_h", 24, "h", CLINIC_POLICY,
            "No alcohol or cannabis for this many hours (clinic policy; seen in practice).", 0, 72),
    Setting("instructions.avoid_opioids_benzodiazepines_h", 4, "h", CLINIC_POLICY,
            "Avoid opioids and benzodiazepines for this many hours (clinic policy; seen in practice).", 0, 48),
)
_DEFAULT_HOURS = {s.key.removeprefix("instructions."): s.default for s in SETTINGS}


class InstructionError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class Timing(StrEnum):
    BEFORE_VISIT = "before_visit"
    AFTER_VISIT = "after_visit"


@dataclass(frozen=True)
class Instruction:
    text: str
    source: str  # key of sources.SOURCES
    timing: Timing


_RACEMIC_IN_CLINIC = (Route.IV, Route.IM)


def pre_visit_instructions(route: Route | str, hours: Mapping[str, int] | None = None) -> list[Instruction]:
    """Everything to tell the patient when booking: what to do before, and the rules after the visit.

    ``hours`` overrides the clinic-policy hours by setting name without prefix, e.g.
    ``{"no_driving_h": 24}``.
    """
    route = _route(route)
    h = _hours(hours)
    out: list[Instruction] = []
    before, after = Timing.BEFORE_VISIT, Timing.AFTER_VISIT
    if route is Route.ESKETAMINE_NASAL:
        out += [
            Instruction("Do not eat for 2 hours before your treatment.", "spravato-pi", before),
            Instruction("Do not drink any liquids for 30 minutes before your treatment.", "spravato-pi", before),
            Instruction("You will stay at the clinic for at least 2 hours after your dose while staff watch over you.",
                        "spravato-pi", before),
        ]
    out.append(Instruction("Arrange a ride home before your visit.", "seeds", before))
    if route in _RACEMIC_IN_CLINIC:
        out.append(Instruction("An adult must take you home: you cannot leave on your own.", "seeds", before))
    return out + discharge_instructions(route, hours=h)


def discharge_instructions(route: Route | str, hours: Mapping[str, int] | None = None) -> list[Instruction]:
    """The rules the patient leaves with (seen in practice, shared/CLINICAL.md s.3)."""
    route = _route(route)
    h = _hours(hours)
    after = Timing.AFTER_VISIT
    if route is Route.ESKETAMINE_NASAL:
        driving = Instruction("Do not drive or operate machinery until the next day, after a restful sleep.",
                              "spravato-pi", after)
    else:
        driving = Instruction(f"Do not drive or operate machinery for {h['no_driving_h']} hours.", "seeds", after)
    return [
        driving,
        Instruction(f"Do not make important decisions for {h['no_important_decisions_h']} hours.", "seeds", after),
        Instruction(f"Do not drink alcohol or use cannabis for {h['no_alcohol_cannabis_h']} hours.", "seeds", after),
        Instruction(f"Avoid opioids and benzodiazepines for {h['avoid_opioids_benzodiazepines_h']} hours.",
                    "seeds", after),
    ]


def _route(route: object) -> Route:
    try:
        return Route(route)
    except ValueError:
        allowed = ", ".join(r.value for r in Route)
        raise InstructionError("route", f"{route!r} is not a route; use one of {allowed}.") from None


def _hours(hours: Mapping[str, int] | None) -> dict[str, int]:
    merged = dict(_DEFAULT_HOURS)
    limits = {s.key.removeprefix("instructions."): s for s in SETTINGS}
    for name, value in (hours or {}).items():
        if name not in limits:
            raise InstructionError(f"hours.{name}", f"Unknown setting; use one of {', '.join(limits)}.")
        s = limits[name]
        if isinstance(value, bool) or not isinstance(value, int) or not s.minimum <= value <= s.maximum:
            raise InstructionError(f"hours.{name}", f"Give whole hours from {s.minimum:g} to {s.maximum:g}.")
        merged[name] = value
    return merged
