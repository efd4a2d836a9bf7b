"""Protocols to and from plain JSON-safe dicts, so a clinic can copy and edit one.

``protocol_to_dict`` writes numbers of doses as strings ("0.5") so no float rounding creeps in.
``protocol_from_dict`` reads such a dict back and raises ``ProtocolError`` whose ``errors`` maps each
bad field (dotted path, e.g. ``phases[0].spacing.min_days_between``) to plain-English messages.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from ..routes import Route
from .model import (
    DoseRule,
    DoseUnit,
    ProtocolIndication,
    LinkedSession,
    MeasureCadence,
    MeasureWhen,
    Phase,
    Protocol,
    ProtocolError,
    RelapseRule,
    RelativeTo,
    Spacing,
    TherapyKind,
    TitrationCondition,
    TitrationRule,
    protocol_errors,
    to_decimal,
)


def protocol_to_dict(protocol: Protocol) -> dict[str, Any]:
    """A JSON-safe dict of ``protocol``: enums as their values, Decimals as strings, tuples as lists."""
    return _plain(protocol)


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Reader:
    """Reads typed values out of nested dicts, collecting every error instead of stopping."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def obj(self, data: Any, path: str) -> dict | None:
        if not isinstance(data, dict):
            self.fail(path or "protocol", "An object is required.")
            return None
        return data

    def get(self, data: dict, name: str, path: str, required: bool = True) -> Any:
        if name not in data or data[name] is None:
            if required:
                self.fail(path, "This field is required.")
            return None
        return data[name]

    def text(self, data: dict, name: str, path: str, required: bool = True, default: str = "") -> str:
        value = self.get(data, name, path, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(path, "Text is required.")
            return default
        return value

    def integer(self, data: dict, name: str, path: str, required: bool = True) -> int | None:
        value = self.get(data, name, path, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "A whole number is required.")
            return None
        return value

    def decimal(self, data: dict, name: str, path: str, required: bool = True) -> Decimal | None:
        value = self.get(data, name, path, required)
        if value is None:
            return None
        try:
            return to_decimal(value, path)
        except ProtocolError as exc:
            self.fail(path, exc.message)
            return None

    def boolean(self, data: dict, name: str, path: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.fail(path, "true or false is required.")
            return False
        return value

    def choice(self, data: dict, name: str, path: str, enum: type[Enum]) -> Any:
        value = self.get(data, name, path)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(repr(e.value) for e in enum)
            self.fail(path, f"{value!r} is not one of {allowed}.")
            return None

    def items(self, data: dict, name: str, path: str, required: bool = False) -> list:
        value = self.get(data, name, path, required)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            self.fail(path, "A list is required.")
            return []
        return list(value)

    def strings(self, data: dict, name: str, path: str, required: bool = False) -> tuple[str, ...]:
        out = []
        for i, v in enumerate(self.items(data, name, path, required)):
            if isinstance(v, str):
                out.append(v)
            else:
                self.fail(f"{path}[{i}]", "Text is required.")
        return tuple(out)


def protocol_from_dict(data: Any) -> Protocol:
    """Build a ``Protocol`` from a dict like ``protocol_to_dict`` writes; ``ProtocolError`` if bad."""
    r = _Reader()
    d = r.obj(data, "")
    if d is None:
        raise ProtocolError("protocol", "An object is required.")

    # Read in this order: the first error reported is the first met.
    indications = _indications(r, d)
    phases = _phases(r, d)
    dose_rule = _dose_rule(r, d)
    titration_rules = _titration_rules(r, d)
    measures = _measures(r, d)
    linked = _linked_sessions(r, d)
    relapse_rule = _relapse_rule(r, d)

    protocol = Protocol(
        key=r.text(d, "key", "key"),
        version=r.integer(d, "version", "version") or 0,
        title=r.text(d, "title", "title"),
        route=r.choice(d, "route", "route", Route),
        indications=tuple(indications),
        phases=tuple(phases),
        dose_rule=dose_rule,
        sources=r.strings(d, "sources", "sources", required=True),
        titration_rules=tuple(titration_rules),
        measures=tuple(measures),
        linked_sessions=tuple(linked),
        relapse_rule=relapse_rule,
        at_home=r.boolean(d, "at_home", "at_home"),
        notes=r.text(d, "notes", "notes", required=False),
    )
    if r.errors:
        # Type errors first; semantic checks on half-read values would only add noise.
        _raise(r.errors)
    errors = protocol_errors(protocol)
    if errors:
        _raise(errors)
    return protocol


def _dose_rule(r: _Reader, d: dict) -> DoseRule:
    o = r.obj(d.get("dose_rule"), "dose_rule") or {}
    p = "dose_rule"
    return DoseRule(
        unit=r.choice(o, "unit", f"{p}.unit", DoseUnit) or DoseUnit.MG,
        default=r.decimal(o, "default", f"{p}.default") or Decimal(0),
        minimum=r.decimal(o, "minimum", f"{p}.minimum") or Decimal(0),
        maximum=r.decimal(o, "maximum", f"{p}.maximum") or Decimal(0),
        source=r.text(o, "source", f"{p}.source"),
        first_session_dose=r.decimal(o, "first_session_dose", f"{p}.first_session_dose", required=False),
        infusion_duration_min=r.integer(o, "infusion_duration_min", f"{p}.infusion_duration_min", required=False),
        min_infusion_duration_min=r.integer(o, "min_infusion_duration_min", f"{p}.min_infusion_duration_min", required=False),
        min_total_dose_mg=r.decimal(o, "min_total_dose_mg", f"{p}.min_total_dose_mg", required=False),
        max_bolus_mg_per_kg=r.decimal(o, "max_bolus_mg_per_kg", f"{p}.max_bolus_mg_per_kg", required=False),
        top_up_min_mg=r.decimal(o, "top_up_min_mg", f"{p}.top_up_min_mg", required=False),
        top_up_max_mg=r.decimal(o, "top_up_max_mg", f"{p}.top_up_max_mg", required=False),
    )


def _raise(errors: dict[str, list[str]]) -> None:
    first = next(iter(errors))
    raise ProtocolError(first, errors[first][0], errors)


def _indications(r: _Reader, d: dict) -> list[ProtocolIndication]:
    indications = []
    for i, item in enumerate(r.items(d, "indications", "indications")):
        p = f"indications[{i}]"
        if (o := r.obj(item, p)) is not None:
            indications.append(ProtocolIndication(
                label=r.text(o, "label", f"{p}.label"),
                icd10cm_prefixes=r.strings(o, "icd10cm_prefixes", f"{p}.icd10cm_prefixes"),
                source=r.text(o, "source", f"{p}.source"),
            ))
    return indications


def _phases(r: _Reader, d: dict) -> list[Phase]:
    phases = []
    for i, item in enumerate(r.items(d, "phases", "phases", required=True)):
        p = f"phases[{i}]"
        if (o := r.obj(item, p)) is None:
            continue
        spacing = _spacing(r, o, f"{p}.spacing")  # read before the phase's own fields: errors keep their order
        phases.append(Phase(
            name=r.text(o, "name", f"{p}.name"),
            session_count=r.integer(o, "session_count", f"{p}.session_count", required=False),
            spacing=spacing,
            description=r.text(o, "description", f"{p}.description", required=False),
        ))
    return phases


def _spacing(r: _Reader, phase: dict, q: str) -> Spacing:
    sp = r.obj(phase.get("spacing"), q) or {}
    return Spacing(
        min_days_between=r.integer(sp, "min_days_between", f"{q}.min_days_between") or 0,
        sessions_per_week=r.integer(sp, "sessions_per_week", f"{q}.sessions_per_week", required=False),
        interval_days=r.integer(sp, "interval_days", f"{q}.interval_days", required=False),
        max_span_days=r.integer(sp, "max_span_days", f"{q}.max_span_days", required=False),
        source=r.text(sp, "source", f"{q}.source"),
        interval_options_days=tuple(r.items(sp, "interval_options_days", f"{q}.interval_options_days")),
    )


def _titration_rules(r: _Reader, d: dict) -> list[TitrationRule]:
    titration_rules = []
    for i, item in enumerate(r.items(d, "titration_rules", "titration_rules")):
        p = f"titration_rules[{i}]"
        if (o := r.obj(item, p)) is not None:
            titration_rules.append(TitrationRule(
                condition=r.choice(o, "condition", f"{p}.condition", TitrationCondition),
                new_dose=r.decimal(o, "new_dose", f"{p}.new_dose") or Decimal(0),
                source=r.text(o, "source", f"{p}.source"),
                after_sessions=r.integer(o, "after_sessions", f"{p}.after_sessions", required=False),
                description=r.text(o, "description", f"{p}.description", required=False),
            ))
    return titration_rules


def _measures(r: _Reader, d: dict) -> list[MeasureCadence]:
    measures = []
    for i, item in enumerate(r.items(d, "measures", "measures")):
        p = f"measures[{i}]"
        if (o := r.obj(item, p)) is not None:
            measures.append(MeasureCadence(
                instrument=r.text(o, "instrument", f"{p}.instrument"),
                when=r.choice(o, "when", f"{p}.when", MeasureWhen),
                source=r.text(o, "source", f"{p}.source"),
            ))
    return measures


def _linked_sessions(r: _Reader, d: dict) -> list[LinkedSession]:
    linked = []
    for i, item in enumerate(r.items(d, "linked_sessions", "linked_sessions")):
        p = f"linked_sessions[{i}]"
        if (o := r.obj(item, p)) is not None:
            linked.append(LinkedSession(
                kind=r.choice(o, "kind", f"{p}.kind", TherapyKind),
                relative_to=r.choice(o, "relative_to", f"{p}.relative_to", RelativeTo),
                count=r.integer(o, "count", f"{p}.count") or 0,
                within_days=r.integer(o, "within_days", f"{p}.within_days") or 0,
                source=r.text(o, "source", f"{p}.source"),
            ))
    return linked


def _relapse_rule(r: _Reader, d: dict) -> RelapseRule | None:
    if d.get("relapse_rule") is not None and (o := r.obj(d["relapse_rule"], "relapse_rule")) is not None:
        return RelapseRule(
            return_to_interval_days=r.integer(o, "return_to_interval_days", "relapse_rule.return_to_interval_days") or 0,
            source=r.text(o, "source", "relapse_rule.source"),
        )
    return None
