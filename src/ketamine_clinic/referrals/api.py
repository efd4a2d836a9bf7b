"""REST API of the referral inbox (mounted at /api/v1). Thin: schema in, one service call, schema out."""

import datetime as dt
from uuid import UUID

from ninja import Field, Router, Schema

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from . import services

router = Router(tags=["referrals"])


class ReportedDiagnosis(Schema):
    code: str
    display: str


class ReportedMedication(Schema):
    name: str
    dose: str


class ReportedTrial(Schema):
    drug: str
    dose_mg_per_day: str
    weeks: int
    outcome: str


class ReferralSummaryOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    status: str
    version: int
    submitted_at: dt.datetime
    urgency: str
    patient_given_name: str
    patient_family_name: str
    referrer_name: str


class ReferralOut(ReferralSummaryOut):
    referrer_npi: str
    referrer_practice: str
    referrer_phone: str
    referrer_fax: str
    reason: str
    diagnoses: list[ReportedDiagnosis]
    medications: list[ReportedMedication]
    trials: list[ReportedTrial]
    patient_date_of_birth: dt.date
    patient_phone: str
    patient_email: str
    consent_to_contact: bool
    consent_to_letters: bool
    decline_reason: str
    patient_id: UUID | None = Field(None, description="The chart it was accepted into")

    @staticmethod
    def resolve_patient_id(obj):
        return obj.patient.public_id if obj.patient_id else None


class ReferralStatusIn(Schema):
    status: str = Field(description="contacted | scheduled | declined")
    reason: str = Field("", description="Required when declining")
    version: int = Field(description="The version you read (a stale change is refused: 409)")


class ReferralAcceptIn(Schema):
    patient: UUID | None = Field(None, description="Link this existing patient (one of the duplicate candidates)")
    sex_at_birth: str = Field("", description="For a new chart")
    confirm_new: bool = Field(False, description="None of the candidates is this patient")
    version: int


class AcceptOut(Schema):
    patient_id: UUID
    mrn: str


@router.get("/referrals", response={200: list[ReferralSummaryOut], **errors(401, 403, 422)},
            summary="The referral inbox, newest first (status filter: new, contacted, scheduled, registered, declined)")
def list_referrals(request, status: str = ""):
    return list(services.referrals_for(Context.from_request(request), status)[:200])


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **errors(401, 403, 404, 422)}, summary="One referral (audited)")
def read_referral(request, referral_id: UUID):
    return services.get_referral_for(Context.from_request(request), referral_id)


@router.post("/referrals/{referral_id}/status", response={200: ReferralOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Move a referral to contacted, scheduled for evaluation, or declined (with a reason)")
def change_referral_status(request, referral_id: UUID, payload: ReferralStatusIn):
    ctx = Context.from_request(request)
    return services.change_status(ctx, services.get_referral_for(ctx, referral_id, audit=False), form_data(payload))


@router.post("/referrals/{referral_id}/accept", response={200: AcceptOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Register the patient (or link a duplicate candidate) and carry the referral's data into the chart")
def accept_referral(request, referral_id: UUID, payload: ReferralAcceptIn):
    ctx = Context.from_request(request)
    patient = services.accept(ctx, services.get_referral_for(ctx, referral_id, audit=False), form_data(payload))
    return {"patient_id": patient.public_id, "mrn": patient.mrn}
