"""The answers behind a suicide-risk flag, in words, for the clinician who acts on the alert.

A PHQ-9 alert is raised by item 9; a C-SSRS alert by its "yes" answers. The clinician needs the
question and the answer given, not only the reason text, to decide what to do.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from .model import AnswerType, Instrument
from .validation import get_instrument


@dataclass(frozen=True)
class RiskAnswer:
    link_id: str
    label: str  # "Item 9"
    question: str | None  # the published wording, where the licence allows it
    answer: str  # the option's label ("Several days"), "Yes", or the value
    value: int | bool


def risk_answers(instrument_key: str, answers: Mapping[str, object]) -> tuple[RiskAnswer, ...]:
    """Items of a response that bear on suicide risk and were answered positively, in item order."""
    instrument = get_instrument(instrument_key)
    risk_ids = _risk_link_ids(instrument)
    found = []
    for item in instrument.items:
        if item.link_id not in risk_ids or item.link_id not in answers:
            continue
        value = answers[item.link_id]
        positive = value is True if item.answer_type is AnswerType.BOOLEAN else _positive(instrument, item.link_id, value)
        if not positive:
            continue
        option = next((o for o in item.options if o.value == value), None)
        if item.answer_type is AnswerType.BOOLEAN:
            words = "Yes"
        else:
            words = f"{option.label} ({value})" if option and option.label else str(value)
        found.append(RiskAnswer(item.link_id, item.label, item.text, words, value))
    return tuple(found)


def _risk_link_ids(instrument: Instrument) -> set[str]:
    ids = {a.link_id for a in instrument.item_alerts if a.suicide_risk}
    for rule in instrument.triage_rules:
        ids.update(rule.when_yes)
    return ids


def _positive(instrument: Instrument, link_id: str, value) -> bool:
    thresholds = [a.min_value for a in instrument.item_alerts if a.link_id == link_id and a.suicide_risk]
    return isinstance(value, int) and bool(thresholds) and value >= min(thresholds)
