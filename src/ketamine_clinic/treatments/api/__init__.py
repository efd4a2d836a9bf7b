"""REST API of the session day, one module per resource: sessions (check-in, read, list),
checklist (facts and the prescriber's decisions), dosing (dose, devices, pump rate, stop),
monitoring (vitals, events, alerts), closing (discharge, end without a dose), the chair board and
the Spravato REMS monitoring forms. ``answers`` holds the response shapes they share.

Thin: each handler parses, calls the same service the pages use, and answers with the standard
error shape (declared per endpoint). Times are ISO 8601; a time without an offset is read in the
session location's time zone.
"""

from . import board, checklist, closing, dosing, monitoring, rems_forms, sessions  # noqa: F401  (they add their operations)
from ._router import router

__all__ = ["router"]
