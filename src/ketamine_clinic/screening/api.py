"""Screening REST API: evaluations, eligibility, decisions, may-treat, consent and REMS enrollment.

The evaluation body is the clinical core's ``Evaluation`` dict, validated by
``Evaluation.from_dict`` (the one validator; its per-field errors come back as a 422). The
``EvaluationData`` schema below documents that dict in OpenAPI and shapes the responses.

The chart wins: when a patient is named, the patient's active chart records (medications with
their class, trials, diagnoses, allergies, latest weight, date of birth) are merged into the body
before the rules run; every fact the body lacked or contradicted is listed in
``eligibility.chart_corrections`` with the chart record it came from.
"""

import datetime as dt
from typing import Literal
from uuid import UUID

from ninja import Body, Field, Query, Router, Schema, Status

from ketamine_clinic.accounts.permissions import denied, has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.eligibility import (
    EligibilityResult,
    LiverDisease,
    MedicationClass,
    Status as ConditionStatus,
    TrialOutcome,
)
from ketamine_clinic.clinical.eligibility.indications import Indication
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.core.schemas import errors

from . import services
from .models import Consent, ConsentDocument, EligibilityDecision, IntakeEvaluation, RemsEnrollment

router = Router(tags=["screening"])


# --- the evaluation, as documentation and response shape ----------------------------------------
class PresentingIndicationData(Schema):
    indication: Indication
    icd10cm_codes: list[str] = Field(default_factory=list, description="ICD-10-CM codes, e.g. F33.2")


class AntidepressantTrialData(Schema):
    drug: str = Field(max_length=100)
    dose_mg_per_day: float = Field(gt=0, le=5000)
    weeks: float = Field(gt=0, le=520)
    adequate: bool = Field(description="The clinician judged dose and duration adequate")
    outcome: TrialOutcome
    in_current_episode: bool


class PriorTreatmentsData(Schema):
    antidepressant_trials: list[AntidepressantTrialData]
    psychotherapy: bool
    ect: bool
    tms: bool


class PsychiatricHistoryData(Schema):
    psychosis: ConditionStatus
    mania: ConditionStatus


class SubstanceUseData(Schema):
    substance_use_disorder: ConditionStatus
    ketamine_or_pcp_misuse: ConditionStatus
    regular_alcohol_use: bool


class MedicalHistoryData(Schema):
    hypertension: bool
    hypertension_controlled: bool | None = Field(None, description="Required (true/false) when hypertension is true, else null")
    cardiovascular_disease: bool
    cardiovascular_disease_poorly_controlled: bool | None = Field(None, description="Required when cardiovascular_disease is true, else null")
    aneurysmal_vascular_disease_or_avm: bool
    intracerebral_hemorrhage_history: bool
    raised_intracranial_pressure: bool
    raised_intraocular_pressure: bool
    liver_disease: LiverDisease
    seizures: bool
    hyperthyroidism: bool
    bladder_symptoms: bool
    sleep_apnea: bool
    pregnant: bool
    breastfeeding: bool
    hypersensitivity_to_ketamine_or_esketamine: bool


class BaselineVitalsData(Schema):
    systolic_mmhg: int
    diastolic_mmhg: int
    heart_rate_per_min: int


class EvaluationData(Schema):
    """An intake evaluation (clinical core ``Evaluation``, schema_version 1)."""

    indications: list[PresentingIndicationData] = Field(min_length=1)
    prior_treatments: PriorTreatmentsData
    psychiatric_history: PsychiatricHistoryData
    substance_use: SubstanceUseData
    medical_history: MedicalHistoryData
    interacting_medications: list[MedicationClass]
    baseline_vitals: BaselineVitalsData | None = None
    weight_kg: float | None = None
    ride_home_arranged: bool | None = Field(None, description="null: not yet asked")
    phq9_item9_baseline: int | None = Field(None, ge=0, le=3)
    episode_duration_weeks: float | None = None
    age_years: int | None = Field(None, ge=0, le=130, description="Age on the day; for a named patient the chart's date of birth decides")
    schema_version: int = 1


EVALUATION_EXAMPLE = {
    "indications": [{"indication": "treatment_resistant_depression", "icd10cm_codes": ["F33.2"]}],
    "prior_treatments": {
        "antidepressant_trials": [
            {"drug": "sertraline", "dose_mg_per_day": 150, "weeks": 8, "adequate": True, "outcome": "no_response", "in_current_episode": True},
            {"drug": "venlafaxine", "dose_mg_per_day": 225, "weeks": 10, "adequate": True, "outcome": "partial_response", "in_current_episode": True},
        ],
        "psychotherapy": True, "ect": False, "tms": False,
    },
    "psychiatric_history": {"psychosis": "none", "mania": "none"},
    "substance_use": {"substance_use_disorder": "none", "ketamine_or_pcp_misuse": "none", "regular_alcohol_use": False},
    "medical_history": {
        "hypertension": True, "hypertension_controlled": False, "cardiovascular_disease": False,
        "cardiovascular_disease_poorly_controlled": None, "aneurysmal_vascular_disease_or_avm": False,
        "intracerebral_hemorrhage_history": False, "raised_intracranial_pressure": False,
        "raised_intraocular_pressure": False, "liver_disease": "none", "seizures": False, "hyperthyroidism": False,
        "bladder_symptoms": False, "sleep_apnea": False, "pregnant": False, "breastfeeding": False,
        "hypersensitivity_to_ketamine_or_esketamine": False,
    },
    "interacting_medications": ["ssri"],
    "baseline_vitals": {"systolic_mmhg": 148, "diastolic_mmhg": 92, "heart_rate_per_min": 76},
    "weight_kg": 70.5,
    "ride_home_arranged": True,
    "phq9_item9_baseline": 0,
    "episode_duration_weeks": 40,
    "schema_version": 1,
}

_EVALUATION_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "An intake evaluation (see the EvaluationData schema). Validated field by field; "
                       "every bad field is reported at once as a 422 with `errors` keyed by path "
                       "(e.g. `medical_history.hypertension_controlled`, `indications[0].icd10cm_codes[1]`).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EvaluationData"},
                                         "example": EVALUATION_EXAMPLE}},
    }
}


# --- outputs ------------------------------------------------------------------------------------
class ReasonOut(Schema):
    rule_id: str
    level: str = Field(description="absolute_contraindication | relative_contraindication | caution | prerequisite")
    title: str
    explanation: str
    detail: str
    source: str = Field(description="Key of the cited source; 'clinic-policy' marks the clinic's own policy")
    source_citation: str
    clinic_policy: bool


class RouteResultOut(Schema):
    route: str
    route_label: str
    outcome: str = Field(description="contraindicated | needs_prescriber_review | eligible_with_cautions | eligible")
    outcome_label: str
    reasons: list[ReasonOut]


class TreatmentResistanceOut(Schema):
    is_resistant: bool
    adequate_failed_count: int
    required_count: int
    reasons: list[str]
    source: str


class PolicySettingOut(Schema):
    key: str
    value: int | float | bool | str
    unit: str
    description: str
    clinic_policy: bool


class ChartCorrectionOut(Schema):
    field: str = Field(description="The evaluation field the chart set, e.g. interacting_medications")
    record_type: str = Field(description="medication | trial | diagnosis | allergy | measurement | patient")
    record_id: str = Field(description="Public id of the chart record (the patient's id for age)")
    message: str


class EligibilityOut(Schema):
    routes: list[RouteResultOut]
    chart_corrections: list[ChartCorrectionOut] = Field(
        default_factory=list,
        description="The chart wins: facts from the patient's chart that the body lacked or contradicted, and "
                    "were used instead. To exclude one, mark the chart entry inactive or entered-in-error.")
    treatment_resistance: TreatmentResistanceOut
    policy: list[PolicySettingOut] = Field(description="Settings used; those marked clinic_policy are the clinic's own, not guidelines")
    schema_version: int


class BaselineMeasureOut(Schema):
    instrument: str
    reason: str
    recorded: bool
    completed_at: dt.datetime | None = None  # the baseline response, when recorded
    total: int | None = None


class EvaluationSummaryOut(Schema):
    id: UUID
    version: int
    status: str = Field(description="draft | completed")
    current: bool = Field(description="The completed evaluation that counts (not superseded)")
    schema_version: int
    created_at: dt.datetime
    created_by: str | None
    completed_at: dt.datetime | None
    completed_by: str | None
    superseded_at: dt.datetime | None
    superseded_by: UUID | None


class SuggestionOut(Schema):
    field: str = Field(description="The evaluation field to review, e.g. medical_history.hypertension")
    record_id: str = Field(description="Public id of the chart record that suggests it")
    message: str


class EvaluationOut(EvaluationSummaryOut):
    evaluation: EvaluationData
    eligibility: EligibilityOut
    baseline_measures: list[BaselineMeasureOut]
    chart_suggestions: list[SuggestionOut] = Field(
        default_factory=list, description="For staff to review, never applied: e.g. lisinopril on the chart suggests hypertension")


class DecisionIn(Schema):
    evaluation_id: UUID = Field(description="Must be the patient's current completed evaluation")
    route: str = Field(description=" | ".join(r.value for r in Route))
    decision: str = Field(description="approve | decline")
    override_reason: str = Field("", max_length=2000, description="Required to approve a route that needs prescriber review")
    note: str = Field("", max_length=2000)


class DecisionOut(Schema):
    id: UUID
    evaluation_id: UUID
    route: str
    version: int
    decision: str
    engine_outcome: str
    engine_rule_ids: list[str]
    chart_facts: list[str] | None = Field(None, description="Safety facts of the chart the decision was signed on")
    override: bool
    override_reason: str
    note: str
    signed_by: str
    signed_at: dt.datetime
    current: bool = Field(description="Latest decision for the route on the current evaluation")
    superseded_by: UUID | None


class MayTreatOut(Schema):
    patient_id: UUID
    route: str
    on_date: dt.date
    allowed: bool
    reasons: list[str]


class MayTreatParams(Schema):
    route: str = Field(description=" | ".join(r.value for r in Route))
    on_date: dt.date | None = Field(None, description="Defaults to today")


class CheckParams(Schema):
    patient_id: UUID | None = Field(None, description="Read this patient's chart too (the chart wins)")


class CreateParams(Schema):
    status: Literal["completed", "draft"] = Field("completed", description="completed (supersedes the current one) or draft")


# --- converters ---------------------------------------------------------------------------------
def eligibility_out(result: EligibilityResult, organization_id, corrections=()) -> dict:
    """The engine's result, with the settings it used: the clinic's own values, else the defaults."""
    return {
        "chart_corrections": [{"field": c.field, "record_type": c.record_type, "record_id": c.record_id,
                               "message": c.message} for c in corrections],
        "routes": [
            {
                "route": route.value, "route_label": route.label, "outcome": d.outcome.value, "outcome_label": d.outcome.label,
                "reasons": [
                    {"rule_id": r.rule_id, "level": r.level.value, "title": r.title, "explanation": r.explanation,
                     "detail": r.detail, "source": r.source, "source_citation": services.source_label(r.source),
                     "clinic_policy": r.source == "clinic-policy"}
                    for r in d.reasons
                ],
            }
            for route, d in result.decisions.items()
        ],
        "treatment_resistance": {
            "is_resistant": result.treatment_resistance.is_resistant,
            "adequate_failed_count": result.treatment_resistance.adequate_failed_count,
            "required_count": result.treatment_resistance.required_count,
            "reasons": list(result.treatment_resistance.reasons),
            "source": result.treatment_resistance.source,
        },
        "policy": [{**{k: row[k] for k in ("key", "value", "unit", "description")}, "clinic_policy": row["is_clinic_policy"]}
                   for row in services.policy_rows(organization_id)],
        "schema_version": result.schema_version,
    }


def _name(user) -> str | None:
    return user.name if user else None


def _summary(ev: IntakeEvaluation) -> dict:
    return {
        "id": ev.public_id, "version": ev.version, "status": ev.status, "current": ev.is_current,
        "schema_version": ev.schema_version, "created_at": ev.created_at, "created_by": _name(ev.created_by),
        "completed_at": ev.completed_at, "completed_by": _name(ev.completed_by), "superseded_at": ev.superseded_at,
        "superseded_by": ev.superseded_by.public_id if ev.superseded_by_id else None,
    }


def _full(ev: IntakeEvaluation) -> dict:
    result, merged, corrections = services.chart_eligibility(ev)
    corrections = getattr(ev, "chart_corrections", None) or corrections  # after a save: what the save took from the chart
    return {**_summary(ev), "evaluation": ev.data, "eligibility": eligibility_out(result, ev.patient.organization_id, corrections),
            "baseline_measures": services.baseline_measures(ev.data, ev.patient, ev.created_at),
            "chart_suggestions": [{"field": sg.field, "record_id": sg.record_id, "message": sg.message}
                                  for sg in services.chart_suggestions(ev.patient, merged)]}


def _decision(d: EligibilityDecision, current_ids: set) -> dict:
    return {
        "id": d.public_id, "evaluation_id": d.evaluation.public_id, "route": d.route, "version": d.version,
        "decision": d.decision, "engine_outcome": d.engine_outcome, "engine_rule_ids": d.engine_rule_ids,
        "chart_facts": d.chart_facts, "override": d.is_override, "override_reason": d.override_reason, "note": d.note, "signed_by": d.signed_by.name,
        "signed_at": d.signed_at, "current": d.pk in current_ids,
        "superseded_by": d.superseded_by.public_id if d.superseded_by_id else None,
    }


# --- endpoints ----------------------------------------------------------------------------------
@router.get("/patients/{patient_id}/evaluations", response={200: list[EvaluationSummaryOut], **errors(401, 403, 404, 422)},
            summary="List a patient's intake evaluations (newest first)")
def list_evaluations(request, patient_id: UUID):
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id)
    return [_summary(ev) for ev in services.evaluations_for(ctx, patient).select_related("superseded_by")]


@router.post("/patients/{patient_id}/evaluations", response={201: EvaluationOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record an intake evaluation", openapi_extra=_EVALUATION_BODY_DOC)
def create_evaluation(request, patient_id: UUID, params: Query[CreateParams], payload: dict = Body(...)):
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id, action="evaluation.edit", audit_action=None)
    ev = services.save_evaluation(ctx, patient, payload, complete=params.status == "completed")
    return Status(201, _full(ev))


@router.get("/patients/{patient_id}/evaluations/{evaluation_id}", response={200: EvaluationOut, **errors(401, 403, 404, 422)},
            summary="Read an evaluation with its eligibility result")
def read_evaluation(request, patient_id: UUID, evaluation_id: UUID):
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id)
    return _full(services.get_evaluation_for(ctx, patient, evaluation_id))


@router.get("/patients/{patient_id}/decisions", response={200: list[DecisionOut], **errors(401, 403, 404, 422)},
            summary="List a patient's eligibility decisions (all versions)")
def list_decisions(request, patient_id: UUID):
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id)
    current = {d.pk for d in services.current_decisions(patient).values()}
    return [_decision(d, current) for d in services.decisions_for(ctx, patient).select_related("superseded_by")]


@router.post("/patients/{patient_id}/decisions", response={201: DecisionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Sign an eligibility decision for one route (prescribers)")
def sign_decision(request, patient_id: UUID, payload: DecisionIn):
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id, action="eligibility.sign", audit_action=None)
    data = payload.dict()
    data["evaluation"] = str(data.pop("evaluation_id"))
    try:
        signed = services.sign_decision(ctx, patient, data)
    except (ValidationFailed, Conflict) as exc:  # the form calls it "evaluation", the API "evaluation_id"
        if "evaluation" in exc.errors:
            exc.errors["evaluation_id"] = exc.errors.pop("evaluation")
        raise
    return Status(201, _decision(signed, {signed.pk}))


@router.post("/eligibility/check", response={200: EligibilityOut, **errors(400, 401, 403, 404, 422)},
             summary="Check eligibility for an evaluation without saving anything; with ?patient_id= the "
                     "patient's chart is merged in (the chart wins)", openapi_extra=_EVALUATION_BODY_DOC)
def check_eligibility(request, params: Query[CheckParams], payload: dict = Body(...)):
    ctx = Context.from_request(request)
    patient = None
    if params.patient_id is not None:
        patient = services.get_screening_patient(ctx, params.patient_id, audit_action=Action.EVALUATION_CHECK)
    result, corrections = services.check_with_chart(ctx, payload, patient)
    return eligibility_out(result, ctx.user.organization_id, corrections)


@router.get("/patients/{patient_id}/may-treat", response={200: MayTreatOut, **errors(401, 403, 404, 422)},
            summary="May this patient be treated by this route on this date? With the reasons either way")
def may_treat(request, patient_id: UUID, params: Query[MayTreatParams]):
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id, audit_action=Action.SCREENING_MAY_TREAT)
    try:
        route = Route(params.route)
    except ValueError:
        raise ValidationFailed({"route": [f"Unknown route {params.route!r}; one of {', '.join(r.value for r in Route)}."]}) from None
    on_date = params.on_date or patient_today(patient)
    permission = services.may_treat(patient, route, on_date)
    return {"patient_id": patient.public_id, "route": route.value, "on_date": on_date,
            "allowed": permission.allowed, "reasons": permission.reasons}


# --- consent and Spravato REMS enrollment ------------------------------------------------------
# The same services as the consent and REMS screens: a patient registered through the API reaches
# a first dose through the API alone. Another clinic's patient or document is a 404.
class ConsentDocumentOut(Schema):
    id: UUID
    route: str
    route_label: str
    version: int
    title: str
    body: str
    is_template: bool = Field(description="The shipped default text, not yet reviewed by the clinic")
    requires_reconsent: bool = Field(description="Consents on earlier versions stop counting")
    change_note: str
    created_at: dt.datetime
    created_by: str | None


class ConsentDocumentIn(Schema):
    route: str = Field(description=" | ".join(r.value for r in Route))
    title: str = Field(max_length=200)
    body: str = Field(max_length=50000)
    change_note: str = Field(max_length=300, description="What changed")
    requires_reconsent: bool = Field(False, description="Patients who signed an earlier version must sign again")


class ConsentSignIn(Schema):
    route: str = Field(description=" | ".join(r.value for r in Route))
    signed_name: str = Field(max_length=200, description="The patient's full name, typed by the patient")
    agree: bool = Field(description="The patient has read the consent and agrees (must be true)")
    document_id: UUID | None = Field(None, description="The document version the patient read; 409 if a newer one exists")


class ConsentRevokeIn(Schema):
    reason: str = Field(max_length=500)


class ConsentOut(Schema):
    id: UUID
    route: str
    document_id: UUID
    document_version: int
    signed_name: str
    signed_at: dt.datetime
    signed_via: str = Field(description="clinic | portal")
    witnessed_by: str | None
    witnessed_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str | None
    revocation_reason: str
    counts: bool = Field(description="Witnessed, not revoked, on a document version still valid")
    problem: str = Field(description="Why it does not count; empty when it does")


class RemsEnrollmentIn(Schema):
    enrolled_on: dt.date = Field(description="The date on the signed enrollment form (not after the patient's today)")
    patient_signed_name: str = Field(max_length=200, description="The patient's signature: their full name, typed")
    prescriber_id: UUID = Field(description="The prescriber of this clinic who signed the form")
    rems_patient_id: str = Field("", max_length=40)


class RemsEntryErrorIn(Schema):
    reason: str = Field(max_length=300)


class RemsEnrollmentOut(Schema):
    id: UUID
    enrolled_on: dt.date
    patient_signed_name: str
    prescriber_id: UUID
    prescriber: str
    rems_patient_id: str
    status: str = Field(description="active | entered-in-error")
    status_reason: str
    recorded_by: str
    recorded_at: dt.datetime


def _require_any(user, *actions: str) -> None:
    if not any(has_permission(user, a) for a in actions):
        raise denied(actions[0])


def _document_out(d: ConsentDocument) -> dict:
    return {"id": d.public_id, "route": d.route, "route_label": d.route_label, "version": d.version, "title": d.title,
            "body": d.body, "is_template": d.is_template, "requires_reconsent": d.requires_reconsent,
            "change_note": d.change_note, "created_at": d.created_at, "created_by": _name(d.created_by)}


def _consent_out(c: Consent, floors: dict[str, int]) -> dict:
    problem = services.consent_problem(c, floors.get(c.route, 0))
    return {"id": c.public_id, "route": c.route, "document_id": c.document.public_id, "document_version": c.document.version,
            "signed_name": c.signed_name, "signed_at": c.signed_at, "signed_via": c.signed_via,
            "witnessed_by": _name(c.witnessed_by), "witnessed_at": c.witnessed_at, "revoked_at": c.revoked_at,
            "revoked_by": _name(c.revoked_by), "revocation_reason": c.revocation_reason, "counts": not problem, "problem": problem}


def _rems_out(r: RemsEnrollment) -> dict:
    return {"id": r.public_id, "enrolled_on": r.enrolled_on, "patient_signed_name": r.patient_signed_name,
            "prescriber_id": r.prescriber.public_id, "prescriber": r.prescriber.name, "rems_patient_id": r.rems_patient_id,
            "status": r.status, "status_reason": r.status_reason, "recorded_by": r.recorded_by.name, "recorded_at": r.recorded_at}


def _consent_patient(request, patient_id, *actions: str, audit_action: Action | None = None):
    """The patient (404 for another clinic's), if the caller may do any of ``actions`` (else 403)."""
    ctx = Context.from_request(request)
    patient = services.get_screening_patient(ctx, patient_id, action="patient.view", audit_action=None)
    _require_any(ctx.user, *actions)
    if audit_action:
        record(ctx, audit_action, obj=patient, patient=patient)
    return ctx, patient


@router.get("/consent-documents", response={200: list[ConsentDocumentOut], **errors(401, 403)},
            summary="Your clinic's current consent document for each route")
def list_consent_documents(request):
    ctx = Context.from_request(request)
    _require_any(ctx.user, "consent.witness", "evaluation.view", "consent.manage_documents")
    return [_document_out(d) for d in services.consent_documents(ctx)]


@router.get("/consent-documents/{document_id}", response={200: ConsentDocumentOut, **errors(401, 403, 404, 422)},
            summary="Read one version of a consent document (earlier versions stay: patients signed them)")
def read_consent_document(request, document_id: UUID):
    ctx = Context.from_request(request)
    _require_any(ctx.user, "consent.witness", "evaluation.view", "consent.manage_documents")
    doc = ConsentDocument.objects.filter(organization_id=ctx.user.organization_id, public_id=document_id).first()
    if doc is None:
        raise NotFound("No such consent document.")
    return _document_out(doc)


@router.post("/consent-documents", response={201: ConsentDocumentOut, **errors(400, 401, 403, 409, 422)},
             summary="Save a new version of a route's consent document")
def update_consent_document(request, payload: ConsentDocumentIn):
    ctx = Context.from_request(request)
    data = payload.dict()
    route = data.pop("route")
    return Status(201, _document_out(services.update_consent_document(ctx, route, data)))


@router.get("/patients/{patient_id}/consents", response={200: list[ConsentOut], **errors(401, 403, 404, 422)},
            summary="A patient's consents (newest first), with whether each counts")
def list_consents(request, patient_id: UUID):
    ctx, patient = _consent_patient(request, patient_id, "consent.witness", "evaluation.view", audit_action=Action.CONSENT_VIEW)
    floors = services.reconsent_floors(patient.organization_id)
    rows = patient.consents.select_related("document", "witnessed_by", "revoked_by").order_by("-signed_at", "-id")
    return [_consent_out(c, floors) for c in rows]


@router.post("/patients/{patient_id}/consents", response={201: ConsentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record the patient's signature in clinic; the calling staff member witnesses it")
def sign_consent(request, patient_id: UUID, payload: ConsentSignIn):
    ctx, patient = _consent_patient(request, patient_id, "consent.witness")
    data = {"signed_name": payload.signed_name, "agree": payload.agree,
            "document": str(payload.document_id) if payload.document_id else ""}
    consent = services.sign_consent(ctx, patient, payload.route, data, via=Consent.Via.CLINIC)
    return Status(201, _consent_out(consent, services.reconsent_floors(patient.organization_id)))


@router.post("/patients/{patient_id}/consents/{consent_id}/witness", response={200: ConsentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Witness a consent the patient signed in the portal")
def witness_consent(request, patient_id: UUID, consent_id: UUID):
    ctx, patient = _consent_patient(request, patient_id, "consent.witness")
    consent = services.witness_consent(ctx, patient, consent_id)
    return _consent_out(consent, services.reconsent_floors(patient.organization_id))


@router.post("/patients/{patient_id}/consents/{consent_id}/revoke", response={200: ConsentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record that the patient revoked a consent (kept, never deleted)")
def revoke_consent(request, patient_id: UUID, consent_id: UUID, payload: ConsentRevokeIn):
    ctx, patient = _consent_patient(request, patient_id, "consent.witness")
    consent = services.revoke_consent(ctx, patient, consent_id, payload.dict())
    return _consent_out(consent, services.reconsent_floors(patient.organization_id))


@router.get("/patients/{patient_id}/rems-enrollments", response={200: list[RemsEnrollmentOut], **errors(401, 403, 404, 422)},
            summary="A patient's Spravato REMS enrollments (the active one and those entered in error)")
def list_rems_enrollments(request, patient_id: UUID):
    ctx, patient = _consent_patient(request, patient_id, "rems.enroll", "evaluation.view", audit_action=Action.REMS_VIEW)
    return [_rems_out(r) for r in patient.rems_enrollments.select_related("prescriber", "recorded_by")]


@router.post("/patients/{patient_id}/rems-enrollments", response={201: RemsEnrollmentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record a Spravato REMS enrollment signed by the patient and a prescriber of this clinic")
def enroll_rems(request, patient_id: UUID, payload: RemsEnrollmentIn):
    ctx, patient = _consent_patient(request, patient_id, "rems.enroll")
    data = {"enrolled_on": payload.enrolled_on.isoformat(), "patient_signed_name": payload.patient_signed_name,
            "prescriber": str(payload.prescriber_id), "rems_patient_id": payload.rems_patient_id}
    try:
        enrollment = services.enroll_rems(ctx, patient, data)
    except ValidationFailed as exc:  # the form calls it "prescriber", the API "prescriber_id"
        if "prescriber" in exc.errors:
            exc.errors["prescriber_id"] = exc.errors.pop("prescriber")
        raise
    return Status(201, _rems_out(enrollment))


@router.post("/patients/{patient_id}/rems-enrollments/{enrollment_id}/entered-in-error",
             response={200: RemsEnrollmentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Mark an enrollment entered in error, with the reason (kept, never deleted)")
def rems_entered_in_error(request, patient_id: UUID, enrollment_id: UUID, payload: RemsEntryErrorIn):
    ctx, patient = _consent_patient(request, patient_id, "rems.enroll")
    return _rems_out(services.withdraw_rems(ctx, patient, enrollment_id, payload.dict()))
