"""Treatment protocols: the shipped library, schedule generation, boosters and visit instructions.

Pure Python (no Django, no I/O, no clock). See ``library.py`` for the protocols and their sources.
"""

from .boosters import (
    BoosterError,
    BoosterProposal,
    MaintenanceState,
    MaintenanceVisit,
    interval_options,
    propose_earlier_booster,
    propose_maintenance,
)
from .dicts import protocol_from_dict, protocol_to_dict
from .instructions import Instruction, InstructionError, Timing, discharge_instructions, pre_visit_instructions
from .instructions import SETTINGS as _INSTRUCTION_SETTINGS
from .library import PROTOCOLS, get_protocol
from .library import SETTINGS as _LIBRARY_SETTINGS
from .older_adults import SETTINGS as _OLDER_ADULT_SETTINGS
from .older_adults import for_patient_age
from .model import (
    ESKETAMINE_MG_PER_DEVICE,
    DoseRefusal,
    DoseRule,
    DoseUnit,
    ProtocolIndication,
    LinkedSession,
    MeasureCadence,
    MeasureWhen,
    Phase,
    Protocol,
    ProtocolError,
    RelapseRule,
    RelativeTo,
    Spacing,
    TherapyKind,
    TitrationCondition,
    TitrationRule,
    check_protocol,
    esketamine_dose_mg,
    protocol_errors,
    titration_for,
    validate_dose,
)
from .scheduling import (
    Conflict,
    ConflictKind,
    ExistingAppointment,
    LinkedSessionDue,
    ProposedAppointment,
    SchedulingError,
    find_conflicts,
    generate_schedule,
    propose_linked_sessions,
)

SETTINGS = _LIBRARY_SETTINGS + _INSTRUCTION_SETTINGS + _OLDER_ADULT_SETTINGS

__all__ = [
    "ESKETAMINE_MG_PER_DEVICE", "PROTOCOLS", "SETTINGS",
    "BoosterError", "BoosterProposal", "Conflict", "ConflictKind", "DoseRefusal", "DoseRule", "DoseUnit",
    "ExistingAppointment", "ProtocolIndication", "Instruction", "InstructionError", "LinkedSession", "LinkedSessionDue",
    "MaintenanceState", "MaintenanceVisit", "MeasureCadence", "MeasureWhen", "Phase", "ProposedAppointment",
    "Protocol", "ProtocolError", "RelapseRule", "RelativeTo", "SchedulingError", "Spacing", "TherapyKind",
    "TitrationCondition", "TitrationRule", "Timing",
    "check_protocol", "discharge_instructions", "esketamine_dose_mg", "find_conflicts", "for_patient_age", "generate_schedule",
    "get_protocol", "pre_visit_instructions", "propose_earlier_booster", "propose_linked_sessions",
    "propose_maintenance", "interval_options", "protocol_errors", "protocol_from_dict", "protocol_to_dict", "titration_for",
    "validate_dose",
]
