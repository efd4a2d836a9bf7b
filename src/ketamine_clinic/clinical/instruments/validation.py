"""Check a set of answers against an instrument before it is scored or stored.

``validate_answers`` collects every problem at once, per linkId, so a form can show them all:
unknown items, wrong types, values outside the answer options, missing required answers, and
skip-logic violations (C-SSRS Q3-Q5 answered although Q2 was no).
"""

from collections.abc import Mapping

from .definitions import INSTRUMENTS
from .errors import AnswerValidationError, UnknownInstrumentError
from .model import AnswerType, Instrument, Item


def get_instrument(instrument_key: str) -> Instrument:
    try:
        return INSTRUMENTS[instrument_key]
    except (KeyError, TypeError):
        raise UnknownInstrumentError(instrument_key) from None


def _describe_range(item: Item) -> str:
    if item.answer_type is AnswerType.BOOLEAN:
        return "yes or no (true/false)"
    return f"a whole number from {item.min_value} to {item.max_value}"


def _check_value(item: Item, value: object) -> str | None:
    if item.answer_type is AnswerType.BOOLEAN:
        if not isinstance(value, bool):
            return f"Must be yes or no (true/false), got {value!r}."
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"Must be {_describe_range(item)}, got {value!r}."
    if value not in item.values:
        return f"Out of range: must be {_describe_range(item)}, got {value}."
    return None


def validate_answers(
    instrument_key: str, answers: Mapping[str, object], partial: bool = False
) -> dict[str, int | bool]:
    """The answers in item order with blanks (None) dropped; raises AnswerValidationError.

    ``partial=True`` accepts missing answers (a form saved half-way) but still rejects wrong
    values and skip-logic violations.
    """
    instrument = get_instrument(instrument_key)
    if not isinstance(answers, Mapping):
        raise AnswerValidationError({"answers": ["Answers must be a mapping of linkId to value."]})
    errors: dict[str, list[str]] = {}
    given = _known_answers(instrument, answers, errors)
    gated = _check_skip_rules(instrument, given, partial, errors)
    if not partial:
        for item in instrument.items:
            if item.required and item.link_id not in gated and item.link_id not in given:
                _add(errors, item.link_id, "Missing answer.")
    if errors:
        ordered = {k: errors[k] for k in instrument.link_ids if k in errors}  # item order, unknown items last
        ordered.update({k: v for k, v in errors.items() if k not in ordered})
        raise AnswerValidationError(ordered)
    return {link_id: given[link_id] for link_id in instrument.link_ids if link_id in given}


def _known_answers(instrument, answers: Mapping[str, object], errors: dict[str, list[str]]) -> dict:
    """The answers to the instrument's items, blanks dropped; unknown items and bad values are errors."""
    known = set(instrument.link_ids)
    for link_id in answers:
        if link_id not in known:
            _add(errors, link_id, f"Unknown item for {instrument.name}.")
    given = {k: v for k, v in answers.items() if k in known and v is not None}
    for link_id, value in given.items():
        problem = _check_value(instrument.item(link_id), value)
        if problem:
            _add(errors, link_id, problem)
    return given


def _add(errors: dict[str, list[str]], link_id: object, message: str) -> None:
    errors.setdefault(str(link_id), []).append(message)


def _check_skip_rules(instrument, given: dict, partial: bool, errors: dict[str, list[str]]) -> set[str]:
    """Skip logic: a gated item is answered only when its gate has the rule's value (and then it is
    required unless ``partial``). Returns the gated items, which the plain required check skips."""
    gated: set[str] = set()
    for rule in instrument.skip_rules:
        gate = given.get(rule.depends_on)
        gate_label = instrument.item(rule.depends_on).label
        for link_id in rule.link_ids:
            gated.add(link_id)
            problem = _skip_problem(rule, gate, gate_label, link_id in given, partial)
            if problem:
                _add(errors, link_id, problem)
    return gated


def _skip_problem(rule, gate, gate_label: str, answered: bool, partial: bool) -> str | None:
    if gate is None:
        return f"Answered before its gating question {rule.depends_on} ({gate_label})." if answered else None
    if gate != rule.equals:
        return f"Must be left blank: asked only when {rule.depends_on} is {_show(rule.equals)}." if answered else None
    if not answered and not partial:
        return f"Required because {rule.depends_on} is {_show(rule.equals)}."
    return None


def _show(value: int | bool) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
