"""Coding a completed visit: propose lines from the session record, let the biller edit them (each
edit a new line naming its reason), and finalize. A finalized visit's lines never change."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from ketamine_clinic.accounts.permissions import Role, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, ValidationFailed, require_own_clinic
from ketamine_clinic.core.versions import required_version
from ketamine_clinic.notes.models import Note, NoteStatus
from ketamine_clinic.patients.models import Diagnosis, RecordStatus
from ketamine_clinic.screening.models import IntakeEvaluation
from ketamine_clinic.treatments import facts
from ketamine_clinic.treatments.models import EntryKind, EntryStatus, SessionStatus, TreatmentSession

from ..models import BillableVisit, ChargeLine, VisitStatus
from ..rules.codes import CODES, PLACES_OF_SERVICE
from ..rules.propose import Payer, VisitFacts, propose
from ._common import Errors, audit, flag
from .coverage import coverage_on
from .setup import CODE_RE, charge_for, fee_for, schedule_on

MAX_DIAGNOSES = 12  # CMS-1500 box 21 holds A-L
POINTERS = "ABCDEFGHIJKL"
IV_PUSH_RE = re.compile(r"\bIV\b", re.I)  # a rescue medication charted with route "IV" was pushed IV


def local_date(session: TreatmentSession) -> dt.date:
    return timezone.localtime(session.dosing_started_at or session.checked_in_at, session.location.tz).date()


def _dose_given_mg(session: TreatmentSession) -> Decimal | None:
    """mg given, from the record: the session module's own sum (devices x 28 mg, the pump's rate
    segments up to the stop, the bolus); the authorized dose only when no pump segment is charted."""
    admin = getattr(session, "administration", None)
    if session.route == "iv" and (admin is None or not admin.rate_changes.exists()):
        return session.dose_mg
    given = facts.given_so_far(session, session.dosing_ended_at or session.discharged_at)
    return given if given else None


def _infusion_minutes(session: TreatmentSession) -> int | None:
    admin = getattr(session, "administration", None)
    if session.route != "iv" or admin is None or admin.stopped_at is None:
        return None
    return int((admin.stopped_at - admin.started_at).total_seconds() // 60)


def _iv_push_drugs(session: TreatmentSession) -> tuple[str, ...]:
    names = []
    for entry in session.entries.filter(kind=EntryKind.RESCUE, status=EntryStatus.ACTIVE):
        name = str(entry.data.get("medication", "")).strip()
        if name and IV_PUSH_RE.search(str(entry.data.get("dose", ""))) and name.lower() not in [n.lower() for n in names]:
            names.append(name)
    return tuple(names)


def _established(session: TreatmentSession) -> bool:
    """Seen before at this clinic: an earlier discharged session or an earlier coded visit."""
    earlier = TreatmentSession.objects.filter(patient_id=session.patient_id, status=SessionStatus.DISCHARGED,
                                              checked_in_at__lt=session.checked_in_at).exists()
    return earlier or BillableVisit.objects.filter(patient_id=session.patient_id,
                                                   service_date__lt=local_date(session)).exists()


def _diagnoses(patient) -> list[str]:
    rows = Diagnosis.objects.filter(patient=patient, status=RecordStatus.ACTIVE).order_by("recorded_at", "id")
    codes = []
    for d in rows:
        if d.icd10_code not in codes:
            codes.append(d.icd10_code)
    return codes[:MAX_DIAGNOSES]


def facts_for(session: TreatmentSession, payer: Payer, inputs: dict) -> VisitFacts:
    return VisitFacts(
        route=session.route, payer=payer, established_patient=inputs["established"],
        infusion_minutes=_infusion_minutes(session), dose_mg=_dose_given_mg(session),
        iv_push_drugs=_iv_push_drugs(session), clinician_minutes=inputs["clinician_minutes"],
        separate_em=inputs["separate_em"], psychotherapy_minutes=inputs["psychotherapy_minutes"],
    )


def signed_psychotherapy_minutes(session: TreatmentSession) -> tuple[int | None, list[str]]:
    """Psychotherapy minutes documented in the signed notes of the session (or of its appointment),
    summed, and those notes' ids; (None, []) when no signed note records any. A note still awaiting
    its co-signature is not yet the record billing relies on."""
    link = Q(session=session) | (Q(appointment_id=session.appointment_id) if session.appointment_id else Q(pk__in=[]))
    notes = list(Note.objects.filter(link, patient_id=session.patient_id, status=NoteStatus.SIGNED,
                                     psychotherapy_minutes__isnull=False).order_by("signed_at", "id"))
    if not notes:
        return None, []
    return sum(n.psychotherapy_minutes for n in notes), [str(n.public_id) for n in notes]


def _psychotherapy_inputs(session: TreatmentSession, data: dict, e: Errors) -> dict:
    """The signed notes supply the minutes; a typed number that differs from them is an override and
    needs a reason (kept on the visit's notes and in the audit event)."""
    typed = e.minutes(data, "psychotherapy_minutes")
    documented, note_ids = signed_psychotherapy_minutes(session)
    reason = e.text(data, "psychotherapy_reason", 300)
    override = typed is not None and typed != documented
    if override and not reason:
        e.add("psychotherapy_reason", f"The signed notes document {documented if documented is not None else 'no'} "
              "psychotherapy minutes: give a reason to bill a different number.")
    return {"psychotherapy_minutes": typed if override else documented,
            "psychotherapy_source": {"notes": note_ids, "documented_minutes": documented,
                                     "override_reason": reason if override else ""}}


def _proposal_inputs(session: TreatmentSession, data: dict) -> dict:
    e = Errors()
    inputs = {
        "clinician_minutes": e.minutes(data, "clinician_minutes"),
        **_psychotherapy_inputs(session, data, e),
        "separate_em": flag(data, "separate_em"),
    }
    established = str(data.get("established") or "").strip().lower()
    if established not in ("", "yes", "no", "true", "false"):
        e.add("established", "Choose yes, no, or leave empty to read it from the record.")
    inputs["established"] = _established(session) if established == "" else established in ("yes", "true")
    e.raise_if_any()
    return inputs


def _priced_line(visit: BillableVisit, schedule, **fields) -> ChargeLine:
    item = fee_for(schedule, fields["code"], [m for m in fields.get("modifiers", "").split(",") if m])
    if item is not None and item.ndc and not fields.get("ndc"):
        fields["ndc"] = item.ndc
    charge = charge_for(item, fields["code"], fields.get("units", 1), fields.get("drug_mg"))
    return ChargeLine(visit=visit, unit_price_usd=item.price_usd if item else None, charge_usd=charge or Decimal("0"),
                      **fields)


def propose_for_session(ctx: Context, session: TreatmentSession, data: dict | None = None) -> BillableVisit:
    """Propose (or, for a visit still under review, propose again) the lines of a discharged session."""
    require(ctx.user, "billing.code")
    data = data or {}
    require_own_clinic(ctx.user, session.organization_id, "session")
    if session.status != SessionStatus.DISCHARGED:
        raise Conflict("Only a completed (discharged) session is coded.")
    inputs = _proposal_inputs(session, data)
    service_date = local_date(session)
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().select_related("patient", "location").get(pk=session.pk)
        visit = BillableVisit.objects.select_for_update().filter(session=locked).first()
        return _write_proposal(ctx, visit, locked.patient, service_date, inputs,
                               lambda payer: facts_for(locked, payer, inputs),
                               {"session": locked, "rendering_provider": locked.ordered_by}, str(locked.public_id))


def propose_for_evaluation(ctx: Context, evaluation, data: dict | None = None) -> BillableVisit:
    """A completed intake evaluation: 90792 when a prescriber did it (with medical services), else 90791."""
    require(ctx.user, "billing.code")
    data = data or {}
    if evaluation.status != IntakeEvaluation.Status.COMPLETED or evaluation.completed_by_id is None:
        raise Conflict("Only a completed evaluation is coded.")
    e = Errors()
    inputs = {"clinician_minutes": None, "separate_em": False, "established": False,
              "psychotherapy_minutes": e.minutes(data, "psychotherapy_minutes")}
    e.raise_if_any()
    tz = evaluation.patient.home_location.tz if evaluation.patient.home_location_id else None
    service_date = timezone.localtime(evaluation.completed_at, tz).date()
    medical = Role.PRESCRIBER in evaluation.completed_by.role_set
    with transaction.atomic():
        locked = IntakeEvaluation.objects.select_for_update(of=("self",)).select_related("patient", "completed_by").get(
            pk=evaluation.pk)
        visit = BillableVisit.objects.select_for_update().filter(evaluation=locked).first()
        return _write_proposal(ctx, visit, locked.patient, service_date, inputs,
                               lambda payer: VisitFacts(payer=payer, established_patient=False,
                                                        evaluation="with_medical" if medical else "without_medical",
                                                        psychotherapy_minutes=inputs["psychotherapy_minutes"]),
                               {"evaluation": locked, "rendering_provider": locked.completed_by}, str(locked.public_id))


def _write_proposal(ctx, visit, patient, service_date, inputs, facts_of, owner: dict, source_id: str) -> BillableVisit:
    """Create the visit (or renew a draft's lines) from the rules' proposal; inside the caller's transaction."""
    if visit is not None and visit.is_final:
        raise Conflict("This visit is finalized; its lines no longer change.")
    coverage = coverage_on(patient, service_date)
    payer = Payer(coverage.kind) if coverage else Payer.SELF_PAY
    proposal = propose(facts_of(payer))
    notes = list(proposal.notes)
    source = inputs.get("psychotherapy_source")
    if source and source["override_reason"]:
        notes.append(f"Psychotherapy minutes entered by the biller ({inputs['psychotherapy_minutes']}; the signed notes "
                     f"document {'none' if source['documented_minutes'] is None else source['documented_minutes']}): {source['override_reason']}")
    elif source and source["notes"]:
        notes.append(f"Psychotherapy minutes ({inputs['psychotherapy_minutes']}) from {len(source['notes'])} signed note(s).")
    if coverage is None:
        notes.insert(0, "No coverage recorded for this date: coded as self-pay.")
    diagnoses = _diagnoses(patient)
    if not diagnoses:
        notes.append("The chart has no active diagnosis: add one (ICD-10-CM) before finalizing.")
    fields = dict(service_date=service_date, place_of_service="11", payer=payer.value, coverage=coverage,
                  established_patient=inputs["established"], clinician_minutes=inputs["clinician_minutes"],
                  psychotherapy_minutes=inputs["psychotherapy_minutes"], diagnosis_codes=diagnoses, notes=notes)
    if visit is None:
        visit = BillableVisit.objects.create(organization_id=patient.organization_id, patient=patient,
                                             created_by=ctx.user, **owner, **fields)
    else:
        for k, v in fields.items():
            setattr(visit, k, v)
        visit.version += 1
        visit.save()
        for line in visit.lines.filter(status=ChargeLine.Status.ACTIVE):
            line.status, line.reason = ChargeLine.Status.REMOVED, "Proposed again"
            line.save(update_fields=["status", "reason"])
    schedule = schedule_on(visit.organization_id, service_date)
    start = (visit.lines.aggregate(p=Max("position"))["p"] or 0) + 1
    ChargeLine.objects.bulk_create([
        _priced_line(visit, schedule, position=start + i, code=ln.code, units=ln.units, modifiers=",".join(ln.modifiers),
                     drug_mg=ln.drug_mg, diagnosis_pointers="A" if diagnoses else "", rule=ln.rule[:300],
                     sources=list(ln.sources), created_by=ctx.user)
        for i, ln in enumerate(proposal.lines)])
    audit(ctx, Action.BILLING_VISIT_PROPOSE, visit, patient=patient,
          detail={"source": source_id, "codes": proposal.codes, "payer": payer.value,
                  **({"psychotherapy": source} if source else {})})
    return visit


def _lock_draft(visit: BillableVisit, expected_version) -> BillableVisit:
    locked = BillableVisit.objects.select_for_update().get(pk=visit.pk)
    if locked.is_final:
        raise Conflict("This visit is finalized; its lines no longer change.")
    if expected_version is not None and int(expected_version) != locked.version:
        raise Conflict(f"This visit was changed by someone else (now version {locked.version}); reload and try again.",
                       {"version": [f"Current version is {locked.version}."]})
    return locked


def _clean_code(data: dict, e: Errors) -> str:
    code = e.text(data, "code", 8, required=True, label="The code").upper()
    if code and not CODE_RE.match(code):
        e.add("code", "Enter a CPT or HCPCS code (five characters, e.g. 96365).")
    return code


def _clean_units(data: dict, e: Errors, code: str, definition) -> int | None:
    units = e.units(data, "units", default=1, fraction_message="This code is billed in whole units.")
    if definition and definition.max_units and units and units > definition.max_units:
        e.add("units", f"{code} allows at most {definition.max_units} units a day.")
    return units


def _parse_drug_mg(data: dict, e: Errors) -> Decimal | None:
    if data.get("drug_mg") in (None, ""):
        return None
    try:
        drug_mg = Decimal(str(data["drug_mg"]).strip())
        if not drug_mg.is_finite() or drug_mg <= 0 or drug_mg != drug_mg.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        e.add("drug_mg", "Enter the mg given (more than 0, at most 2 decimals).")
        return None
    return drug_mg


def _clean_drug_mg(data: dict, e: Errors, code: str, definition) -> Decimal | None:
    drug_mg = _parse_drug_mg(data, e)
    if definition and definition.per_mg and code != "J0013" and drug_mg is None and "drug_mg" not in e.errors:
        e.add("drug_mg", f"{code} needs the mg given.")
    return drug_mg


def _clean_modifiers(data: dict, e: Errors) -> list[str]:
    modifiers = [m.strip().upper() for m in str(data.get("modifiers") or "").replace(" ", ",").split(",") if m.strip()]
    if len(modifiers) > 4 or any(not re.fullmatch(r"[0-9A-Z]{2}", m) for m in modifiers):
        e.add("modifiers", "Up to 4 modifiers of two characters each, e.g. 25.")
    return modifiers


def _clean_pointers(visit: BillableVisit, data: dict, e: Errors) -> str:
    pointers = e.text(data, "diagnosis_pointers", 4, required=True, label="A diagnosis pointer").upper()
    for p in pointers:
        index = POINTERS.find(p)
        if index < 0 or index >= len(visit.diagnosis_codes):
            e.add("diagnosis_pointers", f"{p} points to no diagnosis of this patient (the visit lists "
                  f"{', '.join(f'{POINTERS[i]} = {c}' for i, c in enumerate(visit.diagnosis_codes)) or 'none'}).")
    if len(set(pointers)) != len(pointers):
        e.add("diagnosis_pointers", "Each pointer once.")
    return pointers


def _clean_ndc(data: dict, e: Errors) -> str:
    ndc = e.text(data, "ndc", 13).replace("-", "")
    if ndc and not re.fullmatch(r"\d{11}", ndc):
        e.add("ndc", "The NDC has 11 digits.")
    return ndc


def _clean_line(visit: BillableVisit, data: dict, e: Errors) -> dict:
    code = _clean_code(data, e)
    definition = CODES.get(code)
    units = _clean_units(data, e, code, definition)
    drug_mg = _clean_drug_mg(data, e, code, definition)
    modifiers = _clean_modifiers(data, e)
    pointers = _clean_pointers(visit, data, e)
    ndc = _clean_ndc(data, e)
    return {"code": code, "units": units, "drug_mg": drug_mg, "modifiers": ",".join(modifiers),
            "diagnosis_pointers": pointers, "ndc": ndc}


def _reason(data: dict, e: Errors) -> str:
    return e.text(data, "reason", 300, required=True, label="A reason")


def _line_input(ctx: Context, data: dict, visit: BillableVisit | None = None) -> tuple[int, dict, str]:
    """A biller's line change: permission, the expected visit version, the line's fields (when ``visit``
    is given) and the reason, with every field error reported at once."""
    require(ctx.user, "billing.code")
    version = required_version(data.get("version"))
    e = Errors()
    cleaned = _clean_line(visit, data, e) if visit is not None else {}
    reason = _reason(data, e)
    e.raise_if_any()
    return version, cleaned, reason


def _lock_active_line(line: ChargeLine) -> ChargeLine:
    """The line, locked; a line already replaced or removed by someone else is a conflict."""
    locked = ChargeLine.objects.select_for_update().get(pk=line.pk)
    if locked.status != ChargeLine.Status.ACTIVE:
        raise Conflict("This line was already changed; reload and try again.")
    return locked


def edit_line(ctx: Context, line: ChargeLine, data: dict) -> ChargeLine:
    """Replace a line with an edited one; the old line stays, marked replaced."""
    version, cleaned, reason = _line_input(ctx, data, line.visit)
    with transaction.atomic():
        visit = _lock_draft(line.visit, version)
        old = _lock_active_line(line)
        old.status = ChargeLine.Status.REPLACED
        old.save(update_fields=["status"])
        new = _priced_line(visit, schedule_on(visit.organization_id, visit.service_date), position=old.position,
                           replaces=old, reason=reason, rule=old.rule, sources=old.sources, created_by=ctx.user, **cleaned)
        new.save()
        _bump(visit)
        audit(ctx, Action.BILLING_LINE_EDIT, new, patient=visit.patient,
              detail={"visit": str(visit.public_id), "from": _line_text(old), "to": _line_text(new), "reason": reason})
    return new


def add_line(ctx: Context, visit: BillableVisit, data: dict) -> ChargeLine:
    version, cleaned, reason = _line_input(ctx, data, visit)
    with transaction.atomic():
        locked = _lock_draft(visit, version)
        position = (locked.lines.aggregate(p=Max("position"))["p"] or 0) + 1
        line = _priced_line(locked, schedule_on(locked.organization_id, locked.service_date), position=position,
                            reason=reason, rule="Entered by the biller.", created_by=ctx.user, **cleaned)
        line.save()
        _bump(locked)
        audit(ctx, Action.BILLING_LINE_ADD, line, patient=locked.patient,
              detail={"visit": str(locked.public_id), "line": _line_text(line), "reason": reason})
    return line


def remove_line(ctx: Context, line: ChargeLine, data: dict) -> ChargeLine:
    version, _, reason = _line_input(ctx, data)
    with transaction.atomic():
        visit = _lock_draft(line.visit, version)
        locked = _lock_active_line(line)
        locked.status, locked.reason = ChargeLine.Status.REMOVED, reason
        locked.save(update_fields=["status", "reason"])
        _bump(visit)
        audit(ctx, Action.BILLING_LINE_REMOVE, locked, patient=visit.patient,
              detail={"visit": str(visit.public_id), "line": _line_text(locked), "reason": reason})
    return locked


def finalize_visit(ctx: Context, visit: BillableVisit, data: dict | None = None) -> BillableVisit:
    require(ctx.user, "billing.code")
    data = data or {}
    version = required_version(data.get("version"))
    with transaction.atomic():
        locked = _lock_draft(visit, version)
        lines = list(locked.active_lines())
        problems = []
        if not lines:
            problems.append("The visit has no lines.")
        if not locked.diagnosis_codes:
            problems.append("The visit has no diagnosis: add one to the chart, then propose again.")
        if locked.place_of_service not in PLACES_OF_SERVICE:
            problems.append("Set a place of service.")
        for ln in lines:
            if ln.unit_price_usd is None:
                problems.append(f"{ln.code} has no price in the fee schedule in effect on {locked.service_date}.")
            if not ln.diagnosis_pointers:
                problems.append(f"{ln.code} points to no diagnosis.")
        if problems:
            raise ValidationFailed({"lines": problems}, "The visit cannot be finalized yet.")
        locked.status, locked.finalized_by, locked.finalized_at = VisitStatus.FINALIZED, ctx.user, timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "finalized_by", "finalized_at", "version"])
        audit(ctx, Action.BILLING_VISIT_FINALIZE, locked, patient=locked.patient,
              detail={"lines": [_line_text(ln) for ln in lines], "total_usd": str(sum(ln.charge_usd for ln in lines))})
    return locked


def _bump(visit: BillableVisit) -> None:
    visit.version += 1
    visit.save(update_fields=["version"])


def _line_text(line: ChargeLine) -> str:
    mods = f"-{line.modifiers}" if line.modifiers else ""
    mg = f" {line.drug_mg} mg" if line.drug_mg is not None else ""
    return f"{line.code}{mods} x{line.units}{mg} [{line.diagnosis_pointers}] ${line.charge_usd}"
