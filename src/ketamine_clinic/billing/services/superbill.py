"""A superbill's content (shared/PRACTICE.md s.2.3) for one visit or for a patient's period."""

import datetime as dt
from decimal import Decimal

from ketamine_clinic.core.errors import ValidationFailed

from ..models import BillableVisit, VisitStatus
from .coding import POINTERS
from .invoices import paid_of
from .reads import require_money
from .setup import current_practice_profile, current_provider_numbers


def superbill_content(ctx, patient, visits: list[BillableVisit], period: str) -> dict:
    require_money(ctx.user)
    return build(patient, visits, period)


def _merged_diagnoses(visits: list[BillableVisit]) -> list[str]:
    """Every visit's diagnoses once, in first-seen order, capped at the form's 12."""
    diagnoses: list[str] = []
    for v in visits:
        for code in v.diagnosis_codes:
            if code not in diagnoses:
                diagnoses.append(code)
    return diagnoses[:12]


def _line_entry(v: BillableVisit, ln, diagnoses: list[str]) -> dict:
    # Pointers re-letter into the superbill's own diagnosis list.
    pointers = "".join(POINTERS[diagnoses.index(v.diagnosis_codes[POINTERS.index(p)])] for p in ln.diagnosis_pointers)
    return {"date": v.service_date.isoformat(), "pos": v.place_of_service, "code": ln.code,
            "modifiers": ln.modifiers, "units": ln.units, "ndc": ln.ndc, "pointers": pointers,
            "drug_mg": str(ln.drug_mg) if ln.drug_mg is not None else "",
            "charge_usd": str(ln.charge_usd), "provider": v.rendering_provider.name}


def _paid_for(v: BillableVisit) -> Decimal:
    invoice = getattr(v, "invoice", None) if hasattr(v, "invoice") else None
    return paid_of(invoice) if invoice is not None else Decimal("0.00")


def _collect_lines(visits: list[BillableVisit], diagnoses: list[str], problems: list[str]):
    """Lines, providers, total and paid over the visits; a provider without numbers adds a problem."""
    lines, providers, total, paid = [], {}, Decimal("0.00"), Decimal("0.00")
    for v in visits:
        numbers = current_provider_numbers(v.rendering_provider)
        if numbers is None:
            problems.append(f"Enter {v.rendering_provider.name}'s NPI and licence under Billing setup first.")
            continue
        providers[v.rendering_provider_id] = {"name": v.rendering_provider.name, "npi": numbers.npi,
                                              "license": f"{numbers.license_number} ({numbers.license_state})"}
        for ln in v.active_lines():
            lines.append(_line_entry(v, ln, diagnoses))
            total += ln.charge_usd
        paid += _paid_for(v)
    return lines, providers, total, paid


def _patient_entry(patient, coverage) -> dict:
    address = ", ".join(x for x in (patient.address_line, patient.city, patient.region, patient.postal_code) if x)
    return {"name": f"{patient.given_name} {patient.family_name}", "date_of_birth": patient.date_of_birth.isoformat(),
            "address": address or "—", "member_id": coverage.member_id if coverage and coverage.member_id else "—"}


def build(patient, visits: list[BillableVisit], period: str) -> dict:
    """The content for ``patient`` (the caller has checked the reader may see it: staff or the patient)."""
    visits = [v for v in visits if v.status == VisitStatus.FINALIZED]
    if not visits:
        raise ValidationFailed({"__all__": ["No finalized visit in this period."]})
    practice = current_practice_profile(patient.organization_id)
    problems = [] if practice else ["Enter the practice's name, address and TIN under Billing setup first."]
    diagnoses = _merged_diagnoses(visits)
    lines, providers, total, paid = _collect_lines(visits, diagnoses, problems)
    if problems:
        raise ValidationFailed({"__all__": problems}, "The superbill cannot be made yet.")
    return {
        "period": period,
        "patient": _patient_entry(patient, visits[-1].coverage),
        "practice": {"name": practice.legal_name, "address": practice.address, "phone": practice.phone, "tin": practice.tin,
                     "npi": practice.npi},
        "diagnoses": [(POINTERS[i], c) for i, c in enumerate(diagnoses)],
        "lines": lines, "providers": list(providers.values()),
        "total_usd": str(total), "paid_usd": str(paid), "paid_in_full": total > 0 and paid >= total,
    }


def visits_in_period(patient, start: dt.date, end: dt.date) -> list[BillableVisit]:
    return list(patient.billable_visits.filter(status=VisitStatus.FINALIZED, service_date__gte=start,
                                               service_date__lte=end)
                .select_related("rendering_provider", "coverage").order_by("service_date", "id"))
