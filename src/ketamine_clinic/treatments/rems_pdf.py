"""The Spravato REMS Patient Monitoring Form as a printable PDF, laid out like the official form:
a header with the patient and their REMS patient ID, the questions in the form's sections, a
signature line, and no question split across a page break.

Pages are drawn with reportlab's canvas (uncompressed streams, so the text can be read back in
tests). The question wording and order come from the versioned schema in ``clinical.session``.
"""

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ketamine_clinic.clinical import session as cs

# The official form's sections, by the schema's field keys (a key belongs to the first section
# whose prefixes match it). Keys of a future schema that no section names land in "Other".
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Patient information", ("patient_", "first_treatment")),
    ("Concomitant medications", ("concomitant_",)),
    ("Monitoring healthcare provider", ("clinician_",)),
    ("Healthcare setting", ("setting_",)),
    ("Treatment", ("treatment_date", "dose", "lot_numbers")),
    ("Monitoring", ("total_monitoring_min", "ready_without_minimum_min")),
    ("Vital signs", ("vitals_", "bp_")),
    ("Observations and adverse events", ("sedation", "dissociation", "respiratory_", "lowest_spo2", "serious_")),
)

PAGE_WIDTH_PT, PAGE_HEIGHT_PT = letter
MARGIN_PT = 54
TEXT_WIDTH_PT = PAGE_WIDTH_PT - 2 * MARGIN_PT
FOOTER_PT = 40  # room kept at the bottom of every page for the page number


@dataclass(frozen=True)
class Header:
    patient_name: str
    rems_patient_id: str  # "" when the enrollment recorded none
    treatment_date: str
    due_date: str
    schema_version: str


def section_of(key: str) -> str:
    for title, prefixes in SECTIONS:
        if any(key.startswith(p) for p in prefixes):
            return title
    return "Other"


def grouped_rows(schema: cs.RemsFormSchema, values: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(question, answer), ...]), ...] in the form's order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for f in schema.fields:
        value = values.get(f.key, "")
        groups.setdefault(section_of(f.key), []).append((f.label, display_value(value, f.key)))
    order = [title for title, _ in SECTIONS] + ["Other"]
    return [(title, groups[title]) for title in order if title in groups]


class _Pages:
    """A canvas with a cursor that starts a new page when a block would not fit."""

    def __init__(self, title: str):
        self.buf = io.BytesIO()
        self.pdf = Canvas(self.buf, pagesize=letter, pageCompression=0)
        self.pdf.setTitle(title)
        self.page = 1
        self.y = PAGE_HEIGHT_PT - MARGIN_PT

    def ensure_room(self, height_pt: float) -> None:
        if self.y - height_pt < MARGIN_PT + FOOTER_PT:
            self.new_page()

    def new_page(self) -> None:
        self._footer()
        self.pdf.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT_PT - MARGIN_PT

    def text(self, line: str, size: float = 10, bold: bool = False, x: float = MARGIN_PT) -> None:
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.pdf.drawString(x, self.y, line)
        self.y -= size + 4

    def rule(self) -> None:
        self.pdf.line(MARGIN_PT, self.y + 6, PAGE_WIDTH_PT - MARGIN_PT, self.y + 6)
        self.y -= 4

    def _footer(self) -> None:
        self.pdf.setFont("Helvetica", 8)
        self.pdf.drawString(MARGIN_PT, MARGIN_PT - 20, f"Spravato REMS Patient Monitoring Form · page {self.page}")

    def finish(self) -> bytes:
        self._footer()
        self.pdf.showPage()
        self.pdf.save()
        return self.buf.getvalue()


QUESTION_WIDTH_PT = 300  # the question on the left, its answer beside it on the right
ANSWER_X_PT = MARGIN_PT + QUESTION_WIDTH_PT + 12
LINE_PT = 12

# Stored values in the words a reader expects on the printed form.
DISPLAY = {"yes": "Yes", "no": "No", "female": "Female", "male": "Male", "other": "Other"}


def display_value(value, key: str = "") -> str:
    text = "" if value is None else str(value)
    if key == "dose" and text.isdigit():
        return f"{text} mg"
    return DISPLAY.get(text, text)


def _wrapped(text: str, size: float, bold: bool, width_pt: float = TEXT_WIDTH_PT) -> list[str]:
    font = "Helvetica-Bold" if bold else "Helvetica"
    return simpleSplit(text, font, size, width_pt) or [""]


def _question_block(question: str, answer: str) -> tuple[list[str], list[str], float]:
    q_lines = _wrapped(question, 9, True, QUESTION_WIDTH_PT)
    a_lines = _wrapped(answer or "(not recorded)", 10, False, PAGE_WIDTH_PT - MARGIN_PT - ANSWER_X_PT)
    return q_lines, a_lines, max(len(q_lines), len(a_lines)) * LINE_PT + 5


def _draw_question(pages: "_Pages", q_lines: list[str], a_lines: list[str], height_pt: float) -> None:
    top = pages.y
    pdf = pages.pdf
    pdf.setFont("Helvetica-Bold", 9)
    for i, line in enumerate(q_lines):
        pdf.drawString(MARGIN_PT, top - i * LINE_PT, line)
    pdf.setFont("Helvetica", 10)
    for i, line in enumerate(a_lines):
        pdf.drawString(ANSWER_X_PT, top - i * LINE_PT, line)
    pages.y = top - height_pt


def render(header: Header, sections, *, not_recorded: list[str], checks: list[str], submitted: str | None) -> bytes:
    pages = _Pages("Spravato REMS Patient Monitoring Form")
    pages.text("Spravato REMS Patient Monitoring Form", 15, True)
    pages.text(f"Patient: {header.patient_name} · REMS patient ID: {header.rems_patient_id or '(not recorded)'}", 10)
    pages.text(f"Treatment date {header.treatment_date} · due by {header.due_date} "
               f"(within {cs.rems_form.REMS_FORM_DUE_DAYS} days) · form version {header.schema_version}", 9)
    pages.y -= 6
    for title, rows in sections:
        first_q, first_a, first_h = _question_block(*rows[0])
        pages.ensure_room(22 + first_h)  # a section heading never stands alone at a page's foot
        pages.y -= 4
        pages.text(title, 11, True)
        pages.rule()
        for question, answer in rows:
            q_lines, a_lines, height = _question_block(question, answer)
            pages.ensure_room(height)  # a question and its answer stay on one page
            _draw_question(pages, q_lines, a_lines, height)
    if not_recorded:
        lines = _wrapped("Not yet recorded (required): " + "; ".join(not_recorded), 9, True)
        pages.ensure_room(len(lines) * 13 + 8)
        pages.y -= 4
        for line in lines:
            pages.text(line, 9, True)
    for check in checks:
        lines = _wrapped(f"Check: {check}", 9, False)
        pages.ensure_room(len(lines) * 13)
        for line in lines:
            pages.text(line, 9)
    pages.ensure_room(40)
    pages.y -= 18
    pages.text("Signature of the monitoring healthcare provider: ______________________________   "
               "Date: ______________", 10)
    if submitted:
        pages.text(submitted, 9)
    return pages.finish()
