"""Which measures are due, per patient and per clinic, with ``clinical.instruments.measures_due``.

A patient with an active treatment plan follows the measures cadence of the plan's protocol
(e.g. PHQ-9 before each dosing session and about 24 h after; weekly for esketamine), over the
plan's dosing appointments. Otherwise the default rule set (clinic policy) applies: PHQ-9 every
``schedule.phq9.interval_days`` (7) from the baseline PHQ-9 while the last PHQ-9 is at most
``schedule.active_patient_days`` (90) days old. Always: C-SSRS when triggered by a positive PHQ-9
item 9, by the end of that day. Windows older than ``schedule.due_lookback_days`` are not listed.
"During session" measures (CADSS) belong to the session day, not to this list.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.assessments import policy
from ketamine_clinic.assessments.models import PatientOutcome, QuestionnaireResponse, ResponseStatus
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.localtime import patient_zone
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans.models import LIVE_STATUSES, Appointment, AppointmentKind, PlanStatus, TreatmentPlan


SESSION_RULES_NOTE = "Patients with an active treatment plan follow their protocol's measures around each dosing session."


@dataclass(frozen=True)
class PatientDue:
    patient: Patient
    measure: ci.DueMeasure


_zone = patient_zone  # one rule for a patient's clock (core.localtime)


def default_rules(baseline_at: dt.datetime, now: dt.datetime, settings: dict) -> list:
    interval = dt.timedelta(days=policy.value(settings, policy.PHQ9_INTERVAL))
    lookback = dt.timedelta(days=policy.value(settings, policy.DUE_LOOKBACK))
    start = baseline_at
    if baseline_at < now - lookback:  # skip whole intervals before the look-back window
        start = baseline_at + ((now - lookback - baseline_at) // interval) * interval
    return [ci.Every("phq9", interval, starts_at=start), ci.WhenTriggered("cssrs")]


def protocol_rules(measures: list[dict], plan_start: dt.datetime, settings: dict) -> list:
    """The protocol's measures cadence (``protocol_to_dict(...)["measures"]``) as schedule rules."""
    hours = lambda key: dt.timedelta(hours=settings[key])  # noqa: E731  (keys from clinical.instruments.SETTINGS)
    days = lambda key: dt.timedelta(days=settings[key])  # noqa: E731
    rules = []
    for m in measures:
        key, when = m["instrument"], m["when"]
        if when == "before_each_session":
            rules.append(ci.BeforeEachSession(key, window_before=hours("schedule.before_session.window_h")))
        elif when == "24h_after_each_session":
            rules.append(ci.AfterEachSession(
                key, target_after=hours("schedule.after_session.target_h"),
                window_before=hours("schedule.after_session.window_before_h"), window_after=hours("schedule.after_session.window_after_h"),
            ))
        elif when == "weekly":
            rules.append(ci.Every(key, dt.timedelta(days=7), starts_at=plan_start,
                                  window_before=days("schedule.periodic.window_before_days"), window_after=days("schedule.periodic.window_after_days")))
    return [*rules, ci.WhenTriggered("cssrs")]


def _due_for(patient: Patient, baseline_at, completed, triggers, now, settings: dict, plan=None) -> list[ci.DueMeasure]:
    """``plan``: (protocol measures, plan start, dosing-session starts) when the patient has an active plan."""
    tz = _zone(patient)
    if plan is not None:
        measures, plan_start, sessions = plan
        rules = protocol_rules(measures, plan_start.astimezone(tz), settings)
        sessions = [t.astimezone(tz) for t in sessions]
    else:
        rules, sessions = default_rules(baseline_at.astimezone(tz), now.astimezone(tz), settings), []
    return ci.measures_due(
        rules, sessions, [(k, t.astimezone(tz)) for k, t in completed], now.astimezone(tz),
        triggers=[(ci.PHQ9_ITEM9_POSITIVE, t.astimezone(tz)) for t in triggers],
    )


def _active_plans(patient_filter: dict, now: dt.datetime, settings: dict) -> dict[int, tuple]:
    """Two queries: each patient's active plan (measures, start) and its dosing sessions near ``now``."""
    plans = {}
    for pid, data, start_date, activated_at in (
        TreatmentPlan.objects.filter(status=PlanStatus.ACTIVE, **patient_filter)
        .order_by("activated_at").values_list("patient_id", "protocol_data", "start_date", "activated_at")
    ):
        start = activated_at or dt.datetime.combine(start_date, dt.time.min, tzinfo=dt.timezone.utc)
        plans[pid] = (data.get("measures", []), start, [])
    if plans:
        lookback = dt.timedelta(days=policy.value(settings, policy.DUE_LOOKBACK))
        for pid, start_at in (
            Appointment.objects.filter(
                patient_id__in=list(plans), plan__status=PlanStatus.ACTIVE, kind=AppointmentKind.DOSING,
                status__in=LIVE_STATUSES, start_at__gte=now - lookback, start_at__lte=now + dt.timedelta(days=2),
            ).order_by("start_at").values_list("patient_id", "start_at")
        ):
            plans[pid][2].append(start_at)
    return plans


def _since(now: dt.datetime, settings: dict) -> dt.datetime:
    lookback = policy.value(settings, policy.DUE_LOOKBACK)
    interval = policy.value(settings, policy.PHQ9_INTERVAL)
    return now - dt.timedelta(days=lookback + interval)


def _responses(patients_filter: dict, since: dt.datetime) -> QuerySet:
    return QuestionnaireResponse.objects.filter(
        status=ResponseStatus.SUBMITTED, superseded_by__isnull=True, completed_at__gte=since, **patients_filter
    ).values_list("patient_id", "instrument_key", "completed_at", "suicide_risk")


def measures_for_patient(patient: Patient, now: dt.datetime) -> list[ci.DueMeasure] | None:
    """The patient's measures (None with neither an active plan nor a baseline PHQ-9)."""
    settings = policy.clinic_settings(patient.organization_id)
    plan = _active_plans({"patient": patient}, now, settings).get(patient.pk)
    baseline = (
        PatientOutcome.objects.filter(patient=patient, instrument_key="phq9").values_list("baseline_at", flat=True).first()
    )
    if baseline is None and plan is None:
        return None
    rows = list(_responses({"patient": patient}, _since(now, settings)))
    completed = [(k, t) for _, k, t, _ in rows]
    triggers = [t for _, k, t, risk in rows if k == "phq9" and risk]
    return _due_for(patient, baseline, completed, triggers, now, settings, plan)


def clinic_due(ctx: Context, now: dt.datetime) -> dict[str, list[PatientDue]]:
    """Due and overdue measures across the clinic, in a fixed number of queries whatever its size."""
    require(ctx.user, "assessment.view")
    org = ctx.user.organization
    settings = policy.clinic_settings(org.pk)
    active_since = now - dt.timedelta(days=policy.value(settings, policy.ACTIVE_PATIENT_WINDOW))
    outcomes = (
        PatientOutcome.objects.filter(organization=org, instrument_key="phq9", latest_at__gte=active_since)
        .select_related("patient", "patient__home_location")
    )
    by_patient: dict[int, tuple] = {o.patient_id: (o.patient, o.baseline_at) for o in outcomes}
    plans = _active_plans({"organization": org}, now, settings)
    missing = [pid for pid in plans if pid not in by_patient]
    for patient in Patient.objects.filter(pk__in=missing).select_related("home_location"):
        by_patient[patient.pk] = (patient, None)
    completed: dict[int, list] = {}
    triggers: dict[int, list] = {}
    for pid, key, at, risk in _responses({"organization": org, "patient_id__in": list(by_patient)}, _since(now, settings)):
        completed.setdefault(pid, []).append((key, at))
        if key == "phq9" and risk:
            triggers.setdefault(pid, []).append(at)
    result: dict[str, list[PatientDue]] = {"overdue": [], "due": []}
    for pid, (patient, baseline_at) in by_patient.items():
        for m in _due_for(patient, baseline_at, completed.get(pid, []), triggers.get(pid, []), now, settings, plans.get(pid)):
            if m.status in (ci.DueStatus.DUE, ci.DueStatus.OVERDUE):
                result[m.status.value].append(PatientDue(patient, m))
    for items in result.values():
        items.sort(key=lambda d: (d.measure.due_at, d.patient.family_name))
    return result
