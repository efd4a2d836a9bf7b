"""The single door for reading and writing patient records.

Each write checks permission, validates, writes in one transaction, keeps a revision snapshot,
adds a timeline line where useful and writes its audit event. Reads go through ``*_for(ctx, …)``
helpers scoped to the actor's organization; opening a chart is itself audited.
"""

import datetime as dt
import re
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Window
from django.forms.models import model_to_dict
from django.utils import timezone

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.accounts.services import create_portal_user
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.codes import icd10cm_display
from ketamine_clinic.core import batch, fence
from ketamine_clinic.core.prepared import Bound, Prepared
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, form_errors, require_own_clinic
from ketamine_clinic.core.errors import validated as _validate
from ketamine_clinic.core.ids import uuid_or_none
from ketamine_clinic.core.localtime import patient_today

from . import forms as pforms
from .models import (
    Allergy,
    AntidepressantTrial,
    BodyMeasurement,
    Diagnosis,
    Medication,
    Patient,
    RecordStatus,
    Revision,
    TestResult,
    TimelineEvent,
)

SUBRECORD_MODELS = {
    "measurement": BodyMeasurement,
    "allergy": Allergy,
    "medication": Medication,
    "trial": AntidepressantTrial,
    "diagnosis": Diagnosis,
    "result": TestResult,
}

# An attached report: a PDF or an image, recognised by its first bytes (not by its name).
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


# --- helpers ----------------------------------------------------------------------------------
def _snapshot(obj) -> dict:
    """JSON-safe values as the database holds them (decimals at their stored precision)."""
    data = model_to_dict(obj, exclude=["id", "patient", "organization", "care_team", "portal_user", "home_location",
                                       "no_known_allergies_at", "no_known_allergies_by"])
    out = {}
    for key, value in data.items():
        if obj._meta.get_field(key).is_relation and value is not None:
            related = getattr(obj, key)  # a person's name in History, not a row number
            value = getattr(related, "name", None) or str(related)
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = f"{value:.{obj._meta.get_field(key).decimal_places}f}"
        out[key] = value
    return out


def _revise(ctx: Context, patient: Patient, record_type: str, obj, changed: list[str], reason: str = "") -> None:
    Revision.objects.create(
        patient=patient,
        record_type=record_type,
        record_id=obj.public_id,
        version=obj.version,
        data=_snapshot(obj),
        changed_fields=changed,
        reason=reason,
        changed_by=ctx.user,
    )


REASON_MAX_LENGTH = Revision._meta.get_field("reason").max_length


def _reason_errors(reason: str, missing: str | None = None) -> dict[str, list[str]]:
    """A reason is required when ``missing`` says what to ask for. Its length is checked here because
    the column would refuse (PostgreSQL: a 500) or silently keep (SQLite) an over-long one."""
    reason = (reason or "").strip()
    if not reason and missing:
        return {"reason": [missing]}
    if len(reason) > REASON_MAX_LENGTH:
        return {"reason": [f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer."]}
    return {}


def _subrecord_model(kind: str):
    model = SUBRECORD_MODELS.get(kind)
    if model is None:
        raise NotFound(f"Unknown record type {kind!r}.")
    return model


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _next_mrn(org) -> str:
    # Generated MRNs are the prefix and six digits, so the largest sorts last as text.
    last = (
        Patient.objects.filter(organization=org, mrn__regex=rf"^{re.escape(org.mrn_prefix)}[0-9]{{6}}$")
        .order_by("-mrn")
        .values_list("mrn", flat=True)
        .first()
    )
    number = int(last[len(org.mrn_prefix):]) if last else 100000
    return f"{org.mrn_prefix}{number + 1:06d}"


# --- reads ------------------------------------------------------------------------------------
def patients_for(ctx: Context) -> QuerySet[Patient]:
    require(ctx.user, "patient.view")
    return _of_clinic(ctx.user.organization_id)


def _of_clinic(organization_id) -> QuerySet[Patient]:
    """The one scope of who may be read: ``patients_for`` and the prepared lookup below share it."""
    return Patient.objects.filter(organization_id=organization_id)


# One public id of the clinic, compiled once per process (every chart, session and plan page reads
# it), with its home location: the patient's time zone reads it.
_PATIENT_OF_CLINIC = Prepared(lambda organization_id, public_id: _of_clinic(organization_id)
                              .filter(public_id=public_id).select_related("home_location")[:1])


def search_patients(ctx: Context, q: str = "") -> QuerySet[Patient]:
    """Match name words, a date of birth (YYYY-MM-DD or MM/DD/YYYY), an MRN, or phone digits."""
    return _matching(ctx, search_condition(q))


def _matching(ctx: Context, condition: Q | None) -> QuerySet[Patient]:
    return patients_for(ctx) if condition is None else patients_for(ctx).filter(condition)


def search_condition(q: str) -> Q | None:
    """What ``search_patients`` matches for ``q`` (None: everyone). On PostgreSQL each branch is
    an expression a trigram or B-tree index holds."""
    q = (q or "").strip()[:100]
    if not q:
        return None
    condition = Q(mrn__iexact=q)
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            condition |= Q(date_of_birth=dt.datetime.strptime(q, fmt).date())
        except ValueError:
            pass
    digits = _digits(q)
    if len(digits) >= 4 and len(digits) >= len(q.replace(" ", "")) - 4:
        # icontains (digits have no case): the very expression the trigram index holds, UPPER(phone_digits).
        condition |= Q(phone_digits__icontains=digits) | Q(mrn__icontains=q)
    words = q.replace(",", " ").split()
    if words:
        name_q = Q()
        for word in words:
            name_q &= Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(preferred_name__icontains=word)
        condition |= name_q
    return condition


def search_page(ctx: Context, q: str, page: int, page_size: int) -> tuple[list[Patient], int]:
    """One page of ``search_patients`` (1-based ``page``; empty past the last) and the number of
    all matches.

    One query: each row carries the total as a window count over the matches, so the page and the
    count are not two scans of the same search (``core.fence``: the matches are found first, through
    the trigram indexes). Only a page past the end counts on its own. With no words, every patient
    matches: the page is read in name order straight from the name index, and counted apart (a count
    over the index is cheaper than a window over every row)."""
    condition = search_condition(q)
    matches = _matching(ctx, condition)
    start = (max(1, page) - 1) * page_size
    ordered = matches.select_related("home_location").order_by("family_name", "given_name", "id")
    if condition is None:
        return list(ordered[start:start + page_size]), matches.count()
    rows = fence.page_rows(matches, ordered.annotate(match_count=Window(Count("pk")))[start:start + page_size])
    if rows:
        return rows, rows[0].match_count
    return [], (matches.count() if start else 0)


def get_patient_for(ctx: Context, public_id, *, action: str = "patient.view", audit_action: Action | None = Action.PATIENT_VIEW) -> Patient:
    """The patient of the actor's clinic, when the actor's role allows ``action`` (else 403); the
    view is audited as ``audit_action`` (none when None). Another clinic's patient, or an id that
    is not one, is 'not found' (404) — the one organization-scoped patient lookup."""
    require(ctx.user, action)
    wanted, organization_id = uuid_or_none(public_id), ctx.user.organization_id
    found = _PATIENT_OF_CLINIC(organization_id, wanted).fetch() if wanted and organization_id else []
    if not found:
        raise NotFound("No such patient.")
    patient = found[0]
    # Its clinic is the actor's (the read is scoped by it): the audit event reads it, with no query.
    Patient.organization.field.set_cached_value(patient, ctx.user.organization)
    if audit_action:
        record(ctx, audit_action, obj=patient, patient=patient)
    return patient


def get_own_patient_record(ctx: Context) -> Patient:
    """A portal user's own record, and only that."""
    patient = Patient.objects.filter(portal_user=ctx.user).first() if ctx.user.is_authenticated else None
    if patient is None:
        raise NotFound("No patient record is linked to this account.")
    record(ctx, Action.PORTAL_VIEW_OWN, obj=patient, patient=patient)
    return patient


def current_measurement(patient: Patient) -> BodyMeasurement | None:
    """The latest active body measurement (read once per page inside a ``request_memo`` scope)."""
    return batch.first(measurement_read(patient))


def measurement_read(patient: Patient) -> dict[tuple, Bound]:
    """The latest active weight (the model's order: newest first), for ``core.batch``."""
    return {_chart_key(patient, "measurement"): _CHART_READS["measurement"](patient.pk).knowing(patient=patient)}


CHART_LISTS = ("allergies", "medications", "trials", "diagnoses", "results")


def _chart_key(patient: Patient, name: str) -> tuple:
    return ("patients.chart", name, patient.pk)


_ACTIVE = RecordStatus.ACTIVE
# Compiled once per process (core.prepared): every chart reads them. Each list in its model's order,
# ties broken by id: screening's chart facts read them in this order.
_CHART_READS = {
    "allergies": Prepared(lambda pid: Allergy.objects.filter(patient_id=pid, status=_ACTIVE).order_by("substance", "id")),
    "medications": Prepared(lambda pid: Medication.objects.filter(patient_id=pid, status=_ACTIVE).order_by("name", "id")),
    "trials": Prepared(lambda pid: AntidepressantTrial.objects.filter(patient_id=pid)
                       .exclude(status=RecordStatus.ENTERED_IN_ERROR).order_by("-recorded_at", "-id")),
    "diagnoses": Prepared(lambda pid: Diagnosis.objects.filter(patient_id=pid, status=_ACTIVE).order_by("icd10_code", "id")),
    "results": Prepared(lambda pid: TestResult.objects.filter(patient_id=pid, status=_ACTIVE).defer("attachment")),
    "measurement": Prepared(lambda pid: BodyMeasurement.objects.filter(patient_id=pid, status=_ACTIVE)[:1]),
}


def chart_reads(patient: Patient) -> dict[tuple, Bound]:
    """The lists a chart shows (the latest weight and ``CHART_LISTS``), keyed for ``core.batch``."""
    return {_chart_key(patient, name): read(patient.pk).knowing(patient=patient) for name, read in _CHART_READS.items()}


def chart_records(patient: Patient) -> dict[str, list]:
    """What a chart lists: active allergies, medications and diagnoses; every trial not withdrawn.

    Read in one statement, and inside a page's ``request_memo`` scope once for the page (the chart
    lists them and screening's chart facts reads them)."""
    read = batch.lists(chart_reads(patient))
    return {name: read[_chart_key(patient, name)] for name in CHART_LISTS}


def subrecords_for(patient: Patient, kind: str) -> QuerySet:
    """Every entry of one kind on a chart, withdrawn ones included (each carries its status)."""
    return _subrecord_model(kind).objects.filter(patient=patient)


def get_subrecord(patient: Patient, kind: str, public_id):
    """One entry of a chart the caller has already opened (through ``get_patient_for``)."""
    obj = subrecords_for(patient, kind).filter(public_id=public_id).first()
    if obj is None:
        raise NotFound("No such entry on this chart.")
    return obj


# --- writes -----------------------------------------------------------------------------------
def register_patient(ctx: Context, data: dict) -> Patient:
    require(ctx.user, "patient.register")
    org = ctx.user.organization
    cleaned = _validate(pforms.RegistrationForm, data)
    location = None
    if cleaned.get("home_location"):
        location = Location.objects.filter(organization=org, public_id=cleaned["home_location"]).first()
        if location is None:
            raise ValidationFailed({"home_location": ["No such location in this clinic."]})
    fields = {k: cleaned[k] for k in pforms.PatientForm.DEMOGRAPHIC_FIELDS}
    given_mrn = fields.pop("mrn") or ""
    if given_mrn and Patient.objects.filter(organization=org, mrn__iexact=given_mrn).exists():
        raise Conflict("A patient with this MRN already exists.", {"mrn": ["This MRN is already in use."]})
    for attempt in range(5):
        try:
            with transaction.atomic():
                patient = Patient.objects.create(
                    organization=org,
                    mrn=given_mrn or _next_mrn(org),
                    phone_digits=_digits(fields.get("phone", "")),
                    home_location=location or ctx.user.default_location,
                    **fields,
                )
                _revise(ctx, patient, "patient", patient, sorted(fields), "Registered")
                if cleaned.get("weight_kg"):
                    _create_subrecord(
                        ctx, patient, "measurement",
                        {"measured_on": patient_today(patient), "weight_kg": cleaned["weight_kg"], "height_cm": cleaned.get("height_cm")},
                    )
                TimelineEvent.objects.create(patient=patient, kind="registered", summary="Registered", actor=ctx.user)
                record(ctx, Action.PATIENT_CREATE, obj=patient, patient=patient)
                return patient
        except IntegrityError:
            if given_mrn:
                raise Conflict("A patient with this MRN already exists.", {"mrn": ["This MRN is already in use."]}) from None
            continue  # a concurrent registration took the generated MRN; take the next
    raise Conflict("Could not allocate an MRN; try again.")


def update_patient(ctx: Context, patient: Patient, data: dict, *, expected_version: int | None = None, reason: str = "") -> Patient:
    """Partial update of demographics; refuses a stale edit (someone saved in between)."""
    require(ctx.user, "patient.edit_demographics")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    if errors := _reason_errors(reason):
        raise ValidationFailed(errors)
    current = {k: getattr(patient, k) for k in pforms.PatientForm.DEMOGRAPHIC_FIELDS}
    merged = {**{k: ("" if v is None else v) for k, v in current.items()}, **data}
    cleaned = _validate(pforms.PatientForm, merged)
    new_mrn = cleaned["mrn"] or patient.mrn
    if new_mrn.lower() != patient.mrn.lower() and Patient.objects.filter(
        organization_id=patient.organization_id, mrn__iexact=new_mrn
    ).exclude(pk=patient.pk).exists():
        raise Conflict("A patient with this MRN already exists.", {"mrn": ["This MRN is already in use."]})
    cleaned["mrn"] = new_mrn
    changed = sorted(k for k in pforms.PatientForm.DEMOGRAPHIC_FIELDS if cleaned[k] != current[k])
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(
                f"This record was changed by someone else (now version {locked.version}); reload and try again."
            )
        if not changed:
            return locked
        for k in changed:
            setattr(locked, k, cleaned[k])
        locked.phone_digits = _digits(locked.phone)
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        _revise(ctx, locked, "patient", locked, changed, (reason or "").strip())
        TimelineEvent.objects.create(patient=locked, kind="demographics", summary="Details updated: " + ", ".join(changed).replace("_", " "), actor=ctx.user)
        record(ctx, Action.PATIENT_UPDATE, obj=locked, patient=locked, detail={"fields": changed, "version": locked.version})
    return locked


def _create_subrecord(ctx: Context, patient: Patient, kind: str, cleaned: dict):
    model = SUBRECORD_MODELS[kind]
    obj = model.objects.create(patient=patient, recorded_by=ctx.user, **cleaned)
    if kind == "allergy":  # an allergy ends an earlier "no known allergies"
        Patient.objects.filter(pk=patient.pk).update(no_known_allergies_at=None, no_known_allergies_by=None)
        patient.no_known_allergies_at = patient.no_known_allergies_by = None
    _revise(ctx, patient, kind, obj, sorted(cleaned), "Recorded")
    record(ctx, Action.chart_record(kind, "create"), obj=obj, patient=patient, organization=patient.organization)
    return obj


def _attachment_fields(upload) -> dict:
    """The model fields for an uploaded report; ValidationFailed for anything but a PDF or image."""
    if upload is None:
        return {}
    too_big = ValidationFailed({"attachment": [f"The report is larger than {ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB."]})
    if getattr(upload, "size", 0) > ATTACHMENT_MAX_BYTES:
        raise too_big
    content = upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise too_big
    media_type = next((t for magic, t in ATTACHMENT_TYPES if content.startswith(magic)), None)
    if media_type is None:
        raise ValidationFailed({"attachment": ["Attach the report as a PDF, PNG or JPEG file."]})
    name = (getattr(upload, "name", "") or "report").replace("\\", "/").rsplit("/", 1)[-1][:200]
    return {"attachment": content, "attachment_type": media_type, "attachment_name": name}


def add_subrecord(ctx: Context, patient: Patient, kind: str, data: dict, *, attachment=None):
    """Record a measurement, allergy, medication, antidepressant trial, diagnosis or test result
    (a result may carry its report as ``attachment``: an uploaded PDF or image)."""
    require(ctx.user, "patient.edit_clinical")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    if kind not in SUBRECORD_MODELS:
        raise NotFound(f"Unknown record type {kind!r}.")
    if attachment is not None and kind != "result":
        raise ValidationFailed({"attachment": ["Only a test result carries an attached report."]})
    cleaned = _validate(pforms.SUBRECORD_FORMS[kind], data)
    cleaned.update(_attachment_fields(attachment))
    with transaction.atomic():
        obj = _create_subrecord(ctx, patient, kind, cleaned)
        TimelineEvent.objects.create(patient=patient, kind=kind, summary=f"{kind.title()} recorded: {describe(kind, obj)}", actor=ctx.user)
    return obj


def add_reported_subrecord(ctx: Context, patient: Patient, kind: str, data: dict, *, reported_by: str):
    """Carry an entry someone outside the clinic reported (a referral's diagnosis, medication or
    antidepressant trial) into the chart, marked with who reported it, for a clinician to confirm.
    Same validation as the clinic's own entries; the caller holds the transaction."""
    require(ctx.user, "patient.record_reported")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    if kind not in ("diagnosis", "medication", "trial"):
        raise NotFound(f"Unknown reported record type {kind!r}.")
    cleaned = _validate(pforms.SUBRECORD_FORMS[kind], data)
    cleaned["reported_by"] = reported_by[:200]
    with transaction.atomic():
        obj = _create_subrecord(ctx, patient, kind, cleaned)
        TimelineEvent.objects.create(patient=patient, kind=kind, actor=ctx.user,
                                     summary=f"{kind.title()} reported ({reported_by[:80]}): {describe(kind, obj)}"[:300])
    return obj


def record_no_known_allergies(ctx: Context, patient: Patient) -> Patient:
    """The patient was asked and has no known allergies: an explicit finding, audited."""
    require(ctx.user, "patient.edit_clinical")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.allergies.filter(status=RecordStatus.ACTIVE).exists():
            raise Conflict("This chart lists allergies. Mark a wrong entry as entered in error first.")
        locked.no_known_allergies_at, locked.no_known_allergies_by = timezone.now(), ctx.user
        locked.save(update_fields=["no_known_allergies_at", "no_known_allergies_by"])
        TimelineEvent.objects.create(patient=locked, kind="allergy", summary="No known allergies recorded", actor=ctx.user)
        record(ctx, Action.PATIENT_NO_KNOWN_ALLERGIES, obj=locked, patient=locked, organization=locked.organization)
    patient.no_known_allergies_at, patient.no_known_allergies_by = locked.no_known_allergies_at, ctx.user
    return locked


def correct_subrecord(ctx: Context, patient: Patient, kind: str, public_id, data: dict, reason: str, *, expected_version: int | None = None):
    """Replace an entry's values; the previous version stays in the history.

    ``data`` may name only the fields being corrected: the others keep their recorded values, so a
    client that leaves out an optional field does not silently clear it.
    """
    require(ctx.user, "patient.edit_clinical")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    model = _subrecord_model(kind)
    form_class = pforms.SUBRECORD_FORMS[kind]
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(patient=patient, public_id=public_id).first()
        if obj is None:
            raise NotFound("No such entry on this chart.")
        if obj.status == RecordStatus.ENTERED_IN_ERROR:
            raise Conflict("This entry was withdrawn as entered in error and cannot be changed.")
        if expected_version is not None and obj.version != expected_version:
            raise Conflict(f"This entry was changed by someone else (now version {obj.version}); reload and try again.")
        submitted = {**pforms.form_data_from(obj, form_class), **data}
        if kind == "diagnosis" and _display_follows_code(obj, data):
            submitted["display"] = ""  # the form fills in the code's own description
        form = form_class(data=submitted)
        errors = _reason_errors(reason, "Say why this entry is being corrected.")
        if not form.is_valid():
            errors.update(form_errors(form))
        if errors:
            raise ValidationFailed(errors)
        changed = sorted(k for k, v in form.cleaned_data.items() if getattr(obj, k) != v)
        if not changed:
            raise ValidationFailed({"data": ["Nothing to correct: these are the values already recorded."]})
        for k in changed:
            setattr(obj, k, form.cleaned_data[k])
        obj.version += 1
        obj.save()
        _revise(ctx, patient, kind, obj, changed, reason.strip())
        TimelineEvent.objects.create(patient=patient, kind=kind, summary=f"{kind.title()} corrected: {describe(kind, obj)}", actor=ctx.user)
        record(ctx, Action.chart_record(kind, "update"), obj=obj, patient=patient, organization=patient.organization, detail={"fields": changed, "version": obj.version})
    return obj


def _display_follows_code(diagnosis: Diagnosis, data: dict) -> bool:
    """A corrected code brings its own description unless someone wrote one: a description left
    out, or still the old code's catalogue text, would otherwise describe the wrong code."""
    if "icd10_code" not in data:
        return False
    display = data.get("display")
    return display is None or display == icd10cm_display(diagnosis.icd10_code)


def set_subrecord_status(ctx: Context, patient: Patient, kind: str, public_id, status: str, reason: str):
    """Stop/resolve an entry, or withdraw it as entered in error. Never deletes."""
    require(ctx.user, "patient.edit_clinical")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    model = _subrecord_model(kind)
    errors = _reason_errors(reason, "Say why.")
    if status not in (RecordStatus.INACTIVE, RecordStatus.ENTERED_IN_ERROR):
        errors["status"] = ["Choose inactive or entered-in-error."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(patient=patient, public_id=public_id).first()
        if obj is None:
            raise NotFound("No such entry on this chart.")
        if obj.status == RecordStatus.ENTERED_IN_ERROR:
            raise Conflict("This entry was already withdrawn.")
        obj.status = status
        obj.version += 1
        obj.save()
        _revise(ctx, patient, kind, obj, ["status"], reason.strip())
        label = "withdrawn (entered in error)" if status == RecordStatus.ENTERED_IN_ERROR else "marked inactive"
        TimelineEvent.objects.create(patient=patient, kind=kind, summary=f"{kind.title()} {label}: {describe(kind, obj)}", actor=ctx.user)
        record(ctx, Action.chart_record(kind, "status"), obj=obj, patient=patient, organization=patient.organization, detail={"status": status})
    return obj


def set_care_team(ctx: Context, patient: Patient, user_ids: list) -> None:
    require(ctx.user, "patient.edit_demographics")
    require_own_clinic(ctx.user, patient.organization_id, "patient")

    try:
        wanted = {uuid.UUID(str(u)) for u in user_ids}
    except ValueError:
        raise ValidationFailed({"care_team": ["Every care-team member must be staff of this clinic."]}) from None
    members = list(User.objects.filter(organization_id=patient.organization_id, kind=User.Kind.STAFF, public_id__in=wanted))
    if len(members) != len(wanted):
        raise ValidationFailed({"care_team": ["Every care-team member must be staff of this clinic."]})
    with transaction.atomic():
        patient.care_team.set(members)
        TimelineEvent.objects.create(patient=patient, kind="care_team", summary="Care team: " + (", ".join(m.name for m in members) or "none"), actor=ctx.user)
        record(ctx, Action.PATIENT_CARE_TEAM, obj=patient, patient=patient, detail={"members": [str(m.public_id) for m in members]})


def describe(kind: str, obj) -> str:
    if kind == "measurement":
        return f"{obj.weight_kg} kg" + (f", {obj.height_cm} cm" if obj.height_cm else "")
    if kind == "allergy":
        return obj.substance
    if kind == "medication":
        return f"{obj.name} ({obj.get_drug_class_display()})"
    if kind == "trial":
        return f"{obj.drug} {obj.dose_mg_per_day} mg/day × {obj.weeks} wk"
    if kind == "diagnosis":
        return f"{obj.icd10_code} {obj.display}"
    return str(obj)


def open_portal_account(ctx: Context, patient: Patient, data: dict):
    """A sign-in for the patient's portal (``username``, ``password``, optional ``email``), linked to
    the chart. A patient has at most one portal account."""
    require(ctx.user, "patient.edit_demographics")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    data = {"first_name": patient.given_name, "last_name": patient.family_name, **data}
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.portal_user_id is not None:
            raise Conflict("This patient already has a portal account.")
        user = create_portal_user(ctx, data)
        locked.portal_user = user
        locked.save(update_fields=["portal_user"])
        record(ctx, Action.PATIENT_PORTAL_ACCOUNT, obj=locked, patient=locked, detail={"username": user.username})
    patient.portal_user = user
    return user
