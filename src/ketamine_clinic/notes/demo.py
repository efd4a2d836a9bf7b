"""Demo notes through the services (audited): a signed progress note with an addendum, a signed
KAP integration note and a therapist's psychotherapy note."""

from ketamine_clinic.audit.services import Context

from . import services


def seed_notes(prescriber, nurse, therapist, patient) -> None:
    p_ctx, n_ctx, t_ctx = (Context(user=u, source_ip="127.0.0.1") for u in (prescriber, nurse, therapist))
    note = _signed(p_ctx, patient, "progress", {
        "section_subjective": "Mood brighter since the second infusion; sleeping 7 hours. No urinary symptoms.",
        "section_objective": "Calm, good eye contact. BP 124/78. PHQ-9 down from 19 to 12.",
        "section_assessment": "Early response to IV ketamine induction; tolerating well.",
        "section_plan": "Continue induction as planned. Repeat PHQ-9 before each infusion.",
        "service_minutes": "25", "em_minutes": "25",
    })
    services.add_addendum(n_ctx, note, "Late entry: the patient called after the visit; mild nausea resolved with rest.")
    _signed(t_ctx, patient, "kap_integration", {
        "section_session_info": "Integration session 1, in person, 50 minutes.",
        "section_experience": "Recalled a sense of distance from self-critical thoughts.",
        "section_themes": "Self-compassion; reconnecting with family.",
        "section_plan": "Journal daily; next integration after the next dosing session.",
        "service_minutes": "53", "psychotherapy_minutes": "53",
    })
    services.write_psychotherapy_note(t_ctx, patient, "Process notes (demo): kept apart from the record; only the author reads them.")


def _signed(ctx, patient, kind, fields):
    """Start a note of ``kind`` and sign it with ``fields`` (section texts and minutes)."""
    note = services.start_note(ctx, patient, kind)
    services.sign_note(ctx, note, fields)
    return note
