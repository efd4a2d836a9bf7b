"""The Spravato REMS Patient Monitoring Form of an esketamine session: facts gathered from the
session, the form filled by ``clinical.session.build_rems_form`` (versioned schema, 7-day due
date), and a real PDF drawn with reportlab.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.patients.models import RecordStatus
from ketamine_clinic.screening.services import current_rems

from .. import facts
from .. import rems_pdf as rems_pdf_layout
from ..models import EntryKind, RemsForm, SessionStatus, TreatmentSession
from ..policy import rems_bp_recheck_window

# Patient medication classes (patients.DrugClass) -> the form's concomitant-medication classes.
CONCOMITANT_BY_DRUG_CLASS = {
    "benzodiazepine": "benzodiazepines",
    "z_drug": "non_benzodiazepine_sedative_hypnotics",
    "stimulant": "psychostimulants",
    "maoi": "maois",
    "opioid": "opioids",
}


def _bp_near(session, target: dt.datetime, window: dt.timedelta):
    """The BP reading closest to ``target`` within ``window``."""
    best = None
    for v in facts.active_vitals(session):
        if v.systolic_mmhg is None:
            continue
        gap = abs(v.observed_at - target)
        if gap <= window and (best is None or gap < best[0]):
            best = (gap, v)
    return best[1] if best else None


def monitoring_clinician(session: TreatmentSession):
    """The clinician the form names: who discharged the patient, else who checked them in."""
    return session.discharged_by or session.checked_in_by


def rems_facts(session: TreatmentSession, schema: cs.RemsFormSchema = cs.CURRENT_SCHEMA) -> cs.RemsSessionFacts:
    patient = session.patient
    clinician = monitoring_clinician(session)
    location = session.location
    first = session.dosing_started_at
    completed = session.status == SessionStatus.DISCHARGED
    log = facts.device_log(session)
    serious = _serious_adverse_events(session)
    after_dose = _readings_after_dose(session)
    return cs.RemsSessionFacts(
        patient_name=f"{patient.given_name} {patient.family_name}",
        patient_dob=patient.date_of_birth,
        patient_sex=patient.sex_at_birth if patient.sex_at_birth in ("female", "male") else None,
        first_treatment=not _earlier_esketamine_dose(session),
        patient_enrolled=current_rems(patient) is not None,
        concomitant=_concomitant(patient, schema),
        clinician_name=clinician.name if clinician else None,
        clinician_phone=(clinician.phone or location.phone or None) if clinician else None,
        clinician_email=(clinician.email or None) if clinician else None,
        setting_name=f"{session.organization.name} — {location.name}",
        setting_address=_address(location) or None,
        treatment_date=facts.local_date(session, first) if first else None,
        dose_mg=int(log.total_mg) if log else None,
        lot_numbers=log.lot_numbers if log else (),
        first_device_at=first,
        monitoring_end_at=session.discharged_at,
        ready_without_minimum_min=session.ready_without_minimum_min,
        vitals_acceptable_before_dosing=session.predose_vitals_ok,
        vitals_acceptable_before_completion=(not facts.open_alerts(session)) if completed else None,
        **_blood_pressures(session, after_dose, completed),
        sedation=facts.sedation_observed(session),
        dissociation=facts.dissociation_observed(session),
        respiratory_depression=_respiratory_depression(session),
        lowest_spo2_percent=min((v.spo2_percent for v in after_dose if v.spo2_percent is not None), default=None),
        serious_adverse_events=bool(serious),
        serious_adverse_event_description="; ".join(e.data.get("description", "") for e in serious) or None,
    )


def _concomitant(patient, schema: cs.RemsFormSchema) -> dict[str, bool]:
    """For each concomitant-medication class on the form: does an active medication fall in it?"""
    classes = {f.key.removeprefix("concomitant_") for f in schema.fields if f.key.startswith("concomitant_")}
    taking = set(patient.medications.filter(status=RecordStatus.ACTIVE).values_list("drug_class", flat=True))
    return {c: any(CONCOMITANT_BY_DRUG_CLASS.get(d) == c for d in taking) for c in classes}


def _earlier_esketamine_dose(session: TreatmentSession) -> bool:
    return TreatmentSession.objects.filter(patient=session.patient, route=Route.ESKETAMINE_NASAL,
                                           dosing_started_at__isnull=False,
                                           dosing_started_at__lt=session.dosing_started_at).exists()


def _address(location) -> str:
    """The address on one line: street, city, region and postal code, skipping parts not recorded."""
    region_postal = " ".join(x for x in (location.region, location.postal_code) if x)
    return ", ".join(p for p in (location.address_line, location.city, region_postal) if p)


def _readings_after_dose(session: TreatmentSession) -> list:
    """Active vitals readings taken at or after the first device, oldest first."""
    first = session.dosing_started_at
    return [v for v in facts.active_vitals(session) if first and v.observed_at >= first]


def _blood_pressures(session: TreatmentSession, after_dose: list, completed: bool) -> dict:
    """The form's three BP fields: before dosing, at the 40-minute recheck, before completion."""
    pre = facts.predose_reading(session)
    first = session.dosing_started_at
    at_40 = _bp_near(session, first + dt.timedelta(minutes=cs.monitoring.ESKETAMINE_BP_RECHECK_MIN),
                     dt.timedelta(minutes=rems_bp_recheck_window(session.organization_id))) if first else None
    after = [v for v in after_dose if v.systolic_mmhg is not None]
    last = after[-1] if after else None
    return dict(
        bp_before_dosing=facts.as_vital_signs(pre) if pre and pre.systolic_mmhg is not None else None,
        bp_at_40_min=facts.as_vital_signs(at_40) if at_40 else None,
        bp_before_completion=facts.as_vital_signs(last) if last and completed else None,
    )


def _respiratory_depression(session: TreatmentSession) -> bool:
    """A low-SpO2 or low-respiratory-rate alert, or a recorded respiratory-depression side effect."""
    if any(a.kind in ("spo2_low", "respiratory_rate_low") for a in session.alerts.all()):
        return True
    return any(e.data.get("effect") == cs.SideEffect.RESPIRATORY_DEPRESSION.value
               for e in facts.active_entries(session, EntryKind.SIDE_EFFECT))


def _serious_adverse_events(session: TreatmentSession) -> list:
    return [e for e in facts.active_entries(session, EntryKind.ADVERSE_EVENT) if e.data.get("serious")]


def draft_for(session: TreatmentSession, schema: cs.RemsFormSchema = cs.CURRENT_SCHEMA) -> cs.RemsFormDraft:
    return cs.build_rems_form(rems_facts(session, schema), schema)


def generate_rems_form(ctx: Context, session: TreatmentSession, *, now: dt.datetime | None = None) -> RemsForm:
    """Fill (or refill, while not yet submitted) the session's monitoring form."""
    require(ctx.user, "rems.form")
    now = now or timezone.now()
    if session.route != Route.ESKETAMINE_NASAL or session.dosing_started_at is None:
        raise Conflict("A REMS monitoring form is for an esketamine session in which a dose was given.")
    schema = cs.CURRENT_SCHEMA
    draft = draft_for(session, schema)
    treatment_date = facts.local_date(session, session.dosing_started_at)
    with transaction.atomic():
        form = RemsForm.objects.select_for_update().filter(session=session).first()
        if form is not None and form.submitted_at is not None:
            raise Conflict("This form was already marked submitted; it is not changed.")
        values = dict(schema_version=schema.version, values=draft.values, missing_required=draft.missing_required,
                      problems=draft.problems, treatment_date=treatment_date,
                      due_date=draft.due_date or cs.rems_form_due_date(treatment_date), generated_at=now,
                      generated_by=ctx.user)
        if form is None:
            form = RemsForm.objects.create(organization=session.organization, session=session, **values)
        else:
            for k, v in values.items():
                setattr(form, k, v)
            form.save()
        record(ctx, Action.REMS_FORM_GENERATED, obj=form, patient=session.patient, organization=session.organization,
               detail={"missing": draft.missing_required, "due": form.due_date.isoformat()})
    return form


def form_rows(form: RemsForm) -> list[tuple[str, str]]:
    """(label, value) for every field of the form's schema, in order; empty where not recorded."""
    schema = cs.SCHEMAS[form.schema_version]
    return [(f.label, str(form.values.get(f.key, ""))) for f in schema.fields]


def rems_pdf(form: RemsForm) -> bytes:
    """The form as a PDF laid out like the official form (see ``rems_pdf``)."""
    session = form.session
    schema = cs.SCHEMAS[form.schema_version]
    enrollment = current_rems(session.patient)
    header = rems_pdf_layout.Header(
        patient_name=str(form.values.get("patient_name") or session.patient.display_name),
        rems_patient_id=(enrollment.rems_patient_id if enrollment else ""),
        treatment_date=f"{form.treatment_date:%Y-%m-%d}", due_date=f"{form.due_date:%Y-%m-%d}",
        schema_version=form.schema_version,
    )
    submitted = None
    if form.submitted_at:
        local = timezone.localtime(form.submitted_at, session.location.tz)  # the clinic's own clock
        submitted = f"Marked submitted {local:%Y-%m-%d %H:%M} ({local.tzname()}) by {form.submitted_by.name}"
    return rems_pdf_layout.render(
        header, rems_pdf_layout.grouped_rows(schema, form.values),
        not_recorded=[schema.field(k).label for k in form.missing_required], checks=list(form.problems),
        submitted=submitted,
    )
