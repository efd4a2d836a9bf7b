"""Who may read which chart-timeline lines.

A timeline line repeats what its source record says ("PHQ9 total 14 (Moderate)", "IV eligibility
signed"), so it is shown only to a reader allowed to open that record. Every list of timeline lines
(the chart, Today's recent activity) reads through ``visible_timeline``. A kind missing from the map
is shown to clinicians only (those who may read evaluations): a new kind never leaks by default.
"""

from django.db.models import QuerySet

from ketamine_clinic.accounts.permissions import MATRIX, has_permission
from ketamine_clinic.core.text_limits import display_summary

from .models import TimelineEvent

# Timeline kind -> the action whose holders may read such lines.
KIND_PERMISSION: dict[str, str] = {
    "registered": "patient.view",
    "demographics": "patient.view",
    "care_team": "patient.view",
    "consent": "patient.view",  # front desk witnesses consent
    "appointment": "schedule.view",
    # chart sub-records: every staff member sees them on the chart itself
    "measurement": "patient.view",
    "allergy": "patient.view",
    "medication": "patient.view",
    "trial": "patient.view",
    "diagnosis": "patient.view",
    "evaluation": "evaluation.view",
    "eligibility": "evaluation.view",
    "rems": "evaluation.view",
    "plan": "plan.view",
    "session": "session.view",
    "assessment": "assessment.view",
    "alert": "assessment.view",
    "note": "note.list",  # "Progress note signed by …": front desk sees that a note exists, not its text
    "education": "education.view",
}
DEFAULT_PERMISSION = "evaluation.view"

assert all(action in MATRIX for action in [*KIND_PERMISSION.values(), DEFAULT_PERMISSION])


def readable_kinds(user) -> set[str]:
    return {kind for kind, action in KIND_PERMISSION.items() if has_permission(user, action)}


def visible_timeline(user, events: QuerySet) -> QuerySet:
    """``events`` narrowed to the lines ``user`` may read."""
    kinds = readable_kinds(user)
    if has_permission(user, DEFAULT_PERMISSION):
        return events.exclude(kind__in=set(KIND_PERMISSION) - kinds)
    return events.filter(kind__in=kinds)


def timeline_summary(text: str) -> str:
    """A timeline line that fits its column: a longer one ends in an ellipsis (the source record
    the line points to keeps the full text, e.g. a cancellation's whole reason)."""
    return display_summary(text, TimelineEvent, "summary")
