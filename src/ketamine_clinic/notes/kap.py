"""The KAP workflow around notes: the preparation note before the first dosing session, integration
notes after each dosing session, and the therapist's Today list.

- A KAP plan (its protocol links preparation/integration sessions) names its therapist (plans).
- Clinic policy (default on): the first dosing session of a KAP plan is blocked until a signed
  preparation note exists (a checklist hard stop, read from the recorded notes).
- A dosing session whose integration window (``protocols.kap.integration_window_h``, clinic policy,
  default 72 h: PRACTICE.md §5.1 cites 24-72 h; the same setting books the integration sessions)
  has passed without a signed integration note is overdue.
- Sessions per week are capped by the protocol (``protocols.kap.sessions_per_week``, enforced when
  the plan books its series).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus, TreatmentPlan
from ketamine_clinic.treatments.models import SessionStatus, TreatmentSession

from . import clinic_policy
from .models import Note, NoteStatus
from .services import unsigned_notes_for

KAP_PROTOCOL_KEY = "ketamine-assisted-psychotherapy"
UPCOMING_DAYS = 7


def is_kap_plan(plan: TreatmentPlan | None) -> bool:
    if plan is None:
        return False
    linked = (plan.protocol_data or {}).get("linked_sessions") or []
    return plan.protocol_key == KAP_PROTOCOL_KEY or any(s.get("kind") == "preparation" for s in linked if isinstance(s, dict))


def _signed(qs):
    return qs.filter(status__in=(NoteStatus.SIGNED, NoteStatus.AWAITING_COSIGN))


def preparation_item(session: TreatmentSession, now: dt.datetime, session_policy: dict) -> cs.ChecklistItem | None:
    """The checklist item of a KAP plan's dosing session: a signed preparation note must exist."""
    if not is_kap_plan(session.plan):
        return None
    label = "Signed KAP preparation note"
    if not clinic_policy.kap_settings(session.organization)["require_signed_preparation"]:
        return cs.ChecklistItem("kap_preparation_note", label, cs.ItemStatus.NOT_APPLICABLE,
                                "Not required before dosing at this clinic (clinic policy)", CLINIC_POLICY)
    note = _signed(Note.objects.filter(patient_id=session.patient_id, kind="kap_preparation", signed_at__lte=now)).order_by("-signed_at").first()
    if note is not None:
        return cs.ChecklistItem("kap_preparation_note", label, cs.ItemStatus.OK,
                                f"Preparation note signed {timezone.localtime(note.signed_at, session.location.tz):%Y-%m-%d}", CLINIC_POLICY)
    return cs.ChecklistItem("kap_preparation_note", label, cs.ItemStatus.HARD_STOP,
                            "No signed preparation-session note yet: the therapist signs it before the first dosing session (clinic policy)",
                            CLINIC_POLICY)


@dataclass(frozen=True)
class IntegrationDue:
    session: TreatmentSession
    due_at: dt.datetime
    overdue: bool


# The dosing sessions of a therapist's plans with no signed integration note since (compiled once
# per process: every Today runs it).
_AWAITING_INTEGRATION = Prepared(lambda organization_id, therapist_id: TreatmentSession.objects
    .filter(organization_id=organization_id, plan__therapist_id=therapist_id, dosing_started_at__isnull=False,
            status__in=(SessionStatus.OBSERVING, SessionStatus.DISCHARGED))
    .filter(~Exists(_signed(Note.objects.filter(patient_id=OuterRef("patient_id"), kind="kap_integration",
                                                created_at__gte=OuterRef("dosing_started_at")))))
    .select_related("patient", "plan", "location").order_by("dosing_started_at"))


def integrations_due(therapist, now: dt.datetime | None = None) -> list[IntegrationDue]:
    """Dosing sessions of the therapist's KAP plans with no signed integration note since: due within
    the window, overdue after it (oldest first). Two queries, however many sessions the therapist's
    plans have had (the note check is part of the sessions' query)."""
    if therapist.organization_id is None:  # no clinic, no plans
        return []
    now = now or timezone.now()
    window_h = clinic_policy.kap_settings(therapist.organization_id)["integration_window_h"]
    out = []
    for session in _AWAITING_INTEGRATION(therapist.organization_id, therapist.pk).fetch():
        if not is_kap_plan(session.plan):
            continue
        due_at = session.dosing_started_at + dt.timedelta(hours=window_h)
        out.append(IntegrationDue(session, due_at, overdue=now > due_at))
    return out


def upcoming_dosing(therapist, now: dt.datetime | None = None):
    """The therapist's KAP patients' booked dosing sessions in the coming week."""
    now = now or timezone.now()
    return (Appointment.objects.filter(organization_id=therapist.organization_id, plan__therapist=therapist,
                                       kind=AppointmentKind.DOSING, start_at__gte=now,
                                       start_at__lt=now + dt.timedelta(days=UPCOMING_DAYS))
            .filter(status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_SESSION))
            .select_related("patient", "location").order_by("start_at"))


def therapist_today(user, now: dt.datetime | None = None) -> dict:
    """What the therapist's Today shows: upcoming dosing sessions, due and overdue integrations,
    and notes to sign (their drafts and co-signatures asked of them)."""
    due = integrations_due(user, now)
    return {
        "upcoming": list(upcoming_dosing(user, now)),
        "overdue": [d for d in due if d.overdue],
        "due": [d for d in due if not d.overdue],
        "unsigned": list(unsigned_notes_for(user).order_by("created_at")),
    }
