from django import template
from django.db.models import Count

from ketamine_clinic.accounts.permissions import has_permission

from ..models import Note

register = template.Library()
CHART_NOTES = 8


@register.simple_tag
def chart_notes(user, patient) -> dict:
    """The chart's notes card (front desk: that notes exist, not their text). Psychotherapy notes
    are never here: they live in their own table, read by their author only."""
    if not has_permission(user, "note.list") or patient.organization_id != user.organization_id:
        return {"visible": False}
    notes = (Note.objects.filter(patient=patient).select_related("author").annotate(addenda_count=Count("addenda"))
             .order_by("-created_at")[:CHART_NOTES])
    return {"visible": True, "notes": notes, "can_read": has_permission(user, "note.read"),
            "can_write": has_permission(user, "note.write_medical") or has_permission(user, "note.write_therapy")}


@register.simple_tag
def session_note_kind(user, session) -> str:
    """The note kind a session's record pre-fills for this user ("" when they write no medical notes)."""
    if not has_permission(user, "note.write_medical"):
        return ""
    return "esketamine" if session.route == "esketamine_nasal" else "administration"


@register.simple_tag
def notes_today(user) -> dict:
    """Today's notes card: the user's drafts and co-signatures asked of them; for a therapist, their KAP
    patients' upcoming dosing sessions and due or overdue integration notes."""
    writes = has_permission(user, "note.write_medical") or has_permission(user, "note.write_therapy")
    if not writes:
        return {"visible": False}
    from ..kap import therapist_today

    today = therapist_today(user)
    return {"visible": True, "therapist": has_permission(user, "note.write_therapy"), **today}
