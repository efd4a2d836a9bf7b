"""A note as a printable PDF: the patient, the note's type and status, each section, the facts it
was pre-filled from, the signatures and every addendum under the note.

Drawn with reportlab's canvas, uncompressed (so tests read the text back). Text goes in as plain
strings, so markup a user typed is printed as typed, never interpreted.
"""

import io

from django.utils import timezone
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from .models import Note

PAGE_WIDTH_PT, PAGE_HEIGHT_PT = letter
MARGIN_PT = 54
TEXT_WIDTH_PT = PAGE_WIDTH_PT - 2 * MARGIN_PT
LINE_PT = 13
FONT, BOLD, SIZE = "Helvetica", "Helvetica-Bold", 10


class _Writer:
    def __init__(self):
        self.buf = io.BytesIO()
        self.pdf = Canvas(self.buf, pagesize=letter, pageCompression=0)
        self.y = PAGE_HEIGHT_PT - MARGIN_PT

    def line(self, text: str, font: str = FONT, size: int = SIZE, indent: float = 0) -> None:
        for part in simpleSplit(text, font, size, TEXT_WIDTH_PT - indent) or [""]:
            if self.y < MARGIN_PT:
                self.pdf.showPage()
                self.y = PAGE_HEIGHT_PT - MARGIN_PT
            self.pdf.setFont(font, size)
            self.pdf.drawString(MARGIN_PT + indent, self.y, part)
            self.y -= LINE_PT

    def paragraphs(self, text: str, indent: float = 0) -> None:
        for para in (text or "").splitlines() or [""]:
            self.line(para, indent=indent)

    def gap(self) -> None:
        self.y -= LINE_PT / 2

    def done(self) -> bytes:
        self.pdf.save()
        return self.buf.getvalue()


def _when(value, tz) -> str:
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M %Z") if value else "—"


def note_pdf(note: Note, tz=None) -> bytes:
    tz = tz or (note.patient.home_location.tz if getattr(note.patient, "home_location", None) else timezone.get_current_timezone())
    w = _Writer()
    p = note.patient
    w.line(f"{note.title}", BOLD, 14)
    w.line(f"{p.family_name}, {p.given_name} · MRN {p.mrn} · DOB {p.date_of_birth:%Y-%m-%d}")
    w.line(f"LOINC {note.loinc_code} {note.loinc_display} · {note.get_status_display()} · written by {note.author.name}")
    minutes = [f"{label} {value} min" for label, value in (("service", note.service_minutes),
               ("psychotherapy", note.psychotherapy_minutes), ("E/M", note.em_minutes)) if value is not None]
    if minutes:
        w.line("Time: " + ", ".join(minutes))
    w.gap()
    if note.source_facts:
        w.line("From the record", BOLD)
        for fact in note.source_facts:
            w.line(f"{fact['label']}: {fact['value']}", indent=12)
        w.gap()
    for section in note.sections:
        w.line(section["label"], BOLD)
        w.paragraphs(section["text"] or "—", indent=12)
        w.gap()
    w.line(f"Signed {_when(note.signed_at, tz)} by {note.author.name}" if note.signed_at else "Draft: not signed", BOLD)
    if note.cosigner:
        w.line(f"Co-signed {_when(note.cosigned_at, tz)} by {note.cosigner.name}" if note.cosigned_at
               else f"Co-signature by {note.cosigner.name} pending")
    for addendum in note.addenda.select_related("author"):
        w.gap()
        w.line(f"Addendum signed {_when(addendum.signed_at, tz)} by {addendum.author.name}", BOLD)
        w.paragraphs(addendum.text, indent=12)
    return w.done()
