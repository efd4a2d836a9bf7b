"""Exceptions of the instruments package: each carries ``field`` and a plain-English ``message``."""


class InstrumentError(ValueError):
    """Bad input to the instruments core; the web layer turns it into a 4xx."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownInstrumentError(InstrumentError):
    def __init__(self, key: object):
        super().__init__("instrument_key", f"Unknown instrument {key!r}.")


class AnswerValidationError(InstrumentError):
    """One or more answers are wrong; ``errors`` maps each linkId (or "answers") to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field = next(iter(errors))
        super().__init__(first_field, errors[first_field][0])
        self.errors = errors


class SettingValueError(InstrumentError):
    """A clinic setting passed in has the wrong type or is outside its allowed bounds."""
