"""Length rules for text: what a person typed is refused when too long, never cut; a summary the
code builds for display may be shortened, and then shows it with an ellipsis.

The limit is always the model column's own ``max_length``, so the check and the column cannot drift.
"""

from ketamine_clinic.core.errors import ValidationFailed

ELLIPSIS = "…"


def max_chars(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def length_errors(text: str, model, field: str, *, key: str | None = None) -> dict[str, list[str]]:
    """``{key: [message]}`` when ``text`` is longer than ``model.field`` holds, else ``{}``."""
    limit = max_chars(model, field)
    if len(text or "") > limit:
        return {key or field: [f"Keep this to {limit} characters or fewer (it has {len(text)})."]}
    return {}


def refuse_over_length(text: str, model, field: str, *, key: str | None = None) -> None:
    """ValidationFailed (422) naming ``key`` when ``text`` does not fit ``model.field``."""
    errors = length_errors(text, model, field, key=key)
    if errors:
        raise ValidationFailed(errors)


def display_summary(text: str, model, field: str) -> str:
    """``text`` cut to fit ``model.field`` with a visible ellipsis. Only for summaries whose full
    source text is kept elsewhere (the record the summary points to)."""
    limit = max_chars(model, field)
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS
