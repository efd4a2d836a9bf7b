"""Controlled-substance reports for one location and period, as CSV and PDF:

- ``log``: the dispensing and administration log with the 21 CFR 1304.22(c) fields;
- ``inventory``: the latest count in the period as an initial/biennial inventory sheet, signed;
- ``form41``: a DEA Form 41 worksheet of stock destroyed or sent to a reverse distributor;
- ``form106``: a DEA Form 106 worksheet of thefts and losses (NDC lines, quantities, value);
- ``containers``: each container's history with its running balance;
- ``balances``: the running balance per product.

Reports are read-only views of the ledger; the PDF is drawn uncompressed so tests read it back.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.core.errors import NotFound, ValidationFailed

from .models import Count, Registration
from .clinic_policy import inventory_policy
from .rules.ledger import LABELS, EventType
from .services import reads

REPORTS = {
    "log": "Dispensing and administration log (21 CFR 1304.22(c))",
    "inventory": "Inventory sheet (initial or biennial, 21 CFR 1304.11)",
    "form41": "DEA Form 41 worksheet: controlled substances destroyed",
    "form106": "DEA Form 106 worksheet: theft or loss",
    "containers": "Per-container history with running balance",
    "balances": "Running balance per product",
}
MAX_PERIOD_DAYS = 366 * 5


@dataclass
class Report:
    key: str
    title: str
    header: list[str]
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    filename: str = ""


def _d(value: Decimal) -> str:
    """A quantity without trailing zeros: 35, 0.7, 12.5."""
    return format(value.normalize(), "f")


def _when(event, tz) -> str:
    return event.occurred_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _registrant(location) -> list[str]:
    reg = Registration.objects.filter(location=location).first()
    address = ", ".join(p for p in (location.address_line, location.city, location.region, location.postal_code) if p)
    return [f"Registrant: {reg.registrant_name if reg else '(no DEA registration recorded)'}",
            f"DEA number: {reg.dea_number if reg else '-'}", f"Location: {location.name}{', ' + address if address else ''}"]


def build_for(user, key: str, *, location_id, start: dt.date, end: dt.date) -> Report:
    require(user, "inventory.report")
    if key not in REPORTS:
        raise NotFound("No such report.")
    location = reads.get_location_for(user, location_id)
    if end < start:
        raise ValidationFailed({"end": ["The end of the period is before its start."]})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed({"end": ["At most 5 years per report."]})
    tz = location.tz
    start_at = dt.datetime.combine(start, dt.time(0), tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tz)
    report = BUILDERS[key](user.organization, location, start_at, end_at, tz)
    retention = inventory_policy(user.organization)["retention_months"]
    report.header = [*_registrant(location), f"Period: {start.isoformat()} to {end.isoformat()} ({location.time_zone})",
                     f"Keep this record at least {retention} months (clinic policy; 21 CFR 1304.04(a): at least 24).", *report.header]
    report.filename = f"cs-{key}-{location.name.lower().replace(' ', '-')}-{start:%Y%m%d}-{end:%Y%m%d}"
    return report


def _product_text(product) -> str:
    return f"{product.name} {_d(product.concentration_mg_per_ml)} mg/mL, {_d(product.container_volume_ml)} mL {product.get_form_display().lower()}"


def _log(org, location, start_at, end_at, tz) -> Report:
    columns = ["Date", "Event", "Substance, form, units per container", "NDC", "Container", "Lot", "Quantity mg", "Quantity mL",
               "Patient", "Patient address", "By", "Witness", "Manner / reason", "Supplier (name, address, DEA)", "Reference"]
    report = Report("log", REPORTS["log"], [], columns)
    events = reads.ledger_events(org, location=location, start=start_at, end=end_at).exclude(event_type=EventType.COUNT) \
        .select_related("container__receipt__supplier", "patient")
    for e in events:
        supplier = e.container.receipt.supplier if e.event_type == EventType.RECEIVE else None
        label = LABELS[EventType(e.event_type)] + (f" of {LABELS[EventType(e.corrects.event_type)].lower()} event" if e.corrects_id else "")
        report.rows.append([
            _when(e, tz), label, _product_text(e.container.product), e.container.product.ndc, e.container.label, e.container.lot_number,
            _d(e.quantity_mg), _d(e.quantity_ml), e.patient_name, e.patient_address, e.actor.name, e.witness.name if e.witness_id else "",
            "; ".join(p for p in (e.method, e.reason) if p),
            f"{supplier.name}, {supplier.address}, {supplier.dea_number}" if supplier else "", e.reference])
    return report


def _inventory(org, location, start_at, end_at, tz) -> Report:
    count = Count.objects.filter(organization=org, location=location, counted_at__gte=start_at, counted_at__lt=end_at).first()
    if count is None:
        raise ValidationFailed({"start": ["No count of this location in the period: record a count first (Inventory, Count)."]})
    when = count.counted_at.astimezone(tz)
    header = [f"{count.get_kind_display()} taken {when:%Y-%m-%d %H:%M} at the {count.get_timing_display().lower()}",
              f"Taken by: {count.counted_by.name}", "Opened Schedule III containers may be an estimated measure (21 CFR 1304.11)."]
    columns = ["Substance", "NDC", "Finished form", "Units per container", "Container", "Lot", "Expiry", "Counted mL", "Counted mg",
               "Estimated", "Expected mL", "Status"]
    report = Report("inventory", REPORTS["inventory"], header, columns,
                    signatures=[f"Taken by: {count.counted_by.name}", "Signature and date:", "Registrant or designee:"])
    for line in count.lines.select_related("container__product"):
        product = line.container.product
        expired = line.container.expiry_date < when.date()
        report.rows.append([product.name, product.ndc, product.get_form_display(), f"{_d(product.container_volume_ml)} mL "
                            f"({_d(product.container_mg)} mg)", line.container.label, line.container.lot_number,
                            line.container.expiry_date.isoformat(), _d(line.counted_ml), _d(line.counted_mg),
                            "yes" if line.estimated else "no", _d(line.expected_ml), "EXPIRED" if expired else "in date"])
    if not report.rows:
        report.rows.append(["No controlled substances on hand (zero inventory)"] + [""] * (len(columns) - 1))
    return report


def _form41(org, location, start_at, end_at, tz) -> Report:
    columns = ["Date", "NDC", "Batch (lot)", "Name", "Strength", "Form", "Package quantity", "Full packages", "Partial package mL",
               "Total destroyed mg", "Method", "Employee", "Witness", "Reference"]
    report = Report("form41", REPORTS["form41"], ["Section C location: " + location.name,
                    "Form 41 is kept as a record; it is filed only if the DEA asks (a reverse distributor completes its own)."], columns,
                    signatures=["Witness 1 (print and sign), under penalty of perjury, 18 U.S.C. 1001:",
                                "Witness 2 (print and sign), under penalty of perjury, 18 U.S.C. 1001:"])
    types = [EventType.DESTROY, EventType.REVERSE_DISTRIBUTOR]
    for e in reads.ledger_events(org, location=location, start=start_at, end=end_at, types=types).filter(correction__isnull=True):
        product = e.container.product
        full = e.quantity_ml == product.container_volume_ml
        method = e.method or ("Reverse distributor" if e.event_type == EventType.REVERSE_DISTRIBUTOR else "")
        report.rows.append([_when(e, tz), product.ndc, e.container.lot_number, product.name, f"{_d(product.concentration_mg_per_ml)} mg/mL",
                            product.get_form_display(), f"{_d(product.container_volume_ml)} mL", "1" if full else "0",
                            "" if full else _d(e.quantity_ml), _d(e.quantity_mg), method, e.actor.name,
                            e.witness.name if e.witness_id else "", e.reference])
    return report


def _form106(org, location, start_at, end_at, tz) -> Report:
    columns = ["Date", "Type", "NDC", "Product", "Container", "Lot", "Quantity mg", "Quantity mL", "Containers (fraction)",
               "Purchase value USD", "Explanation"]
    types = [EventType.THEFT, EventType.LOSS]
    events = list(reads.ledger_events(org, location=location, start=start_at, end=end_at, types=types).filter(correction__isnull=True))
    past = reads.ledger_events(org, location=location, start=end_at - dt.timedelta(days=730), end=end_at, types=types).count()
    total = Decimal(0)
    report = Report("form106", REPORTS["form106"], [f"Thefts or losses at this location in the past 24 months: {past}",
                    "Written notice to the DEA Field Division within 1 business day; Form 106 online within 45 days (21 CFR 1301.76(b))."],
                    columns, signatures=["Prepared by (print and sign):", "Steps taken to prevent a repeat:"])
    for e in events:
        product = e.container.product
        fraction = (e.quantity_mg / product.container_mg).quantize(Decimal("0.0001"))
        value = (fraction * product.unit_cost).quantize(Decimal("0.01")) if product.unit_cost is not None else None
        total += value or 0
        report.rows.append([_when(e, tz), LABELS[EventType(e.event_type)], product.ndc, product.name, e.container.label,
                            e.container.lot_number, _d(e.quantity_mg), _d(e.quantity_ml), _d(fraction),
                            f"{value:.2f}" if value is not None else "(no unit cost)", e.reason])
    report.header.append(f"Total purchase value: {total:.2f} USD")
    return report


def _containers(org, location, start_at, end_at, tz) -> Report:
    columns = ["Container", "Product", "Lot", "Date", "Event", "Change mg", "Change mL", "Balance mg", "Balance mL", "By", "Witness", "Patient"]
    report = Report("containers", REPORTS["containers"], [], columns)
    containers = {e.container for e in reads.ledger_events(org, location=location, start=start_at, end=end_at)}
    for container in sorted(containers, key=lambda c: c.label):
        for line in reads.with_running_balance(reads.ledger_events(org, container=container, end=end_at)):
            e = line.event
            if e.occurred_at < start_at:
                continue  # earlier events count towards the balance but are not listed
            report.rows.append([container.label, container.product.name, container.lot_number, _when(e, tz), LABELS[EventType(e.event_type)],
                                _d(line.change.mg), _d(line.change.ml), _d(line.balance_after.mg), _d(line.balance_after.ml),
                                e.actor.name, e.witness.name if e.witness_id else "", e.patient_name])
    return report


def _balances(org, location, start_at, end_at, tz) -> Report:
    columns = ["Product", "NDC", "Date", "Container", "Event", "Change mg", "Change mL", "Balance mg", "Balance mL"]
    report = Report("balances", REPORTS["balances"], ["Balance of the product at this location after each event."], columns)
    products = {e.container.product for e in reads.ledger_events(org, location=location, end=end_at)}
    for product in sorted(products, key=lambda p: p.name):
        for line in reads.with_running_balance(reads.ledger_events(org, location=location, product=product, end=end_at)):
            e = line.event
            if e.occurred_at < start_at:
                continue
            report.rows.append([product.name, product.ndc, _when(e, tz), e.container.label, LABELS[EventType(e.event_type)],
                                _d(line.change.mg), _d(line.change.ml), _d(line.balance_after.mg), _d(line.balance_after.ml)])
    return report


BUILDERS = {"log": _log, "inventory": _inventory, "form41": _form41, "form106": _form106, "containers": _containers, "balances": _balances}


def render(report: Report, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file name) of the report as "csv" or "pdf"."""
    if fmt == "csv":
        return to_csv(report), "text/csv; charset=utf-8", report.filename + ".csv"
    if fmt == "pdf":
        return to_pdf(report), "application/pdf", report.filename + ".pdf"
    raise ValidationFailed({"format": ["Choose csv or pdf."]})


def to_csv(report: Report) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(report.columns)
    for row in report.rows:
        writer.writerow([_safe_cell(c) for c in row])
    return buf.getvalue().encode("utf-8")


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
        return True
    except ArithmeticError:
        return False


PAGE_W, PAGE_H = landscape(letter)
MARGIN = 36
FONT, FONT_SIZE, LINE = "Helvetica", 6.5, 8


def to_pdf(report: Report) -> bytes:
    buf = io.BytesIO()
    pdf = Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=0)
    pdf.setTitle(report.title)
    widths = _column_widths(report)
    y = _page_top(pdf, report, 1)
    page = 1
    y = _row(pdf, report.columns, widths, y, bold=True)
    for row in report.rows:
        needed = LINE * max(len(simpleSplit(str(c), FONT, FONT_SIZE, w - 4)) or 1 for c, w in zip(row, widths))
        if y - needed < MARGIN + 20:
            pdf.showPage()
            page += 1
            y = _row(pdf, report.columns, widths, _page_top(pdf, report, page), bold=True)
        y = _row(pdf, row, widths, y)
    if not report.rows:
        pdf.setFont(FONT, 9)
        pdf.drawString(MARGIN, y - 12, "No entries in this period.")
        y -= 20
    for line in report.signatures:
        if y < MARGIN + 40:
            pdf.showPage()
            page += 1
            y = _page_top(pdf, report, page)
        pdf.setFont(FONT, 9)
        pdf.drawString(MARGIN, y - 24, line)
        pdf.line(MARGIN + 330, y - 26, PAGE_W - MARGIN, y - 26)
        y -= 30
    pdf.save()
    return buf.getvalue()


def _column_widths(report: Report) -> list[float]:
    weights = [max([len(report.columns[i])] + [min(len(str(r[i])), 40) for r in report.rows[:200]]) + 4 for i in range(len(report.columns))]
    total = sum(weights)
    return [(PAGE_W - 2 * MARGIN) * w / total for w in weights]


def _page_top(pdf, report: Report, page: int) -> float:
    y = PAGE_H - MARGIN
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(MARGIN, y, report.title)
    pdf.setFont(FONT, 8)
    pdf.drawRightString(PAGE_W - MARGIN, y, f"Page {page}")
    y -= 14
    for line in report.header:
        pdf.drawString(MARGIN, y, line)
        y -= 10
    return y - 6


def _row(pdf, cells, widths, y: float, *, bold: bool = False) -> float:
    pdf.setFont("Helvetica-Bold" if bold else FONT, FONT_SIZE)
    x, lowest = MARGIN, y
    for cell, width in zip(cells, widths):
        lines = simpleSplit(str(cell), "Helvetica-Bold" if bold else FONT, FONT_SIZE, width - 4) or [""]
        for i, text in enumerate(lines):
            pdf.drawString(x + 2, y - LINE * (i + 1), text)
        lowest = min(lowest, y - LINE * len(lines))
        x += width
    pdf.line(MARGIN, lowest - 2, PAGE_W - MARGIN, lowest - 2)
    return lowest - 4
