"""What a treatment protocol is: frozen dataclasses, their validation and dose checking.

A protocol is data. The shipped ones live in ``library.py``; a clinic copies one with
``protocol_to_dict``, edits it, and the web layer stores the dict as a new version, read back with
``protocol_from_dict`` (see ``dicts.py``). Every rule names a key of ``sources.SOURCES``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ..routes import Route
from ..sources import SOURCES

# One Spravato device holds 28 mg esketamine (2 sprays, one per nostril). Source: spravato-pi.
ESKETAMINE_MG_PER_DEVICE = 28


class ProtocolError(ValueError):
    """Bad protocol input. ``field`` names the offending field, ``message`` says why in plain English.

    ``errors`` maps every offending field to its messages, so a form can show them all at once.
    """

    def __init__(self, field: str, message: str, errors: dict[str, list[str]] | None = None):
        self.field = field
        self.message = message
        self.errors = errors if errors is not None else {field: [message]}
        super().__init__(f"{field}: {message}")


class DoseUnit(StrEnum):
    """The unit a dose is ordered in: a protocol's dose rule, a plan's dose and a session's order."""

    MG_PER_KG = "mg/kg"  # weight-based bolus or infusion total (IV, IM)
    MG = "mg"  # fixed dose (oral / sublingual)
    DEVICES = "devices"  # Spravato nasal devices of 28 mg each
    MG_PER_KG_PER_H = "mg/kg/h"  # continuous infusion rate (chronic pain)

    @property
    def label(self) -> str:
        return DOSE_UNIT_LABELS[self]


DOSE_UNIT_LABELS = {
    DoseUnit.MG_PER_KG: "mg/kg",
    DoseUnit.MG: "mg (fixed)",
    DoseUnit.DEVICES: "devices (28 mg each)",
    DoseUnit.MG_PER_KG_PER_H: "mg/kg/h (infusion rate)",
}


class MeasureWhen(StrEnum):
    BEFORE_EACH_SESSION = "before_each_session"
    DURING_SESSION = "during_session"
    H24_AFTER_EACH_SESSION = "24h_after_each_session"
    WEEKLY = "weekly"
    END_OF_PHASE = "end_of_phase"


class TherapyKind(StrEnum):
    PREPARATION = "preparation"
    INTEGRATION = "integration"
    PSYCHOTHERAPY = "psychotherapy"


class RelativeTo(StrEnum):
    BEFORE_FIRST_DOSING = "before_first_dosing"
    AFTER_EACH_DOSING = "after_each_dosing"
    AFTER_LAST_DOSING = "after_last_dosing"


class TitrationCondition(StrEnum):
    INADEQUATE_RESPONSE = "inadequate_response"  # after ``after_sessions`` sessions at the default
    TOLERABILITY = "tolerability"  # side effects: step down


@dataclass(frozen=True)
class ProtocolIndication:
    """An indication a protocol is written for, matched by ICD-10-CM code (not the screening
    enumeration ``eligibility.Indication``)."""

    label: str
    icd10cm_prefixes: tuple[str, ...]  # ICD-10-CM codes or prefixes that match ("F33" matches F33.1)
    source: str

    def matches(self, icd10cm_code: str) -> bool:
        code = icd10cm_code.strip().upper()
        return any(code.startswith(p.upper()) for p in self.icd10cm_prefixes)


@dataclass(frozen=True)
class Spacing:
    """How far apart a phase's sessions fall. Days are calendar days in the clinic's time zone."""

    min_days_between: int  # 1 = consecutive days allowed
    sessions_per_week: int | None = None  # at most this many in any 7 consecutive days
    interval_days: int | None = None  # fixed interval: next session this many days after the last
    max_span_days: int | None = None  # all sessions within this many days of the first one
    source: str = ""
    # Fixed intervals the prescriber may choose instead of ``interval_days`` (the default) for this
    # patient, e.g. Spravato week 9 on: weekly or every 2 weeks, the least frequent that keeps
    # response (spravato-pi). Empty: the interval is fixed.
    interval_options_days: tuple[int, ...] = ()


@dataclass(frozen=True)
class Phase:
    name: str  # "induction", "maintenance-weekly", ...
    session_count: int | None  # None = open-ended
    spacing: Spacing
    description: str = ""


@dataclass(frozen=True)
class DoseRule:
    unit: DoseUnit
    default: Decimal
    minimum: Decimal
    maximum: Decimal
    source: str
    first_session_dose: Decimal | None = None  # e.g. Spravato day 1 = 2 devices (56 mg)
    infusion_duration_min: int | None = None  # fixed infusion length (IV 0.5 mg/kg over 40 min)
    min_infusion_duration_min: int | None = None  # infusion must last MORE than this (pain: > 2 h)
    min_total_dose_mg: Decimal | None = None  # pain: total >= 80 mg
    max_bolus_mg_per_kg: Decimal | None = None  # pain: bolus up to 0.35 mg/kg
    top_up_min_mg: Decimal | None = None  # KAP IM: optional 20-40 mg top-up
    top_up_max_mg: Decimal | None = None


@dataclass(frozen=True)
class TitrationRule:
    condition: TitrationCondition
    new_dose: Decimal  # in the protocol's dose unit
    source: str
    after_sessions: int | None = None  # applies once this many sessions are done
    description: str = ""


@dataclass(frozen=True)
class MeasureCadence:
    instrument: str  # instrument key: "phq9", "gad7", "cadss", "pain_nrs", ...
    when: MeasureWhen
    source: str


@dataclass(frozen=True)
class LinkedSession:
    kind: TherapyKind
    relative_to: RelativeTo
    count: int  # sessions of this kind per anchor (per dosing session for AFTER_EACH_DOSING)
    within_days: int  # preparation: in the N days before; integration: in the N days after
    source: str


@dataclass(frozen=True)
class RelapseRule:
    """On relapse during maintenance, go back to this interval (or keep a shorter current one)."""

    return_to_interval_days: int
    source: str


@dataclass(frozen=True)
class Protocol:
    key: str
    version: int
    title: str
    route: Route
    indications: tuple[ProtocolIndication, ...]
    phases: tuple[Phase, ...]
    dose_rule: DoseRule
    sources: tuple[str, ...]
    titration_rules: tuple[TitrationRule, ...] = ()
    measures: tuple[MeasureCadence, ...] = ()
    linked_sessions: tuple[LinkedSession, ...] = ()
    relapse_rule: RelapseRule | None = None
    at_home: bool = False  # doses taken at home (lozenges) rather than in clinic
    notes: str = ""

    def phase(self, name: str) -> Phase:
        for p in self.phases:
            if p.name == name:
                return p
        raise ProtocolError("phase", f"Protocol {self.key} has no phase named {name!r}.")

    def cited_sources(self) -> set[str]:
        """Every source key the protocol cites anywhere."""
        keys = set(self.sources)
        keys.update(i.source for i in self.indications)
        keys.update(p.spacing.source for p in self.phases)
        keys.add(self.dose_rule.source)
        keys.update(t.source for t in self.titration_rules)
        keys.update(m.source for m in self.measures)
        keys.update(s.source for s in self.linked_sessions)
        if self.relapse_rule is not None:
            keys.add(self.relapse_rule.source)
        return keys


# --- validation -------------------------------------------------------------------------------


def protocol_errors(protocol: Protocol) -> dict[str, list[str]]:
    """Every semantic problem of a protocol, by dotted field path. Empty when the protocol is sound."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    _header_errors(protocol, add)
    _phase_errors(protocol.phases, add)
    _dose_rule_errors(protocol.dose_rule, add)
    _check_source(add, "dose_rule.source", protocol.dose_rule.source)
    _titration_errors(protocol, add)
    _follow_up_errors(protocol, add)
    return errors


def _check_source(add, path: str, key: str) -> None:
    if key not in SOURCES:
        add(path, f"Unknown source {key!r}: cite a key of the source list.")


def _header_errors(protocol: Protocol, add) -> None:
    """Key, version, title, sources and indications."""
    if not protocol.key or not protocol.key.replace("-", "").replace("_", "").isalnum():
        add("key", "Use letters, digits, '-' or '_' only, not empty.")
    if protocol.version < 1:
        add("version", "Version must be 1 or more.")
    if not protocol.title.strip():
        add("title", "A title is required.")
    if not protocol.sources:
        add("sources", "Cite at least one source.")
    for i, key in enumerate(protocol.sources):
        _check_source(add, f"sources[{i}]", key)
    for i, ind in enumerate(protocol.indications):
        _check_source(add, f"indications[{i}].source", ind.source)
        if not ind.label.strip():
            add(f"indications[{i}].label", "A label is required.")


def _phase_errors(phases, add) -> None:
    if not phases:
        add("phases", "A protocol needs at least one phase.")
    names = [p.name for p in phases]
    for i, phase in enumerate(phases):
        base = f"phases[{i}]"
        if not phase.name.strip():
            add(f"{base}.name", "A phase name is required.")
        elif names.count(phase.name) > 1:
            add(f"{base}.name", f"Phase name {phase.name!r} is used more than once.")
        if phase.session_count is not None and phase.session_count < 1:
            add(f"{base}.session_count", "Session count must be 1 or more, or empty for open-ended.")
        _spacing_errors(phase, f"{base}.spacing", add)
        _check_source(add, f"{base}.spacing.source", phase.spacing.source)


def _titration_errors(protocol: Protocol, add) -> None:
    """A titration step's new dose lies within the dose rule's range."""
    rule = protocol.dose_rule
    for i, t in enumerate(protocol.titration_rules):
        _check_source(add, f"titration_rules[{i}].source", t.source)
        if not rule.minimum <= t.new_dose <= rule.maximum:
            add(f"titration_rules[{i}].new_dose",
                f"New dose {t.new_dose} {rule.unit} is outside the allowed {rule.minimum}-{rule.maximum} {rule.unit}.")
        if t.after_sessions is not None and t.after_sessions < 1:
            add(f"titration_rules[{i}].after_sessions", "Must be 1 or more.")


def _follow_up_errors(protocol: Protocol, add) -> None:
    """Measures, linked sessions and the relapse rule."""
    for i, m in enumerate(protocol.measures):
        _check_source(add, f"measures[{i}].source", m.source)
        if not m.instrument.strip():
            add(f"measures[{i}].instrument", "An instrument key is required.")
    for i, s in enumerate(protocol.linked_sessions):
        _check_source(add, f"linked_sessions[{i}].source", s.source)
        if s.count < 1:
            add(f"linked_sessions[{i}].count", "Must be 1 or more.")
        if s.within_days < 0:
            add(f"linked_sessions[{i}].within_days", "Must be 0 or more.")
    if protocol.relapse_rule is not None:
        _check_source(add, "relapse_rule.source", protocol.relapse_rule.source)
        if protocol.relapse_rule.return_to_interval_days < 1:
            add("relapse_rule.return_to_interval_days", "Must be 1 or more.")


def check_protocol(protocol: Protocol) -> Protocol:
    """Return the protocol, or raise ``ProtocolError`` listing every problem."""
    errors = protocol_errors(protocol)
    if errors:
        first = next(iter(errors))
        raise ProtocolError(first, errors[first][0], errors)
    return protocol


def _spacing_errors(phase: Phase, base: str, add) -> None:
    s = phase.spacing
    if s.min_days_between < 1:
        add(f"{base}.min_days_between", "Must be 1 or more (1 = consecutive days allowed).")
    if s.sessions_per_week is not None and not 1 <= s.sessions_per_week <= 7:
        add(f"{base}.sessions_per_week", "Must be between 1 and 7.")
    if s.interval_days is not None and s.interval_days < 1:
        add(f"{base}.interval_days", "Must be 1 or more.")
    if s.interval_days is not None and s.sessions_per_week is not None:
        add(f"{base}.interval_days", "Give either sessions per week or an interval, not both.")
    if s.interval_days is not None and s.interval_days < s.min_days_between:
        add(f"{base}.interval_days", "The interval is shorter than the minimum days between sessions.")
    if s.interval_options_days:
        _interval_option_errors(s, base, add)
    if s.max_span_days is not None:
        _max_span_errors(phase, base, add)


def _interval_option_errors(s, base: str, add) -> None:
    if s.interval_days is None:
        add(f"{base}.interval_options_days", "Interval options need a default interval (interval_days).")
    if any(isinstance(d, bool) or not isinstance(d, int) or d < max(1, s.min_days_between) for d in s.interval_options_days):
        add(f"{base}.interval_options_days", "Each option is a whole number of days, at least the minimum days between sessions.")
    if len(set(s.interval_options_days)) != len(s.interval_options_days):
        add(f"{base}.interval_options_days", "Each option once.")


def _max_span_errors(phase: Phase, base: str, add) -> None:
    """The phase's sessions, at their tightest spacing, fit within its maximum span."""
    s = phase.spacing
    if s.max_span_days < 1:
        add(f"{base}.max_span_days", "Must be 1 or more.")
    elif phase.session_count is not None:
        shortest_span = (phase.session_count - 1) * max(s.min_days_between, s.interval_days or 0) + 1
        if shortest_span > s.max_span_days:
            add(f"{base}.max_span_days",
                f"{phase.session_count} sessions cannot fit in {s.max_span_days} days with the spacing given.")


def _dose_rule_errors(rule: DoseRule, add) -> None:
    if not rule.minimum > 0:
        add("dose_rule.minimum", "Must be more than 0.")
    if rule.maximum < rule.minimum:
        add("dose_rule.maximum", "Must not be below the minimum.")
    if not rule.minimum <= rule.default <= rule.maximum:
        add("dose_rule.default", "The default dose must lie within the allowed range.")
    if rule.first_session_dose is not None and not rule.minimum <= rule.first_session_dose <= rule.maximum:
        add("dose_rule.first_session_dose", "The first-session dose must lie within the allowed range.")
    if rule.unit is DoseUnit.DEVICES:
        for name in ("default", "minimum", "maximum", "first_session_dose"):
            value = getattr(rule, name)
            if value is not None and value != value.to_integral_value():
                add(f"dose_rule.{name}", "Nasal devices are counted in whole devices.")
    for name in ("infusion_duration_min", "min_infusion_duration_min"):
        value = getattr(rule, name)
        if value is not None and value < 1:
            add(f"dose_rule.{name}", "Must be 1 minute or more.")
    for name in ("min_total_dose_mg", "max_bolus_mg_per_kg", "top_up_min_mg", "top_up_max_mg"):
        value = getattr(rule, name)
        if value is not None and not value > 0:
            add(f"dose_rule.{name}", "Must be more than 0.")
    if (rule.top_up_min_mg is None) != (rule.top_up_max_mg is None):
        add("dose_rule.top_up_max_mg", "Give both ends of the top-up range, or neither.")
    elif rule.top_up_min_mg is not None and rule.top_up_max_mg < rule.top_up_min_mg:
        add("dose_rule.top_up_max_mg", "Must not be below the top-up minimum.")


# --- dose checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseRefusal:
    """Why a dose is refused: ``field`` is the input to highlight, ``message`` plain English."""

    field: str
    message: str
    source: str = ""


def to_decimal(value: object, field_name: str) -> Decimal:
    """A finite Decimal from int, float, Decimal or numeric str; ``ProtocolError`` otherwise."""
    if isinstance(value, bool) or value is None:
        raise ProtocolError(field_name, "A number is required.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ProtocolError(field_name, "A finite number is required.")
        value = repr(value)
    if isinstance(value, (int, str, Decimal)):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ProtocolError(field_name, f"{value!r} is not a number.") from None
        if not number.is_finite():
            raise ProtocolError(field_name, "A finite number is required.")
        return number
    raise ProtocolError(field_name, f"A number is required, not {type(value).__name__}.")


def validate_dose(
    protocol: Protocol,
    dose: object,
    *,
    session_number: int | None = None,
    weight_kg: object = None,
    infusion_duration_min: object = None,
    bolus_mg_per_kg: object = None,
    top_up_mg: object = None,
) -> DoseRefusal | None:
    """``None`` when ``dose`` (in the protocol's dose unit) is allowed, else why it is refused.

    Optional context sharpens the check: ``session_number`` (1 = first session) for a fixed first
    dose; ``weight_kg`` with ``infusion_duration_min`` for a minimum total dose; a bolus; a top-up.
    """
    rule = protocol.dose_rule
    try:
        value = to_decimal(dose, "dose")
        refusal = _dose_value_refusal(rule, value, session_number)
        if refusal:
            return refusal
        duration = None
        if infusion_duration_min is not None:
            duration = to_decimal(infusion_duration_min, "infusion_duration_min")
        return (_duration_refusal(rule, duration)
                or _total_dose_refusal(rule, value, weight_kg, duration)
                or _bolus_refusal(rule, bolus_mg_per_kg)
                or _top_up_refusal(rule, top_up_mg))
    except ProtocolError as exc:
        return DoseRefusal(exc.field, exc.message)


def _dose_value_refusal(rule: DoseRule, value: Decimal, session_number: int | None) -> DoseRefusal | None:
    """The dose itself: positive, whole devices, within the range, the fixed first-session dose."""
    if value <= 0:
        return DoseRefusal("dose", "The dose must be more than 0.", rule.source)
    if rule.unit is DoseUnit.DEVICES and value != value.to_integral_value():
        return DoseRefusal("dose", "Esketamine is given in whole 28 mg devices.", "spravato-pi")
    if not rule.minimum <= value <= rule.maximum:
        return DoseRefusal(
            "dose",
            f"{_show(value, rule.unit)} is outside this protocol's allowed range "
            f"{_show(rule.minimum, rule.unit)} to {_show(rule.maximum, rule.unit)}.",
            rule.source,
        )
    if session_number == 1 and rule.first_session_dose is not None and value != rule.first_session_dose:
        return DoseRefusal(
            "dose",
            f"The first session's dose is {_show(rule.first_session_dose, rule.unit)} in this protocol.",
            rule.source,
        )
    return None


def _duration_refusal(rule: DoseRule, duration: Decimal | None) -> DoseRefusal | None:
    if duration is None:
        return None
    if duration <= 0:
        return DoseRefusal("infusion_duration_min", "The infusion duration must be more than 0 minutes.")
    if rule.min_infusion_duration_min is not None and duration <= rule.min_infusion_duration_min:
        return DoseRefusal(
            "infusion_duration_min",
            f"The infusion must run for more than {rule.min_infusion_duration_min} minutes.",
            rule.source,
        )
    return None


def _total_dose_refusal(rule: DoseRule, value: Decimal, weight_kg: object, duration: Decimal | None) -> DoseRefusal | None:
    """A positive weight; for a mg/kg/h rule with a minimum total, rate x weight x hours reaches it."""
    if weight_kg is None:
        return None
    weight = to_decimal(weight_kg, "weight_kg")
    if weight <= 0:
        return DoseRefusal("weight_kg", "Weight must be more than 0 kg.")
    if rule.min_total_dose_mg is not None and duration is not None and rule.unit is DoseUnit.MG_PER_KG_PER_H:
        total_mg = value * weight * duration / 60
        if total_mg < rule.min_total_dose_mg:
            return DoseRefusal(
                "dose",
                f"The total would be {total_mg.quantize(Decimal('0.1'))} mg; this protocol asks "
                f"for at least {rule.min_total_dose_mg} mg.",
                rule.source,
            )
    return None


def _bolus_refusal(rule: DoseRule, bolus_mg_per_kg: object) -> DoseRefusal | None:
    if bolus_mg_per_kg is None:
        return None
    bolus = to_decimal(bolus_mg_per_kg, "bolus_mg_per_kg")
    if rule.max_bolus_mg_per_kg is None:
        return DoseRefusal("bolus_mg_per_kg", "This protocol has no bolus.")
    if not 0 < bolus <= rule.max_bolus_mg_per_kg:
        return DoseRefusal("bolus_mg_per_kg", f"The bolus may be up to {rule.max_bolus_mg_per_kg} mg/kg.", rule.source)
    return None


def _top_up_refusal(rule: DoseRule, top_up_mg: object) -> DoseRefusal | None:
    if top_up_mg is None:
        return None
    top_up = to_decimal(top_up_mg, "top_up_mg")
    if rule.top_up_min_mg is None or rule.top_up_max_mg is None:
        return DoseRefusal("top_up_mg", "This protocol has no top-up dose.")
    if not rule.top_up_min_mg <= top_up <= rule.top_up_max_mg:
        return DoseRefusal("top_up_mg", f"A top-up is {rule.top_up_min_mg}-{rule.top_up_max_mg} mg.", rule.source)
    return None


def esketamine_dose_mg(devices: int) -> int:
    """Milligrams of esketamine in ``devices`` Spravato devices (28 mg each, spravato-pi)."""
    if isinstance(devices, bool) or not isinstance(devices, int) or devices < 1:
        raise ProtocolError("devices", "Give a whole number of devices, 1 or more.")
    return devices * ESKETAMINE_MG_PER_DEVICE


def titration_for(
    protocol: Protocol, condition: TitrationCondition, sessions_completed: int
) -> TitrationRule | None:
    """The titration rule that applies for ``condition`` after ``sessions_completed`` sessions."""
    for rule in protocol.titration_rules:
        if rule.condition is condition and (rule.after_sessions is None or sessions_completed >= rule.after_sessions):
            return rule
    return None


def _show(value: Decimal, unit: DoseUnit) -> str:
    text = f"{value.normalize():f}"
    if unit is DoseUnit.DEVICES:
        mg = value * ESKETAMINE_MG_PER_DEVICE
        return f"{text} device{'s' if value != 1 else ''} ({mg.normalize():f} mg)"
    return f"{text} {unit.value}"


__all__ = [
    "ESKETAMINE_MG_PER_DEVICE", "DoseRefusal", "DoseRule", "DoseUnit", "ProtocolIndication", "LinkedSession",
    "MeasureCadence", "MeasureWhen", "Phase", "Protocol", "ProtocolError", "RelapseRule", "RelativeTo",
    "Spacing", "TherapyKind", "TitrationCondition", "TitrationRule", "check_protocol", "esketamine_dose_mg",
    "protocol_errors", "titration_for", "to_decimal", "validate_dose",
]
