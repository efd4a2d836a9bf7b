"""Pages of plan-aware measurement: a patient's measures (what is due around their sessions), score
trajectories with session markers, the clinic's due list and its outcomes report. They keep their
``assessments:`` URL names (``outcomes/urls.py``)."""

import csv
import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.assessments import forms as aforms
from ketamine_clinic.assessments import clinic_policy, services
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.db_router import report_reads
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.localtime import patient_zone
from ketamine_clinic.web.access import staff_required

from . import measures_due, report, trajectory


@staff_required("assessment.view")
def patient_assessments(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id)
    now = timezone.now()
    context = {
        "patient": patient,
        "responses": services.responses_for(ctx, patient),
        "alerts": services.with_people(
            patient.suicide_risk_alerts.select_related("acknowledged_by", "response", "patient").order_by("-raised_at")[:20]
        ),
        "due": measures_due.measures_for_patient(patient, now),
        "session_rules_note": measures_due.SESSION_RULES_NOTE,
        "instruments": list(ci.INSTRUMENTS.values()),
        "self_report": services.self_report_instruments(),
        "can_enter": has_permission(request.user, "assessment.enter"),
        "can_send": has_permission(request.user, "measures.send_link"),
        "can_acknowledge": has_permission(request.user, "alert.acknowledge"),
        "can_see_answers": True,  # this page needs assessment.view
        "common_actions": aforms.COMMON_ALERT_ACTIONS,
    }
    return render(request, "assessments/patient.html", context)


@staff_required("assessment.view")
def trajectory_page(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id, audit_action=Action.ASSESSMENT_VIEW_TRAJECTORY)
    tz = patient_zone(patient)
    by_key = services.current_totals_by_instrument(patient)
    settings = clinic_policy.clinic_settings(patient.organization_id)
    charts = [trajectory.build(patient, key, pts, tz=tz, settings=settings) for key, pts in by_key.items()
              if ci.get_instrument(key).lower_is_better]
    return render(request, "assessments/trajectory.html", {"patient": patient, "charts": charts})


@staff_required("assessment.view")
def due_list(request):
    ctx = Context.from_request(request)
    return render(request, "assessments/due.html", {
        "due": measures_due.clinic_due(ctx, timezone.now()), "session_rules_note": measures_due.SESSION_RULES_NOTE,
        "can_send": has_permission(request.user, "measures.send_link"),
    })


def _period(request):
    form = aforms.PeriodForm(data=request.GET or None)
    today = timezone.localdate()
    default_from = today - dt.timedelta(days=365)
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("date_from") or default_from
        end = form.cleaned_data.get("date_to") or today
        key = form.cleaned_data.get("instrument") or "phq9"
    else:
        start, end, key = default_from, today, "phq9"
    return form, start, end, key


@staff_required("outcomes.view")
def outcomes(request):
    ctx = Context.from_request(request)
    form, start, end, key = _period(request)
    context = {
        "form": form, "instruments": services.trackable_instruments(), "query": request.GET.urlencode(),
        "shown_from": request.GET.get("date_from") or start.isoformat(),
        "shown_to": request.GET.get("date_to") or end.isoformat(),
        "shown_instrument": request.GET.get("instrument") or key,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "assessments/outcomes.html", context, status=422)
    try:
        with report_reads(request):  # on the read replica when one is configured
            summary = report.outcomes_summary(ctx, start, end, key)
    except ValidationFailed as exc:
        return render(request, "assessments/outcomes.html", {**context, "error": exc.message, "errors": exc.errors}, status=422)
    if request.GET.get("format") == "csv":
        return _outcomes_csv(summary)
    return render(request, "assessments/outcomes.html", {**context, "summary": summary})


CSV_COLUMNS = ("patients", "with_follow_up", "responders", "response_rate", "remitters", "remission_rate",
               "mean_baseline", "mean_change", "mean_percent_change", "mean_days_to_response")


def _outcomes_csv(summary) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"outcomes-{summary['instrument'].key}-{summary['from']:%Y%m%d}-{summary['to']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["group", "instrument", "from", "to", *CSV_COLUMNS])
    rows = [("All patients", summary["overall"])] + [
        (f"{kind}: {g['label']}", g) for kind, key in (("Indication", "by_indication"), ("Route", "by_route"), ("Protocol", "by_protocol"))
        for g in summary[key]
    ]
    for label, row in rows:
        writer.writerow([label, summary["instrument"].key, summary["from"].isoformat(), summary["to"].isoformat(),
                         *[_csv_value(row.get(c)) for c in CSV_COLUMNS]])
    return response


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}"
    return v
