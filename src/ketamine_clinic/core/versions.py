"""The version a client read, required on every edit of a versioned record.

An edit without it cannot be checked against a concurrent writer, so it would silently overwrite
the first writer's change; it is refused with a field error instead. Version numbers start at 1,
so 0 is a stale version, not "absent".
"""

from .errors import ValidationFailed

MISSING = "Send the version you read (reload the page); without it your change could overwrite someone else's."


def required_version(raw, field: str = "version") -> int:
    """``raw`` (an int, or text from a form) as a version number; else ValidationFailed on ``field``."""
    try:
        if isinstance(raw, bool):
            raise TypeError
        return int(raw)  # a form's text, or the API's integer
    except (TypeError, ValueError):
        raise ValidationFailed({field: [MISSING]}, MISSING) from None
