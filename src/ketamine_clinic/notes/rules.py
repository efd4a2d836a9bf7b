"""What a clinical note is, as data: its kinds, who writes each, its LOINC document type and the
sections of the shipped templates. Pure Python (no Django), read by the services and the tests.

The shipped templates are starting points a clinic must review (``needs_review``): their section
lists follow the note elements PRACTICE.md §5.2 collects (Osmind IV note guide; KAP note elements,
getnudgeai.com), not a standard. A clinic saves its own version of any template.
"""

from dataclasses import dataclass
from enum import StrEnum

# LOINC document types (system http://loinc.org). 34117-2 is seen in a Synthea DiagnosticReport; the
# other two follow the US Core clinical-notes guidance (PRACTICE.md §5.3: "from memory, verify").
LOINC = "http://loinc.org"
PROGRESS_NOTE = (LOINC, "11506-3", "Progress note")
CONSULT_NOTE = (LOINC, "11488-4", "Consult note")
HISTORY_AND_PHYSICAL = (LOINC, "34117-2", "History and physical note")


class Discipline(StrEnum):
    """Who writes a kind of note: medical notes (prescribers, nurses), therapy notes (therapists)."""

    MEDICAL = "medical"
    THERAPY = "therapy"


@dataclass(frozen=True)
class NoteKind:
    key: str
    label: str
    disciplines: frozenset[Discipline]
    loinc: tuple[str, str, str]
    sections: tuple[tuple[str, str], ...]  # (key, label) of the shipped template
    therapy_time: bool = False  # the form asks for psychotherapy minutes (kept apart from E/M minutes)


M, T = Discipline.MEDICAL, Discipline.THERAPY

_ADMINISTRATION_SECTIONS = (
    ("pre_treatment", "Pre-treatment assessment"),
    ("order_and_dose", "Order and dose given"),
    ("times", "Times"),
    ("monitoring", "Monitoring: vitals and scores"),
    ("side_effects", "Side effects and events"),
    ("discharge", "Discharge"),
    ("plan", "Plan"),
)

KINDS: dict[str, NoteKind] = {k.key: k for k in (
    NoteKind("intake", "Psychiatric intake evaluation", frozenset({M}), HISTORY_AND_PHYSICAL, (
        ("reason", "Reason for referral"),
        ("hpi", "History of present illness"),
        ("psychiatric_history", "Psychiatric history and treatment trials"),
        ("medical_history", "Medical history, medications and allergies"),
        ("substance_use", "Substance use"),
        ("mse", "Mental status examination"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    )),
    NoteKind("consult", "Consultation note", frozenset({M}), CONSULT_NOTE, (
        ("reason", "Reason for consultation"),
        ("findings", "Findings"),
        ("recommendations", "Recommendations"),
    )),
    NoteKind("administration", "Infusion / administration note", frozenset({M}), PROGRESS_NOTE, _ADMINISTRATION_SECTIONS),
    NoteKind("esketamine", "Esketamine session note", frozenset({M}), PROGRESS_NOTE, (
        *_ADMINISTRATION_SECTIONS[:5],
        ("rems", "REMS monitoring (observation, sedation, dissociation)"),
        *_ADMINISTRATION_SECTIONS[5:],
    )),
    NoteKind("progress", "Progress note (SOAP)", frozenset({M}), PROGRESS_NOTE, (
        ("subjective", "Subjective"),
        ("objective", "Objective"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    )),
    NoteKind("kap_preparation", "KAP preparation session note", frozenset({T}), PROGRESS_NOTE, (
        ("session_info", "Session information (number, clinicians present, setting)"),
        ("consent_and_intention", "Consent and intentions"),
        ("psychoeducation", "Psychoeducation: set and setting, music, support person"),
        ("interventions", "Therapist interventions"),
        ("plan", "Plan for the dosing session"),
    ), therapy_time=True),
    NoteKind("kap_dosing", "KAP dosing session note", frozenset({T}), PROGRESS_NOTE, (
        ("session_info", "Session information (number, clinicians present, setting)"),
        ("consent_and_intention", "Consent and intention"),
        ("baseline", "Baseline: vitals, mental status, medication list"),
        ("dose", "Dose, route and times"),
        ("experience", "Subjective experience"),
        ("interventions", "Therapist interventions"),
        ("post_session", "Post-session state and discharge"),
        ("integration_plan", "Integration plan"),
    ), therapy_time=True),
    NoteKind("kap_integration", "KAP integration session note", frozenset({T}), PROGRESS_NOTE, (
        ("session_info", "Session information"),
        ("experience", "Experience recalled"),
        ("themes", "Themes and insights"),
        ("interventions", "Therapist interventions"),
        ("risk", "Risk review"),
        ("plan", "Integration plan and next steps"),
    ), therapy_time=True),
    NoteKind("therapy_progress", "Therapy progress note (DAP)", frozenset({T}), PROGRESS_NOTE, (
        ("data", "Data"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    ), therapy_time=True),
    NoteKind("telephone", "Telephone / message note", frozenset({M, T}), PROGRESS_NOTE, (
        ("contact", "Who called or wrote, and why"),
        ("discussion", "Discussion"),
        ("advice", "Advice given"),
        ("follow_up", "Follow-up"),
    )),
)}

# A therapy kind that documents the KAP integration after a dosing session (the overdue check reads it).
INTEGRATION_KIND = "kap_integration"


class MinutesError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


MAX_SESSION_MINUTES = 24 * 60  # a note's time is within one day


def check_minutes(service_min: int | None, psychotherapy_min: int | None, em_min: int | None) -> None:
    """Psychotherapy time and E/M time are separate parts of the service time: E/M time cannot
    include psychotherapy time (Novitas; texmed.org, PRACTICE.md §2.1), so together they fit in it."""
    for field, value in (("service_minutes", service_min), ("psychotherapy_minutes", psychotherapy_min), ("em_minutes", em_min)):
        if value is not None and not 0 <= value <= MAX_SESSION_MINUTES:
            raise MinutesError(field, f"Enter 0 to {MAX_SESSION_MINUTES} minutes.")
    if service_min is not None and (psychotherapy_min or 0) + (em_min or 0) > service_min:
        raise MinutesError("service_minutes", "Psychotherapy and E/M minutes are separate parts of the service time, "
                                              "so together they cannot exceed it.")
