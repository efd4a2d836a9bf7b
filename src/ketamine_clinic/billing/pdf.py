"""Good-faith estimates and superbills as PDFs (reportlab canvas, uncompressed so tests read the text).

Both are drawn from frozen data (an issued estimate's content; a superbill's dict built by
``services.superbill``), so a reprint years later shows exactly what was issued.
"""

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH_PT, PAGE_HEIGHT_PT = letter
MARGIN_PT = 54
TEXT_WIDTH_PT = PAGE_WIDTH_PT - 2 * MARGIN_PT
LINE_PT = 13


class Writer:
    """Lines of text down the page, wrapped, with a new page when the page is full."""

    def __init__(self, title: str):
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=letter, pageCompression=0)
        self.canvas.setTitle(title)
        self.page = 1
        self.y = PAGE_HEIGHT_PT - MARGIN_PT

    def _room(self, needed_pt: float) -> None:
        if self.y - needed_pt < MARGIN_PT + 20:
            self._footer()
            self.canvas.showPage()
            self.page += 1
            self.y = PAGE_HEIGHT_PT - MARGIN_PT

    def _footer(self) -> None:
        self.canvas.setFont("Helvetica", 8)
        self.canvas.drawString(MARGIN_PT, MARGIN_PT - 20, f"Page {self.page}")

    def text(self, text: str, *, size: int = 10, bold: bool = False, indent: float = 0) -> None:
        font = "Helvetica-Bold" if bold else "Helvetica"
        for part in simpleSplit(str(text), font, size, TEXT_WIDTH_PT - indent) or [""]:
            self._room(LINE_PT)
            self.canvas.setFont(font, size)
            self.canvas.drawString(MARGIN_PT + indent, self.y, part)
            self.y -= size + 3

    def gap(self, pt: float = 6) -> None:
        self.y -= pt

    def title(self, title: str, subtitle: str, *, size: int) -> None:
        """The document's bold title, a small line under it, then a gap."""
        self.text(title, size=size, bold=True)
        self.text(subtitle, size=9)
        self.gap()

    def titled(self, heading: str, line: str) -> None:
        """A bold heading and its one line of text."""
        self.text(heading, bold=True)
        self.text(line)

    def section(self, heading: str, lines, *, size: int = 10) -> None:
        """A bold heading over its lines (indented), then a gap."""
        self.text(heading, bold=True)
        for line in lines:
            self.text(line, size=size, indent=8)
        self.gap()

    def finish(self) -> bytes:
        self._footer()
        self.canvas.save()
        return self.buffer.getvalue()


def estimate_pdf(content: dict, issued_on: str) -> bytes:
    w = Writer("Good Faith Estimate")
    w.title("Good Faith Estimate", f"Version {content.get('version', '')}, issued {issued_on} (45 CFR 149.610)", size=16)
    p = content["patient"]
    w.titled("Patient", f"{p['name']}   Date of birth: {p['date_of_birth']}   MRN: {p['mrn']}")
    w.gap()
    prim = content["primary_service"]
    w.titled("Primary service", f"{prim['code']} {prim['display']}, scheduled {prim['scheduled_on']}")
    rec = content["recurring"]
    w.text(f"Recurring services from {rec['period_start']} to {rec['period_end']}: {rec['frequency']} "
           f"(total sessions: {rec['total_sessions']})")
    w.gap()
    w.text("Diagnosis codes (ICD-10-CM): " + (", ".join(content["diagnosis_codes"]) or "none recorded"), bold=True)
    w.gap()
    w.text("Items and services expected", bold=True)
    for ln in content["lines"]:
        mg = f", {ln['drug_mg']} mg" if ln.get("drug_mg") else ""
        w.text(f"{ln['code']}  {ln['display']}  units {ln['units']}{mg}  x {ln['quantity']}  at ${ln['unit_charge_usd']}"
               f"  = ${ln['expected_charge_usd']}   diagnosis: {', '.join(ln['diagnosis_codes'])}", indent=8)
    w.text(f"Total expected charges: ${content['total_usd']}", bold=True)
    w.gap()
    w.section("Providers and facilities", (f"{prov['role']}: {prov['name']}, NPI {prov['npi']}; {prov['practice']}, "
                                           f"TIN {prov['tin']}; {prov['address']} ({prov['location']}, {prov['state']})"
                                           for prov in content["providers"]))
    w.section("Items or services to be scheduled separately", [content["separately_scheduled"]])
    w.section("Disclaimers", ("- " + d for d in content["disclaimers"]), size=9)
    return w.finish()


def superbill_pdf(bill: dict) -> bytes:
    w = Writer("Superbill")
    w.title("Superbill (statement for insurance reimbursement; not a claim)", f"Period: {bill['period']}", size=14)
    p = bill["patient"]
    w.titled("Patient", f"{p['name']}   Date of birth: {p['date_of_birth']}   Address: {p['address']}   Member ID: {p['member_id']}")
    w.gap()
    pr = bill["practice"]
    w.titled("Practice", f"{pr['name']}, {pr['address']}, phone {pr['phone']}; TIN {pr['tin']}"
             + (f"; organization NPI {pr['npi']}" if pr.get("npi") else ""))
    w.gap()
    w.section("Diagnoses (ICD-10-CM)", (f"{letter_}. {code}" for letter_, code in bill["diagnoses"]))
    w.section("Services", (f"{ln['date']}  POS {ln['pos']}  {ln['code']}{(' -' + ln['modifiers']) if ln['modifiers'] else ''}  "
                           f"units {ln['units']}{(' NDC ' + ln['ndc']) if ln['ndc'] else ''}"
                           f"{(' MG ' + ln['drug_mg']) if ln.get('drug_mg') else ''}"
                           f"  dx {ln['pointers']}  ${ln['charge_usd']}   rendering: {ln['provider']}" for ln in bill["lines"]))
    w.section("Rendering providers", (f"{prov['name']}, NPI {prov['npi']}, licence {prov['license']}" for prov in bill["providers"]))
    w.text(f"Total charged: ${bill['total_usd']}", bold=True)
    w.text(f"Amount paid: ${bill['paid_usd']}" + ("   PAID IN FULL" if bill["paid_in_full"] else ""), bold=True)
    w.gap(24)
    w.text("Provider signature: ______________________________   Date: ____________")
    return w.finish()
