"""The notes app's parts of composed pages (the chart, Today), as plain functions returning the
context their templates (``notes/_chart_section.html``, ``notes/_today.html``) render from alone.
Front registers them; psychotherapy notes are never part of either."""

from django.db.models import Count

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from .kap import therapist_today
from .models import Note

CHART_NOTES = 8


def _may_list(user, patient) -> bool:
    return has_permission(user, "note.list") and patient.organization_id == user.organization_id


_NEWEST = Prepared(lambda patient_id: Note.objects.filter(patient_id=patient_id).select_related("author")
                   .annotate(addenda_count=Count("addenda")).order_by("-created_at")[:CHART_NOTES])


def chart_context_reads(request, patient) -> dict:
    """The newest notes with their addenda counted (for ``core.batch``; compiled once per process);
    nothing for who may not list them."""
    if not _may_list(request.user, patient):
        return {}
    return {("notes.chart", patient.pk): _NEWEST(patient.pk).knowing(patient=patient)}


def chart_context(request, patient) -> dict:
    """The chart's notes card: the newest notes (front desk: that they exist, not their text)."""
    user = request.user
    if not _may_list(user, patient):
        return {"visible": False}
    notes = batch.lists(chart_context_reads(request, patient))[("notes.chart", patient.pk)]
    return {"visible": True, "patient": patient, "notes": notes, "user_id": user.pk,
            "can_read": has_permission(user, "note.read"),
            "can_write": has_permission(user, "note.write_medical") or has_permission(user, "note.write_therapy")}


def today_context(request, patient=None) -> dict:
    """Today's notes card: the user's drafts and co-signatures asked of them; for a therapist, their
    KAP patients' upcoming dosing sessions and due or overdue integration notes."""
    user = request.user
    if not (has_permission(user, "note.write_medical") or has_permission(user, "note.write_therapy")):
        return {"visible": False}
    return {"visible": True, "user_id": user.pk, "therapist": has_permission(user, "note.write_therapy"), **therapist_today(user)}
