"""The session-day safety core: pre-dose checklist, dose arithmetic and guardrails, administration
record, monitoring, discharge readiness and the Spravato REMS Patient Monitoring Form.

Pure Python over plain values (no Django, no I/O, no clock). Clinic-configurable numbers are
``policy.Setting`` objects collected in ``SETTINGS``; pass a clinic's overrides as ``policy``
(a mapping of setting key to value) to any function that takes one.
"""

from . import administration, checklist, discharge, dosing, guardrails, monitoring, rems_form, vitals
from .administration import (
    AdministrationInputError, DeviceGiven, DeviceLogResult, InfusionTotal, RateSegment, check_device_log,
    infusion_total, next_device_allowed_at, total_given_mg,
)
from .checklist import (
    ChecklistFacts, ChecklistInputError, ChecklistItem, ChecklistResult, ItemStatus, MeasureDue, PregnancyTest,
    SuicideScreen, evaluate_checklist,
)
from .common import Policy, PolicyValueError, SessionInputError
from .discharge import (
    DischargeBlock, DischargeFacts, DischargeInputError, DischargeReadiness, PadssScore, bp_trending_down,
    discharge_readiness, earliest_discharge_at, minimum_observation_min,
)
from .dosing import (
    ESKETAMINE_DEVICE_SPACING_MIN, ESKETAMINE_MG_PER_DEVICE, DoseBasis, DoseInputError, DosePlan, DoseOrder, Product,
    compute_dose,
)
from .guardrails import (
    DoseAuthorization, DoseNotAuthorized, GuardrailInputError, GuardrailLevel, GuardrailResult, DosingIndication,
    authorize_dose, check_guardrails,
)
from .monitoring import (
    AdverseEvent, MonitoringInputError, ScheduledCheck, SeriousnessCriterion, Severity, SideEffect, SideEffectReport,
    VitalsDue, VitalsSchedule, scale_schedule, validate_cadss_total, validate_moaas, vitals_due, vitals_schedule,
)
from .rems_form import (
    CURRENT_SCHEMA, SCHEMAS, FieldType, RemsField, RemsFormDraft, RemsFormInputError, RemsFormSchema,
    RemsSessionFacts, build_rems_form, rems_form_due_date,
)
from .vitals import Alert, AlertSeverity, SessionPhase, VitalSigns, VitalsInputError, vitals_alerts

# Every clinic setting of the session core, for the web layer's settings store.
SETTINGS = (
    *vitals.SETTINGS, *dosing.SETTINGS, *guardrails.SETTINGS, *checklist.SETTINGS, *monitoring.SETTINGS,
    *discharge.SETTINGS,
)

__all__ = [name for name in dir() if not name.startswith("_") and name not in {
    "administration", "checklist", "discharge", "dosing", "guardrails", "monitoring", "rems_form", "vitals",
}]
