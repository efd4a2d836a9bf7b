"""The practice's billing identity, providers' numbers and the fee schedule: each save is a new version."""

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from ketamine_clinic.accounts.models import Organization, User
from ketamine_clinic.accounts.permissions import Role, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context

from ..models import FeeItem, FeeSchedule, PracticeProfile, ProviderNumbers
from ..rules.codes import CODES, MODIFIERS
from ._common import Errors, audit
from .reads import _get

CODE_RE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")  # CPT / HCPCS level II: five characters


def _lock_org(ctx: Context) -> Organization:
    """Serializes version numbers of one clinic's rows (two saves at once never share a version)."""
    return Organization.objects.select_for_update().get(pk=ctx.user.organization_id)


def current_practice_profile(organization_id) -> PracticeProfile | None:
    return PracticeProfile.objects.filter(organization_id=organization_id).order_by("-version").first()


def current_provider_numbers(provider) -> ProviderNumbers | None:
    return ProviderNumbers.objects.filter(provider=provider).order_by("-version").first()


def save_practice_profile(ctx: Context, data: dict) -> PracticeProfile:
    require(ctx.user, "billing.setup")
    e = Errors()
    legal_name = e.text(data, "legal_name", 200, required=True, label="The practice's name")
    tin = e.digits(data, "tin", 9, label="The TIN")
    npi = e.digits(data, "npi", 10, required=False)
    address = e.text(data, "address", 300, required=True, label="The address")
    phone = e.text(data, "phone", 40, required=True, label="The phone number")
    reason = e.text(data, "reason", 300) or "Billing identity"
    e.raise_if_any()
    with transaction.atomic():
        _lock_org(ctx)
        version = (PracticeProfile.objects.filter(organization_id=ctx.user.organization_id)
                   .aggregate(v=Max("version"))["v"] or 0) + 1
        row = PracticeProfile.objects.create(organization_id=ctx.user.organization_id, version=version,
                                             legal_name=legal_name, tin=tin, npi=npi, address=address, phone=phone,
                                             reason=reason, created_by=ctx.user)
        audit(ctx, Action.BILLING_PRACTICE_PROFILE, row, detail={"version": version})
    return row


def save_provider_numbers(ctx: Context, provider_id, data: dict) -> ProviderNumbers:
    require(ctx.user, "billing.setup")
    provider = _get(User.objects.filter(organization_id=ctx.user.organization_id, kind=User.Kind.STAFF), provider_id,
                    "staff member")
    e = Errors()
    if not provider.role_set & {Role.PRESCRIBER, Role.NURSE, Role.THERAPIST}:
        e.add("provider", "Only clinicians render billable services.")
    npi = e.digits(data, "npi", 10, label="The NPI")
    license_number = e.text(data, "license_number", 40, required=True, label="The licence number")
    license_state = e.text(data, "license_state", 2, required=True, label="The licence state").upper()
    if license_state and not re.fullmatch(r"[A-Z]{2}", license_state):
        e.add("license_state", "Enter the two-letter state code.")
    e.raise_if_any()
    with transaction.atomic():
        _lock_org(ctx)
        version = (ProviderNumbers.objects.filter(provider=provider).aggregate(v=Max("version"))["v"] or 0) + 1
        row = ProviderNumbers.objects.create(organization_id=ctx.user.organization_id, provider=provider, version=version,
                                             npi=npi, license_number=license_number, license_state=license_state,
                                             created_by=ctx.user)
        audit(ctx, Action.BILLING_PROVIDER_NUMBERS, row, detail={"provider": provider.username, "version": version})
    return row


def parse_fee_lines(text: str) -> tuple[list[dict], list[str]]:
    """Fee lines typed one per line: ``CODE[-MODIFIER] PRICE [NDC]`` (e.g. ``99215-25 250.00``)."""
    items, problems = [], []
    for n, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) not in (2, 3):
            problems.append(f"Line {n}: write CODE PRICE [NDC], e.g. 96365 450.00.")
            continue
        code, _, modifier = parts[0].upper().partition("-")
        items.append({"code": code, "modifier": modifier, "price_usd": parts[1], "ndc": parts[2] if len(parts) == 3 else "",
                      "line": n})
    return items, problems


def _fee_items_input(e: Errors, data: dict) -> tuple[list | None, str]:
    """The items as given, or parsed from ``lines``; and the field their errors go under."""
    items = data.get("items")
    if items is None:
        items, problems = parse_fee_lines(str(data.get("lines") or ""))
        for p in problems:
            e.add("lines", p)
    return items, "lines" if data.get("items") is None else "items"


def _fee_code_problem(code: str, modifier: str, where: str) -> str | None:
    if not CODE_RE.match(code):
        return f"{where}: {code or 'the code'} is not a CPT/HCPCS code (five characters)."
    if modifier and not re.fullmatch(r"[0-9A-Z]{2}", modifier):
        return f"{where}: a modifier is two characters."
    return None


def _fee_ndc_problems(code: str, ndc: str) -> list[str]:
    problems = []
    if ndc and not re.fullmatch(r"\d{11}", ndc):
        problems.append("the NDC has 11 digits.")
    if CODES.get(code) and CODES[code].needs_ndc and not ndc:
        problems.append("give the product's 11-digit NDC (the claim needs it).")
    return problems


def _clean_fee_item(e: Errors, field: str, i: int, item: dict, seen: set) -> FeeItem | None:
    """One price, its errors added under ``field``; None when it is not usable."""
    where = f"Line {item.get('line', i + 1)}"
    code = str(item.get("code") or "").strip().upper()
    modifier = str(item.get("modifier") or "").strip().upper()
    problem = _fee_code_problem(code, modifier, where)
    if problem:
        e.add(field, problem)
        return None
    sub = Errors()
    price = sub.money(item, "price_usd")
    for msg in sub.errors.get("price_usd", []):
        e.add(field, f"{where} ({code}): {msg}")
    ndc = str(item.get("ndc") or "").replace("-", "").strip()
    for msg in _fee_ndc_problems(code, ndc):
        e.add(field, f"{where} ({code}): {msg}")
    if (code, modifier) in seen:
        e.add(field, f"{where}: {code} {modifier} is listed twice.")
    seen.add((code, modifier))
    return FeeItem(code=code, modifier=modifier, price_usd=price, ndc=ndc) if price is not None else None


def _create_fee_schedule(ctx: Context, effective_from: dt.date, reason: str, cleaned: list[FeeItem]) -> FeeSchedule:
    with transaction.atomic():
        _lock_org(ctx)
        version = (FeeSchedule.objects.filter(organization_id=ctx.user.organization_id)
                   .aggregate(v=Max("version"))["v"] or 0) + 1
        schedule = FeeSchedule.objects.create(organization_id=ctx.user.organization_id, version=version,
                                              effective_from=effective_from, reason=reason, created_by=ctx.user)
        for item in cleaned:
            item.schedule = schedule
        FeeItem.objects.bulk_create(cleaned)
        audit(ctx, Action.BILLING_FEE_SCHEDULE, schedule, detail={"version": version, "items": len(cleaned)})
    return schedule


def save_fee_schedule(ctx: Context, data: dict) -> FeeSchedule:
    """A new version of the clinic's prices: ``items`` = [{code, modifier, price_usd, ndc}], or ``lines`` as text."""
    require(ctx.user, "billing.setup")
    e = Errors()
    effective_from = e.date(data, "effective_from")
    reason = e.text(data, "reason", 300, required=True, label="A reason")
    items, field = _fee_items_input(e, data)
    seen: set = set()
    cleaned = [fee for fee in (_clean_fee_item(e, field, i, item, seen) for i, item in enumerate(items or []))
               if fee is not None]
    if not items and field not in e.errors:
        e.add(field, "List at least one price.")
    e.raise_if_any()
    return _create_fee_schedule(ctx, effective_from, reason, cleaned)


def schedule_on(organization_id, day: dt.date) -> FeeSchedule | None:
    """The newest version in effect on ``day``."""
    return (FeeSchedule.objects.filter(organization_id=organization_id, effective_from__lte=day)
            .order_by("-effective_from", "-version").first())


def fee_for(schedule: FeeSchedule | None, code: str, modifiers: list[str] | tuple = ()) -> FeeItem | None:
    """The price of ``code`` with its first priced modifier, else without a modifier."""
    if schedule is None:
        return None
    items = {(i.code, i.modifier): i for i in schedule.items.filter(code=code)}
    for m in modifiers:
        if (code, m) in items:
            return items[(code, m)]
    return items.get((code, ""))


def charge_for(item: FeeItem | None, code: str, units: int, drug_mg: Decimal | None) -> Decimal | None:
    """Price x units; per-mg drug codes priced per mg given (J3490's one line carries the mg)."""
    if item is None:
        return None
    definition = CODES.get(code)
    if definition and definition.per_mg and code != "J0013":
        if drug_mg is None:
            return None
        return (item.price_usd * drug_mg).quantize(Decimal("0.01"))
    return (item.price_usd * units).quantize(Decimal("0.01"))


KNOWN_MODIFIERS = set(MODIFIERS)
