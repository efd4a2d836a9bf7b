"""Who may read which chart-timeline lines.

A timeline line repeats what its source record says ("PHQ9 total 14 (Moderate)", "IV eligibility
signed"), so it is shown only to a reader allowed to open that record. Every list of timeline lines
(the chart, Today's recent activity) reads through ``visible_timeline``. A kind missing from the map
is shown to clinicians only (those who may read evaluations): a new kind never leaks by default.
"""

from django.db.models import QuerySet

from ketamine_clinic.accounts.permissions import MATRIX, has_permission
from ketamine_clinic.core.prepared import Bound, Prepared
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
    return _narrowed(events, frozenset(readable_kinds(user)), has_permission(user, DEFAULT_PERMISSION))


def _narrowed(events: QuerySet, kinds: frozenset[str], reads_unmapped: bool) -> QuerySet:
    if reads_unmapped:
        return events.exclude(kind__in=sorted(set(KIND_PERMISSION) - kinds))
    return events.filter(kind__in=sorted(kinds))


CHART_TIMELINE_LINES = 50
# One compiled read per set of readable kinds (a handful of role combinations): core.prepared.
_CHART_TIMELINE: dict[tuple[frozenset[str], bool], Prepared] = {}


def chart_timeline_read(user, patient) -> Bound:
    """The chart's latest lines that ``user`` may read, with who wrote them, for ``core.batch``."""
    shape = (frozenset(readable_kinds(user)), has_permission(user, DEFAULT_PERMISSION))
    prepared = _CHART_TIMELINE.get(shape)
    if prepared is None:
        prepared = _CHART_TIMELINE.setdefault(shape, Prepared(
            lambda pid: _narrowed(TimelineEvent.objects.filter(patient_id=pid).select_related("actor"), *shape)
            [:CHART_TIMELINE_LINES]))
    return prepared(patient.pk).knowing(patient=patient)


def timeline_summary(text: str) -> str:
    """A timeline line that fits its column: a longer one ends in an ellipsis (the source record
    the line points to keeps the full text, e.g. a cancellation's whole reason)."""
    return display_summary(text, TimelineEvent, "summary")
