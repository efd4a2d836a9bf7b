"""Clinic settings: numbers a clinic may change, each with a shipped default and its basis.

A ``Setting`` whose ``source`` is ``CLINIC_POLICY`` is the clinic's own policy, never a guideline,
and the UI labels it so. Modules of the clinical core declare their settings as module-level
tuples named ``SETTINGS``; the web application stores versioned values per organization and falls
back to these defaults.
"""

from dataclasses import dataclass
from decimal import Decimal

from .sources import CLINIC_POLICY, SOURCES


@dataclass(frozen=True)
class Setting:
    key: str  # dotted, unique: "session.iv.hard_stop_systolic_mmhg"
    default: int | float | Decimal | str | bool
    unit: str  # UCUM-like unit or "" for a count/flag: "mm[Hg]", "min", "mg/kg"
    source: str  # a key of sources.SOURCES, CLINIC_POLICY when the literature fixes no number
    description: str
    minimum: float | None = None  # physical/sane bounds a clinic may not leave
    maximum: float | None = None

    @property
    def is_clinic_policy(self) -> bool:
        return self.source == CLINIC_POLICY

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"setting {self.key}: unknown source {self.source!r}")
