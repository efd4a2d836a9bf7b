"""Accepting a referral: a new chart (or an existing patient chosen among the duplicate candidates)
with the referral's diagnoses, medications and antidepressant trials carried in, marked as reported.
All in one transaction: nothing is half-written when any entry is refused."""

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.medications import drug_class_for
from ketamine_clinic.core.errors import Conflict, ValidationFailed, require_own_clinic, validated
from ketamine_clinic.patients import services as patients

from .. import rules
from ..forms import AcceptForm
from ..models import Referral, ReferralKind, ReferralStatus
from .inbox import candidates, locked, move


def _registration(referral: Referral, sex_at_birth: str) -> dict:
    data = {"given_name": referral.patient_given_name, "family_name": referral.patient_family_name,
            "date_of_birth": referral.patient_date_of_birth.isoformat(), "sex_at_birth": sex_at_birth,
            "phone": referral.patient_phone, "email": referral.patient_email}
    if referral.kind == ReferralKind.CLINICIAN:
        data.update(referring_provider_name=referral.referrer_name, referring_provider_phone=referral.referrer_phone,
                    referring_provider_npi=referral.referrer_npi)
    return data


def _reported_entries(referral: Referral):
    """(kind, form data) of each chart entry the referral carries."""
    for d in referral.diagnoses:
        yield "diagnosis", {"icd10_code": d["code"], "display": d.get("display", "")}
    for m in referral.medications:
        # A name the medication list does not know is filed as "other" for a clinician to correct.
        yield "medication", {"name": m["name"], "dose": m.get("dose", ""), "drug_class": "" if drug_class_for(m["name"]) else "other"}
    for t in referral.trials:
        # "Adequate" is the clinic's judgement, not the referrer's: recorded as not (yet) adequate.
        yield "trial", {"drug": t["drug"], "dose_mg_per_day": t["dose_mg_per_day"], "weeks": t["weeks"],
                        "adequate": "false", "outcome": t["outcome"], "current_episode": "true"}


def _carry(ctx: Context, referral: Referral, patient) -> int:
    count = 0
    for kind, data in _reported_entries(referral):
        try:
            patients.add_reported_subrecord(ctx, patient, kind, data, reported_by=referral.reported_by)
        except ValidationFailed as exc:
            problems = "; ".join(m for msgs in exc.errors.values() for m in msgs)
            raise ValidationFailed({"__all__": [f"The referral's {kind} {data} was refused: {problems}"]}) from None
        count += 1
    return count


def _patient_to_link(ctx: Context, referral: Referral, cleaned: dict):
    """The chosen candidate, or None for a new chart (refused while candidates are not ruled out)."""
    found = list(candidates(ctx, referral))
    if cleaned.get("patient"):
        chosen = next((p for p in found if p.public_id == cleaned["patient"]), None)
        if chosen is None:
            raise ValidationFailed({"patient": ["Choose one of the listed candidates (same name, date of birth or phone)."]})
        return chosen
    if found and not cleaned.get("confirm_new"):
        raise Conflict(f"{len(found)} patient(s) of the clinic look like this one: link one of them, "
                       "or confirm that none of them is this patient.", {"confirm_new": ["Confirm a new chart, or link a candidate."]})
    return None


def accept(ctx: Context, referral: Referral, data):
    """Register (or link) the patient and carry the referral's data into the chart; the referral
    becomes registered. Returns the patient."""
    require(ctx.user, "referrals.manage")
    require_own_clinic(ctx.user, referral.organization_id, "referral")
    cleaned = validated(AcceptForm, data)
    with transaction.atomic():
        row = locked(referral, cleaned["version"])
        if row.status not in rules.OPEN:
            raise Conflict(f"This referral is already {row.get_status_display().lower()}.")
        patient = _patient_to_link(ctx, row, cleaned)
        linked = patient is not None
        if patient is None:
            patient = patients.register_patient(ctx, _registration(row, cleaned["sex_at_birth"]))
        carried = _carry(ctx, row, patient)
        move(ctx, row, ReferralStatus.REGISTERED, "Linked to an existing chart" if linked else "New chart registered")
        row.patient = patient
        row.save()
        record(ctx, Action.REFERRAL_ACCEPT, obj=row, patient=patient,
               detail={"linked_existing": linked, "entries_carried": carried, "version": row.version})
    return patient
