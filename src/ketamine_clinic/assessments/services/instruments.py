"""Which questionnaires exist, which a patient may fill in, which have a total to follow."""

from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import ValidationFailed


def get_instrument_or_error(key: str) -> ci.Instrument:
    try:
        return ci.get_instrument(key)
    except ci.UnknownInstrumentError as exc:
        raise ValidationFailed({"instrument_key": [exc.message]}) from None


def patient_can_answer(instrument: ci.Instrument) -> bool:
    """A patient can fill in a form only when its wording may be shown (scores-only scales cannot)."""
    return instrument.has_item_text and all(item.text for item in instrument.items)


def self_report_instruments() -> list[ci.Instrument]:
    return [i for i in ci.INSTRUMENTS.values() if patient_can_answer(i)]


def is_trackable(instrument: ci.Instrument) -> bool:
    """A total to follow over time, lower being better (what summarize_outcomes accepts)."""
    return instrument.has_total and instrument.lower_is_better


def trackable_instruments() -> list[ci.Instrument]:
    return [i for i in ci.INSTRUMENTS.values() if is_trackable(i)]
