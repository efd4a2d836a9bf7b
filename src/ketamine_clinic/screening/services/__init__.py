"""The single door for screening: intake evaluations, eligibility decisions, consent, REMS.

Every write checks the actor's permission, validates, writes in one transaction, adds a line to
the chart's timeline and writes its audit event. Reads take a patient already scoped to the
actor's organization (``patients.services.get_patient_for``). The eligibility rules are the
clinical core's (``clinical.eligibility``); nothing here repeats them.

``may_treat(patient, route, on_date)`` is the one question plans and sessions ask.

One module per topic; callers import from this package (``screening.services``), which names
them all:

- ``policy``: the clinic's eligibility settings and rule sources
- ``registry``: the patient registry as evaluation input
- ``evaluations``: the screening patient, intake evaluations and their eligibility
- ``decisions``: signed eligibility decisions
- ``consent``: consent documents, signing, witnessing, revoking
- ``rems``: Spravato REMS enrollment
- ``reported_intake``: the patient-reported intake from the portal
- ``state``: everything screening knows per route, and ``may_treat``
"""

from .consent import (
    NOT_WITNESSED,
    consent_document,
    consent_documents,
    consent_problem,
    reconsent_floors,
    revoke_consent,
    sign_consent,
    update_consent_document,
    witness_consent,
)
from .decisions import chart_changes_since_signed, current_decisions, decisions_for, sign_decision
from .evaluations import (
    baseline_measures,
    chart_eligibility,
    chart_suggestions,
    check_eligibility,
    check_with_chart,
    current_evaluation,
    eligibility_of,
    evaluations_for,
    get_evaluation_for,
    get_screening_patient,
    open_draft,
    save_evaluation,
)
from ..clinic_policy import eligibility_policy, policy_rows, source_label
from .registry import DRUG_CLASS_TO_MEDICATION_CLASS, REGISTRY_TRIAL_OUTCOME, chart_facts, chart_facts_many, medication_class, registry_prefill
from .rems import clinic_prescribers, current_rems, enroll_rems, withdraw_rems
from .reported_intake import get_reported_intake, open_reported_intake, own_patient, save_reported_intake
from .state import RouteStatus, ScreeningState, TreatmentPermission, chart_changes_for, chart_changes_many, may_treat, screening_reads, screening_state

__all__ = [
    "DRUG_CLASS_TO_MEDICATION_CLASS",
    "NOT_WITNESSED",
    "REGISTRY_TRIAL_OUTCOME",
    "RouteStatus",
    "ScreeningState",
    "TreatmentPermission",
    "baseline_measures",
    "chart_changes_for",
    "chart_changes_many",
    "chart_changes_since_signed",
    "chart_eligibility",
    "chart_facts",
    "chart_facts_many",
    "chart_suggestions",
    "check_eligibility",
    "check_with_chart",
    "eligibility_policy",
    "clinic_prescribers",
    "consent_document",
    "consent_documents",
    "consent_problem",
    "current_decisions",
    "current_evaluation",
    "current_rems",
    "decisions_for",
    "eligibility_of",
    "enroll_rems",
    "evaluations_for",
    "get_evaluation_for",
    "get_reported_intake",
    "get_screening_patient",
    "may_treat",
    "medication_class",
    "open_draft",
    "open_reported_intake",
    "own_patient",
    "policy_rows",
    "reconsent_floors",
    "registry_prefill",
    "revoke_consent",
    "save_evaluation",
    "save_reported_intake",
    "screening_reads",
    "screening_state",
    "sign_consent",
    "sign_decision",
    "source_label",
    "update_consent_document",
    "withdraw_rems",
    "witness_consent",
]
