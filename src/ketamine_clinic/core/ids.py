"""Opaque public ids as they arrive from URLs, forms and JSON."""

import uuid


def uuid_or_none(value) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one (so a lookup finds nothing instead of raising)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None
