"""Good-faith estimates (45 CFR 149.610) built from a treatment plan: its sessions x the codes a
session generates x the fee schedule, with every required element frozen in the issued version."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound, ValidationFailed, require_own_clinic
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans.models import AppointmentKind, LIVE_STATUSES, TreatmentPlan

from ..models import EstimateDue, GoodFaithEstimate
from ..clinic_policy import billing_policy
from ..rules.codes import CODES, ESKETAMINE_MG_PER_DEVICE
from ..rules.money import GFE_MAX_RECURRING_MONTHS, gfe_due_date
from ..rules.propose import Payer, VisitFacts, propose
from ._common import Errors, audit, flag
from .coding import _diagnoses
from .reads import _get
from .setup import charge_for, current_practice_profile, current_provider_numbers, fee_for, schedule_on

DISCLAIMERS = (
    "There may be additional items or services the provider recommends as part of your care that must be "
    "scheduled or requested separately; they are not included in this estimate.",
    "This is only an estimate: the actual items, services and charges may differ from it.",
    "You have the right to start the patient-provider dispute resolution process if you are billed at least "
    "$400 more than this estimate. {instructions}",
    "Starting the dispute process will not affect the quality of the care you receive.",
)
from ketamine_clinic.patients.services import current_measurement
from ketamine_clinic.plans.plan_protocol import plan_protocol
from ketamine_clinic.accounts.models import User
DEFAULT_SEPARATELY_SCHEDULED = "None expected."


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _expected_facts(plan: TreatmentPlan) -> VisitFacts:
    """What a session of this plan is expected to record: the protocol's infusion length, the dose in mg."""
    rule = plan_protocol(plan).dose_rule
    minutes = rule.infusion_duration_min or (rule.min_infusion_duration_min + 1 if rule.min_infusion_duration_min else None)
    dose = plan.current_dose
    dose_mg = None
    if dose is not None:
        if dose.unit == "devices":
            dose_mg = dose.dose * ESKETAMINE_MG_PER_DEVICE
        elif dose.unit == "mg":
            dose_mg = dose.dose
        elif dose.unit == "mg/kg":
            weight = current_measurement(plan.patient)
            dose_mg = (dose.dose * weight.weight_kg).quantize(Decimal("0.1")) if weight else None
    return VisitFacts(route=plan.route, payer=Payer.SELF_PAY, infusion_minutes=minutes, dose_mg=dose_mg)


def _scheduled_dates(plan: TreatmentPlan) -> list[dt.date]:
    return [timezone.localtime(a.start_at, a.location.tz).date()
            for a in plan.appointments.filter(kind=AppointmentKind.DOSING, status__in=LIVE_STATUSES)
            .select_related("location").order_by("start_at")]


def _extra_items(e: Errors, raw) -> list[dict]:
    items = []
    for i, item in enumerate(raw or []):
        code = str(item.get("code") or "").strip().upper()
        if code not in CODES:
            e.add("extra_items", f"Item {i + 1}: {code or 'the code'} is not in the code list.")
            continue
        sub = Errors()
        units = sub.units(item, "units", default=1)
        quantity = sub.units(item, "quantity", default=1)
        for msgs in sub.errors.values():
            for m in msgs:
                e.add("extra_items", f"Item {i + 1} ({code}): {m}")
        if not sub.errors:
            items.append({"code": code, "units": units, "quantity": quantity, "drug_mg": None})
    return items


def _estimate_plan(ctx: Context, patient: Patient, e: Errors, data: dict) -> TreatmentPlan | None:
    if not data.get("plan"):
        return None
    try:
        return _get(TreatmentPlan.objects.filter(organization_id=ctx.user.organization_id, patient=patient),
                    data["plan"], "plan")
    except NotFound:
        e.add("plan", "No such treatment plan for this patient at this clinic.")
        return None


def _estimate_period(e: Errors, data: dict, plan: TreatmentPlan | None) -> tuple[dt.date, dt.date]:
    start = e.date(data, "period_start", required=False) or (plan.start_date if plan else timezone.localdate())
    end = e.date(data, "period_end", required=False) or (_months_later(start, GFE_MAX_RECURRING_MONTHS) - dt.timedelta(days=1))
    if end < start:
        e.add("period_end", "The end is before the start.")
    elif end >= _months_later(start, GFE_MAX_RECURRING_MONTHS):
        e.add("period_end", "One estimate covers at most 12 months of recurring services.")
    return start, end


def _estimate_provider(ctx: Context, e: Errors, data: dict) -> User | None:
    if not data.get("provider"):
        return None
    try:
        return _get(User.objects.filter(organization_id=ctx.user.organization_id, kind=User.Kind.STAFF),
                    data["provider"], "provider")
    except NotFound:
        e.add("provider", "No such clinician at this clinic.")
        return None


def _setup_problems(practice, numbers, provider: User) -> list[str]:
    problems = []
    if practice is None:
        problems.append("Enter the practice's name, address and TIN under Billing setup first.")
    if numbers is None:
        problems.append(f"Enter {provider.name}'s NPI and licence under Billing setup first.")
    return problems


def _plan_lines(plan: TreatmentPlan | None, sessions: int) -> tuple[list[dict], list[str]]:
    """The codes one expected session generates, each times the plan's session count."""
    if plan is None:
        return [], []
    proposal = propose(_expected_facts(plan))
    lines = [{"code": ln.code, "units": ln.units, "quantity": sessions, "drug_mg": ln.drug_mg} for ln in proposal.lines]
    return lines, list(proposal.notes)


def _price_lines(schedule, lines: list[dict], start: dt.date, diagnoses: list, problems: list[str]) -> list[dict]:
    priced = []
    for ln in lines:
        item = fee_for(schedule, ln["code"])
        each = charge_for(item, ln["code"], ln["units"], ln["drug_mg"])
        if each is None:
            problems.append(f"{ln['code']} has no price in the fee schedule in effect on {start}.")
            continue
        priced.append({"code": ln["code"], "display": CODES[ln["code"]].display, "units": ln["units"],
                       "drug_mg": str(ln["drug_mg"]) if ln["drug_mg"] is not None else "",
                       "quantity": ln["quantity"], "unit_charge_usd": str(each),
                       "expected_charge_usd": str(each * ln["quantity"]), "diagnosis_codes": diagnoses[:4],
                       "ndc": item.ndc})
    return priced


def _provider_entry(ctx: Context, plan: TreatmentPlan | None, provider: User, numbers, practice) -> dict:
    location = plan.location if plan else ctx.user.default_location
    return {"role": "Convening provider", "name": provider.name, "npi": numbers.npi,
            "tin": practice.tin, "practice": practice.legal_name, "address": practice.address,
            "location": location.name if location else "",
            "state": (location.region if location else "") or numbers.license_state}


def _recurring_entry(plan: TreatmentPlan | None, start: dt.date, end: dt.date, frequency: str, sessions: int) -> dict:
    return {"period_start": start.isoformat(), "period_end": end.isoformat(),
            "frequency": frequency or (f"{plan.phase_name}: {sessions} sessions" if plan else ""),
            "total_sessions": sessions}


def _save_estimate(ctx: Context, patient: Patient, plan: TreatmentPlan | None, content: dict, total: Decimal,
                   start: dt.date, end: dt.date) -> GoodFaithEstimate:
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)  # one version number at a time
        version = (GoodFaithEstimate.objects.filter(patient=patient).aggregate(v=Max("version"))["v"] or 0) + 1
        content["version"] = version
        estimate = GoodFaithEstimate.objects.create(organization_id=ctx.user.organization_id, patient=patient, plan=plan,
                                                    version=version, content=content, total_usd=total,
                                                    period_start=start, period_end=end, issued_by=ctx.user)
        EstimateDue.objects.filter(patient=patient, fulfilled_by__isnull=True).update(fulfilled_by=estimate)
        audit(ctx, Action.BILLING_ESTIMATE_ISSUE, estimate, patient=patient,
              detail={"version": version, "total_usd": str(total), "plan": str(plan.public_id) if plan else ""})
    return estimate


def issue_estimate(ctx: Context, patient: Patient, data: dict) -> GoodFaithEstimate:
    """Issue a new version of the patient's estimate from a plan of this clinic (and any extra items)."""
    require(ctx.user, "billing.collect")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    e = Errors()
    plan = _estimate_plan(ctx, patient, e, data)
    extra = _extra_items(e, data.get("extra_items"))
    if plan is None and not extra and "plan" not in e.errors:
        e.add("plan", "Choose the treatment plan the estimate is for (or list the items).")
    start, end = _estimate_period(e, data, plan)
    provider = _estimate_provider(ctx, e, data)
    frequency = e.text(data, "frequency", 200)
    separately = e.text(data, "separately_scheduled", 500) or DEFAULT_SEPARATELY_SCHEDULED
    e.raise_if_any()

    practice = current_practice_profile(ctx.user.organization_id)
    provider = provider or ((plan.activated_by or plan.created_by) if plan else ctx.user)
    numbers = current_provider_numbers(provider)
    problems = _setup_problems(practice, numbers, provider)
    schedule = schedule_on(ctx.user.organization_id, start)
    sessions = plan.session_count if plan else 0
    lines, notes = _plan_lines(plan, sessions)
    diagnoses = _diagnoses(patient)
    priced = _price_lines(schedule, lines + extra, start, diagnoses, problems)
    if problems:
        raise ValidationFailed({"__all__": problems}, "The estimate cannot be issued yet.")
    total = sum((Decimal(p["expected_charge_usd"]) for p in priced), Decimal("0.00"))
    dates = _scheduled_dates(plan) if plan else []
    instructions = billing_policy(ctx.user.organization_id)["dispute_instructions"]
    content = {
        "patient": {"name": f"{patient.given_name} {patient.family_name}", "date_of_birth": patient.date_of_birth.isoformat(),
                    "mrn": patient.mrn},
        "primary_service": {"code": priced[0]["code"], "display": priced[0]["display"],
                            "scheduled_on": (dates[0] if dates else start).isoformat()},
        "lines": priced,
        "diagnosis_codes": diagnoses,
        "providers": [_provider_entry(ctx, plan, provider, numbers, practice)],
        "recurring": _recurring_entry(plan, start, end, frequency, sessions),
        "separately_scheduled": separately,
        "disclaimers": [d.format(instructions=instructions) for d in DISCLAIMERS],
        "notes": notes,
        "total_usd": str(total),
    }
    return _save_estimate(ctx, patient, plan, content, total, start, end)


def record_estimate_due(ctx: Context, patient: Patient, data: dict) -> EstimateDue:
    """An estimate now owed: the patient asked for one, or a service was scheduled (with its date)."""
    require(ctx.user, "billing.collect")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    e = Errors()
    requested = flag(data, "requested")
    asked_on = e.date(data, "asked_on", required=False) or timezone.localdate()
    service_on = e.date(data, "service_on", required=not requested)
    e.raise_if_any()
    due = gfe_due_date(asked_on=asked_on, service_on=service_on, requested=requested)
    if due is None:
        raise ValidationFailed({"service_on": ["Scheduled fewer than 3 business days ahead: no estimate deadline "
                                               "applies (one may still be issued)."]})
    with transaction.atomic():
        row = EstimateDue.objects.create(organization_id=ctx.user.organization_id, patient=patient, requested=requested,
                                         asked_on=asked_on, service_on=service_on, due_on=due, created_by=ctx.user)
        audit(ctx, Action.BILLING_ESTIMATE_DUE, row, patient=patient, detail={"due_on": due.isoformat(), "requested": requested})
    return row
