"""Score trajectories drawn with ``charts.line_chart_svg``: the patient's current totals over time
with baseline, response (baseline reduced by the response threshold) and remission lines.

Session markers: the patient's dosing sessions given (see ``session_markers``). The date axis spans at
least a week, so a single response reads in days, not hours.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.safestring import mark_safe

from ketamine_clinic.assessments import policy
from ketamine_clinic.assessments.services.instruments import is_trackable
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.charts import LineStyle, Series, line_chart_svg
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus
from ketamine_clinic.treatments.models import TreatmentSession



MAX_MARKERS = 60  # the most recent; more would blur into one band
MIN_AXIS_SPAN = dt.timedelta(days=7)  # a score trajectory reads in days, even with one response


@dataclass(frozen=True)
class Trajectory:
    instrument: ci.Instrument
    points: list[tuple[dt.datetime, int]]
    summary: ci.OutcomeSummary | None
    svg: str
    response_line: float | None
    remission_line: float | None


def session_markers(patient: Patient, since: dt.datetime | None = None, tz=None) -> list[tuple[dt.datetime, str]]:
    """``(when, "S3")`` for each dosing session given to the patient, numbered in order (two queries).

    A session given is a session record whose dosing started (at that moment), or a dosing
    appointment marked in session or done without a session record (at its start).
    """
    recorded = TreatmentSession.objects.filter(patient=patient, dosing_started_at__isnull=False)
    scheduled_only = Appointment.objects.filter(
        patient=patient, kind=AppointmentKind.DOSING, status__in=(AppointmentStatus.IN_SESSION, AppointmentStatus.DONE),
        treatment_session__isnull=True,
    )
    given = sorted([*recorded.values_list("dosing_started_at", flat=True), *scheduled_only.values_list("start_at", flat=True)])
    numbered = [(at, f"S{n}") for n, at in enumerate(given, start=1)]  # numbered over all sessions, not only those shown
    return [(at.astimezone(tz) if tz else at, label) for at, label in numbered if since is None or at >= since][-MAX_MARKERS:]


def build(patient: Patient, instrument_key: str, points: list[tuple[dt.datetime, int]], *, small: bool = False, tz=None,
          settings: dict | None = None) -> Trajectory:
    """``settings``: from ``policy.clinic_settings`` (read once per page by the caller)."""
    instrument = ci.get_instrument(instrument_key)
    settings = settings if settings is not None else policy.clinic_settings(patient.organization_id)
    if tz is not None:
        points = [(at.astimezone(tz), total) for at, total in points]
    summary = None
    lines: list[tuple] = []
    response_line = remission_line = None
    if points and is_trackable(instrument):
        summary = ci.summarize_outcomes(ci.ScoreSeries.from_points(instrument.key, points), settings=settings)
        baseline = summary.baseline.total
        pct = summary.policy.response_min_reduction_percent
        response_line = baseline * (100 - pct) / 100
        lines.append((baseline, f"Baseline {baseline}", LineStyle("solid", "none")))
        lines.append((response_line, f"Response ({pct:g}% below baseline)", LineStyle("dashed", "none")))
        if summary.policy.remission_max_total is not None:
            remission_line = summary.policy.remission_max_total
            lines.append((remission_line, f"Remission (≤ {remission_line:g})", LineStyle("dotted", "none")))
    markers = [] if small or not points else session_markers(patient, since=points[0][0], tz=tz)
    svg = line_chart_svg(
        [Series(instrument.name if not small else ci.abbreviation(instrument.key), points)],
        width=360 if small else 760,
        height=220 if small else 400,
        y_min=instrument.total_min,
        y_max=instrument.total_max,
        horizontal_lines=lines,
        vertical_markers=markers,
        title="" if small else f"{instrument.name}: totals over time",
        x_label="" if small else "Date completed",
        min_x_span=MIN_AXIS_SPAN,
        y_label="Total",
    )
    return Trajectory(instrument, points, summary, mark_safe(svg), response_line, remission_line)  # noqa: S308 (escaped by charts)
