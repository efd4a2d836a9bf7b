# The session-day fixtures (a screened patient, a session checked in with its checklist clear).
from ..treatments.conftest import dosing_ready, new_session, order_data, ready  # noqa: F401
