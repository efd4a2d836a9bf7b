"""Data-entry plausibility bounds, defined once for every door (chart forms, the API, the session
checklist, the dose calculator, the intake evaluation, the PK planner).

A value outside is a typing or unit error and is refused; these are not clinical thresholds
(``clinical/session/guardrails.py`` has those). No publication fixes them: they are the clinic's
own choice (``CLINIC_POLICY``). The clinic treats adults: below 20 kg is a slip of the keyboard
(7 for 70), above 400 kg is beyond any patient the clinic could seat in a treatment chair.
"""

from decimal import Decimal

from .sources import CLINIC_POLICY

PLAUSIBLE_WEIGHT_KG = (Decimal(20), Decimal(400))  # inclusive (low, high)
PLAUSIBLE_WEIGHT_SOURCE = CLINIC_POLICY
