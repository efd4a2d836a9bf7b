"""Exceptions of the eligibility package.

Every exception is a ``ValueError`` carrying a ``field`` and a plain-English ``message``, so the
web layer can answer a 4xx with per-field errors. ``EvaluationInvalid`` carries *all* field errors
of one intake evaluation at once.
"""


class EligibilityInputError(ValueError):
    """One bad input value: ``field`` names it (dotted path), ``message`` says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PolicyInvalid(EligibilityInputError):
    """A clinic policy value given to the engine is unknown, of the wrong type or out of bounds."""


class EvaluationInvalid(EligibilityInputError):
    """An intake evaluation failed validation; ``errors`` maps each bad field to its messages.

    ``field`` and ``message`` hold the first error, for callers that show only one.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        if not errors:
            raise ValueError("EvaluationInvalid needs at least one error")
        self.errors = {field: list(messages) for field, messages in errors.items()}
        first_field = next(iter(self.errors))
        super().__init__(first_field, self.errors[first_field][0])
        count = sum(len(m) for m in self.errors.values())
        self.args = (f"{count} invalid field value(s): " + "; ".join(
            f"{f}: {', '.join(m)}" for f, m in self.errors.items()),)
