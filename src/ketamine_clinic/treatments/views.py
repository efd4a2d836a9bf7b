"""Session-day screens: thin — parse, call a service, render.

One screen runs a whole session (``session_detail``); every form on it posts to a small view that
calls the same service as the API and comes back to the screen, with the field messages and the
entry kept when it is refused. Entries in progress are saved as server-side drafts.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.assessments.models import LinkPurpose
from ketamine_clinic.assessments.services import patient_can_answer
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.protocols import discharge_instructions
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.charts import ChartError, Series, line_chart_svg
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.core.versions import required_version
from ketamine_clinic.patients.services import current_measurement, get_patient_for
from ketamine_clinic.pharmacology.curves import predicted_curve
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.forms import with_errors

from . import facts, services, steps
from .screen import session_screen
from . import forms as tforms
from .models import OPEN_STATUSES, SessionStatus, TreatmentSession

FORM_CLASSES = {
    "checklist": tforms.ChecklistForm, "bp_decision": tforms.BpDecisionForm,
    "cssrs_decision": tforms.CssrsDecisionForm, "vitals": tforms.VitalsForm,
    "event": tforms.EventForm, "dose": tforms.StartDosingForm, "device": tforms.DeviceForm, "rate": tforms.RateChangeForm,
    "stop": tforms.StopForm, "discharge": tforms.DischargeForm, "end": tforms.EndSessionForm,
}


def _ctx(request) -> Context:
    return Context.from_request(request)


def _detailed(pk) -> TreatmentSession:
    """The session read again with everything the screen shows (a fixed number of queries)."""
    return services.with_details(TreatmentSession.objects.filter(pk=pk)).get()


def _session(request, public_id, action="session.view", audit=False) -> TreatmentSession:
    return services.get_session_for(_ctx(request), public_id, action, audit=audit, detailed=True)


def _local_input(value: dt.datetime | None, tz) -> str:
    return timezone.localtime(value, tz).strftime("%Y-%m-%dT%H:%M") if value else ""


def _checklist_form_class(session, *, weight_from_chart: bool = False):
    """The checklist form with a deferral field per measure due; without the weight field when the
    chart already holds today's weight (reused, not asked twice)."""
    fields = {}
    if weight_from_chart:
        fields["weight_today_kg"] = None  # removes the inherited field
    for key in facts.measure_keys(session):
        label = facts.MEASURE_LABELS.get(key, key.upper())
        fields[f"defer_{key}"] = forms.CharField(
            required=False, max_length=300, label=f"{label} deferred because",
            help_text=f"Leave empty when the {label} is done today")
    return type("SessionChecklistForm", (tforms.ChecklistForm,), fields)


def _initial(session, key: str) -> dict:
    tz = session.location.tz
    if key == "checklist":
        yn = {True: "yes", False: "no", None: ""}
        data = {"weight_today_kg": session.weight_today_kg, "last_food_at": _local_input(session.last_food_at, tz),
                "last_liquid_at": _local_input(session.last_liquid_at, tz),
                "ride_home_confirmed": yn[session.ride_home_confirmed] if session.ride_home_confirmed else "",
                "can_become_pregnant": yn[session.can_become_pregnant], "pregnancy_test": session.pregnancy_test}
        data.update({f"defer_{k}": v for k, v in (session.measure_deferrals or {}).items()})
        return data
    if key in ("dose", "stop", "discharge", "end", "bp_decision", "cssrs_decision"):
        return {"version": session.version}
    return {}


def _vitals_chart(session, tz):
    rows = [v for v in facts.active_vitals(session)]
    if len(rows) < 2:
        return None
    series = []
    for name, key in (("Systolic (mmHg)", "systolic_mmhg"), ("Diastolic (mmHg)", "diastolic_mmhg"),
                      ("Heart rate (/min)", "heart_rate_per_min"), ("SpO2 (%)", "spo2_percent")):
        points = [(timezone.localtime(v.observed_at, tz), float(getattr(v, key))) for v in rows if getattr(v, key) is not None]
        if points:
            series.append(Series(name, points))
    try:
        return mark_safe(line_chart_svg(series, width=640, height=260, title="Vital signs", x_label="Time",  # noqa: S308 (escaped by charts)
                                        y_label="value"))
    except ChartError:
        return None


def _predicted_curve(session):
    """The predicted plasma curve for the ordered dose (issue 7): today's weight, else the chart's."""

    weight = session.weight_today_kg
    if weight is None:
        measurement = current_measurement(session.patient)
        weight = measurement.weight_kg if measurement else None
    return predicted_curve(
        session.organization, route=session.route, unit=session.dose_unit, amount=session.dose_amount,
        duration_min=session.infusion_minutes, weight_kg=float(weight) if weight is not None else None,
        age_years=session.patient.age_on(session.checked_in_at.date()), sex=session.patient.sex_at_birth,
    )


def session_context(request, session, *, override: dict | None = None, error: str = "", error_list=(), now=None) -> dict:
    """Everything the session screen shows; ``override`` holds a refused form (bound, with messages)."""
    screen = session_screen(session, now)
    now, policy, checklist, snapshot = screen.now, screen.policy, screen.checklist, screen.snapshot
    user = request.user
    drafts = services.drafts_for(user, session) if has_permission(user, "session.run") else {}
    chart_weight = _chart_weight_to_offer(session)
    current = steps.current_step(session.status, may_dose=bool(checklist and checklist.may_dose), now=now,
                                 earliest_discharge=screen.earliest_discharge)
    return {
        **_step_context(session, current),
        "predose_vitals": [v for v in screen.vitals if v.phase == cs.Phase.PRE_DOSE.value],
        "dose_blocked": bool(checklist and not checklist.may_dose),
        "dose_button": DOSE_BUTTON_BY_ROUTE.get(session.route, "Record dose given"),
        "chart_weight": chart_weight, "questionnaire_stops": _questionnaire_stops(user, checklist),
        "curve": _predicted_curve(session) if has_permission(user, "pk.use") else None,
        "s": session, "patient": session.patient, "now": now, "tz": session.location.time_zone,
        "forms": _session_forms(session, drafts, override or {}, chart_weight),
        "error": error or screen.checklist_problem, "error_list": list(error_list),
        "checklist": checklist, "preview": screen.preview if session.status == SessionStatus.CHECKED_IN else None,
        "admin": screen.administration, "devices": screen.devices,
        "next_device": _next_device_at(session, screen.devices), "rate_changes": screen.rate_changes,
        "given_mg": screen.given_mg, "drawn_mg": facts.drawn_mg(session), "current_rate": facts.current_rate(session),
        "vitals": screen.vitals, "entries": screen.entries, "alerts": screen.alerts, "open_alerts": facts.open_alerts(session),
        "vitals_due": snapshot["next_vitals"], "vitals_overdue": snapshot["overdue"], "snapshot": snapshot,
        "scales": facts.scale_status(session, now, policy), "readiness": screen.readiness,
        "earliest_discharge": screen.earliest_discharge,
        "chart": _vitals_chart(session, session.location.tz),
        "order_text": facts.order_text(session),
        **_permission_flags(user, session),
        "rems_form": getattr(session, "rems_form", None) if session.route == Route.ESKETAMINE_NASAL else None,
        "is_iv": session.route == Route.IV, "is_esketamine": session.route == Route.ESKETAMINE_NASAL,
        "mg_per_device": cs.ESKETAMINE_MG_PER_DEVICE, "device_spacing_min": cs.ESKETAMINE_DEVICE_SPACING_MIN,
        "observation_min": cs.minimum_observation_min(session.route, policy),
        "padss_total": padss.total if (padss := facts.padss_of(session.padss)) else None,
        "draft_forms": sorted(drafts),
        "rendered_at_ms": int(timezone.now().timestamp() * 1000),
        "active_nav": "sessions",
    }


DOSE_BUTTON_BY_ROUTE = {Route.IV: "Start infusion", Route.ESKETAMINE_NASAL: "Record first device"}


def _chart_weight_to_offer(session):
    """The chart's weight for today, offered when the order is weight-based and no weight is entered."""
    try:
        weight_based = facts.order_rule(session).is_weight_based
    except cs.SessionInputError:
        weight_based = False
    return facts.chart_weight_today(session) if weight_based and session.weight_today_kg is None else None


def _session_forms(session, drafts: dict, override: dict, chart_weight) -> dict:
    """One form per step: the refused one as posted, else the session's values under any saved draft."""
    built = {}
    for key, cls in FORM_CLASSES.items():
        if key == "checklist":
            cls = _checklist_form_class(session, weight_from_chart=chart_weight is not None)
        if key in override:
            built[key] = override[key]
        else:
            initial = _initial(session, key)
            draft = {k: v for k, v in drafts.get(key, {}).items() if k != "version"}
            built[key] = cls(initial={**initial, **draft}, auto_id=f"{key}_%s")
    if session.route != Route.ESKETAMINE_NASAL:
        built["discharge"].fields.pop("ready_without_minimum_min", None)  # asked by the REMS form only
    return built


def _next_device_at(session, devices: list):
    if session.status == SessionStatus.DOSING and devices:
        return cs.next_device_allowed_at([cs.DeviceGiven(d.given_at, d.lot_number) for d in devices])
    return None


def _step_context(session, current) -> dict:
    return {
        "steps": {v.key: v for v in steps.step_views(session.status, current)}, "current_step": current,
        "current_step_label": steps.LABELS.get(current, ""), "step_count": len(steps.STEPS),
        "current_step_number": steps.ORDER.index(current) + 1 if current in steps.ORDER else None,
    }


def _permission_flags(user, session) -> dict:
    return {
        "can_run": has_permission(user, "session.run") and session.status in OPEN_STATUSES,
        "can_bp_decision": has_permission(user, "session.bp_decision"),
        "can_cssrs_decision": has_permission(user, "session.cssrs_decision"),
        "can_rems": has_permission(user, "rems.form"),
    }


def _questionnaire_stops(user, checklist) -> list[dict]:
    """The checklist's hard stops that a questionnaire completes (a measure due before dosing, the
    C-SSRS after a positive screen): what to link to, on this device or on the clinic tablet."""

    if checklist is None:
        return []
    stops = []
    for item in checklist.items:
        if item.status != cs.ItemStatus.HARD_STOP:
            continue
        if item.key.startswith("measure:"):
            key = item.key.removeprefix("measure:")
        elif item.key == "suicide_risk_assessment":
            key = "cssrs"
        else:
            continue
        instrument = ci.INSTRUMENTS.get(key)
        if instrument is None:
            continue
        stops.append({"item": item.key, "key": key, "name": instrument.name,
                      "can_enter": has_permission(user, "assessment.enter"),
                      "can_link": has_permission(user, "measures.send_link") and patient_can_answer(instrument)})
    return stops


@staff_required("session.view")
def session_detail(request, public_id):
    session = _session(request, public_id, audit=True)
    return render(request, "treatments/session.html", session_context(request, session))


@staff_required("session.view")
def session_live(request, public_id):
    """The status strip of the session screen, polled every few seconds."""
    session = _session(request, public_id)
    now = timezone.now()
    snapshot = services.session_snapshot(session, now, facts.session_policy(session.organization))
    return render(request, "treatments/_live.html", {"s": session, "snapshot": snapshot, "now": now,
                                                     "tz": session.location.time_zone})


def _post(request, public_id, key: str, call, success: str, anchor: str = ""):
    session = _session(request, public_id, "session.run")
    ctx = _ctx(request)
    data = request.POST.copy()
    try:
        result = call(ctx, session, data)
    except (ValidationFailed, Conflict, NotFound) as exc:
        cls = (_checklist_form_class(session, weight_from_chart=session.weight_today_kg is None
                                     and facts.chart_weight_today(session) is not None)
               if key == "checklist" else FORM_CLASSES.get(key))
        mine = {f: m for f, m in exc.errors.items() if cls is not None and f in cls.base_fields}
        override = {key: with_errors(cls(data=data, auto_id=f"{key}_%s"), mine)} if cls else {}
        listed = [m for field, msgs in exc.errors.items() if field not in mine for m in msgs]
        context = session_context(request, _detailed(session.pk), override=override, error=exc.message, error_list=listed)
        return render(request, "treatments/session.html", context, status=exc.status)
    services.clear_draft(ctx, session, key)
    messages.success(request, success if not callable(success) else success(result))
    return redirect(reverse("treatments:detail", args=[session.public_id]) + (f"#{anchor}" if anchor else ""))


def _version(data) -> int:
    """The version the form was read at; a form without it is refused (422), never saved unchecked."""
    return required_version(data.get("version"))


def _form_view(key: str, call, success, anchor: str = "", action: str = "session.run"):
    """The POST view of one form on the session screen: ``call(ctx, session, data, **url_args)``
    through ``_post`` (``data`` is the posted QueryDict)."""

    @staff_required(action)
    @require_POST
    def view(request, public_id, **url_args):
        return _post(request, public_id, key, lambda ctx, s, d: call(ctx, s, d, **url_args), success, anchor)

    return view


def _vitals_message(reading) -> str:
    n = reading.alerts.count()
    return f"Vitals recorded{f' — {n} alert' + ('s' if n != 1 else '') + ' raised' if n else ''}."


checklist_update = _form_view(
    "checklist", lambda ctx, s, d: services.update_checklist(ctx, s, d.dict(), expected_version=_version(d)),
    "Checklist saved.", "checklist")
bp_decision = _form_view(
    "bp_decision", lambda ctx, s, d: services.record_bp_decision(ctx, s, d.dict(), expected_version=_version(d)),
    "Risk–benefit decision documented.", "checklist", action="session.bp_decision")
cssrs_decision = _form_view(
    "cssrs_decision", lambda ctx, s, d: services.record_cssrs_decision(ctx, s, d.dict(), expected_version=_version(d)),
    "Decision on the high-risk C-SSRS documented.", "checklist", action="session.cssrs_decision")
vitals_add = _form_view(
    "vitals", lambda ctx, s, d: services.record_vitals(ctx, s, d.dict()), _vitals_message, "monitoring")
event_add = _form_view(  # the QueryDict itself: an adverse event's criteria are a multi-value field
    "event", lambda ctx, s, d: services.record_event(ctx, s, d), lambda e: f"Recorded: {e.summary}", "monitoring")
dose_start = _form_view(
    "dose", lambda ctx, s, d: services.start_dosing(ctx, s, d.dict()),
    lambda s: f"Dosing started: {s.dose_mg} mg.", "administration")
device_add = _form_view(
    "device", lambda ctx, s, d: services.record_device(ctx, s, d.dict()), "Device recorded.", "administration")
rate_change = _form_view(
    "rate", lambda ctx, s, d: services.change_rate(ctx, s, d.dict()),
    lambda r: f"Pump rate set to {r.rate_ml_per_h} mL/h.", "administration")
dose_stop = _form_view(
    "stop", lambda ctx, s, d: services.stop_dosing(ctx, s, d.dict()),
    "Dosing stopped; observation has begun.", "discharge")
alert_ack = _form_view(
    "ack", lambda ctx, s, d, alert_id: services.acknowledge_alert(ctx, s, alert_id, d.dict()),
    "Alert acknowledged.", "alerts")
discharge = _form_view(
    "discharge", lambda ctx, s, d: services.discharge(ctx, s, d.dict()),
    "Discharged. Print the discharge instructions for the patient.", "discharge")
end_session = _form_view(
    "end", lambda ctx, s, d: services.end_without_dose(ctx, s, d.dict()), "Session ended without a dose.")


@staff_required("session.run")
@require_POST
def draft_save(request, public_id, form_key):
    session = _session(request, public_id, "session.run")
    data = {k: request.POST.getlist(k) for k in request.POST}
    try:
        services.save_draft(_ctx(request), session, form_key, data)
    except Conflict as exc:
        return HttpResponse(exc.message, status=409)
    return HttpResponse(status=204)


@staff_required("session.view")
@require_POST
def tablet_link(request, public_id):
    """A one-time link for the clinic tablet to a questionnaire that blocks dosing, with its QR code."""
    import segno


    session = _session(request, public_id)
    key = request.POST.get("instrument", "")
    try:
        link, raw = assessments.create_link(_ctx(request), session.patient, key, LinkPurpose.TABLET)
    except (ValidationFailed, Conflict) as exc:
        listed = [m for msgs in exc.errors.values() for m in msgs]
        context = session_context(request, _detailed(session.pk), error=f"No tablet link created: {exc.message}",
                                  error_list=listed)
        return render(request, "treatments/session.html", context, status=exc.status)
    url = request.build_absolute_uri(reverse("assessments:link", args=[raw]))
    qr_svg = segno.make(url, error="m").svg_inline(scale=5, title=f"QR code of the tablet link for {session.patient.display_name}")
    return render(request, "treatments/tablet_link.html", {
        "s": session, "patient": session.patient, "link": link, "url": url, "instrument": ci.get_instrument(link.instrument_key),
        "qr_svg": mark_safe(qr_svg),  # noqa: S308 (segno's own SVG of our own URL)
        "tz": session.location.time_zone, "active_nav": "sessions"})


@staff_required("session.view")
def instructions(request, public_id):
    session = _session(request, public_id)
    hours = {k.removeprefix("instructions."): v for k, v in policy_for(session.organization, "instructions.").items()}
    items = discharge_instructions(session.route, hours=hours)
    return render(request, "treatments/instructions.html", {"s": session, "patient": session.patient, "items": items,
                                                            "tz": session.location.time_zone})


# --- check-in ---------------------------------------------------------------------------------
class CheckInForm(tforms.StartSessionForm):
    def __init__(self, *args, locations=(), prescribers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"] = forms.ChoiceField(choices=[(str(x.public_id), x.name) for x in locations])
        self.fields["ordered_by"] = forms.ChoiceField(label="Ordered by (prescriber)",
                                                      choices=[("", "—")] + [(str(u.public_id), u.name) for u in prescribers])


def _todays_appointments(session_ctx, patient, now):
    rows = []
    qs = (Appointment.objects.filter(patient=patient, kind=AppointmentKind.DOSING,
                                     status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
                                     start_at__gte=now - dt.timedelta(hours=16), start_at__lte=now + dt.timedelta(hours=16),
                                     treatment_session__isnull=True)
          .select_related("plan", "location", "resource"))
    for appt in qs:
        if appt.local_start().date() == timezone.localtime(now, appt.location.tz).date():
            rows.append(appt)
    return rows


@staff_required("session.run")
@require_http_methods(["GET", "POST"])
def session_new(request):
    ctx = _ctx(request)
    now = timezone.now()
    patient_id = request.GET.get("patient") or request.POST.get("patient")
    patient = get_patient_for(ctx, patient_id, action="session.run", audit_action=None)
    locations = list(services.locations_for(ctx))
    prescribers = list(services.prescribers_of(request.user.organization_id))
    appointments = _todays_appointments(ctx, patient, now)
    open_session = services.open_session_of(patient)
    kwargs = {"locations": locations, "prescribers": prescribers}
    if request.method == "POST":
        data = request.POST.dict()
        try:
            if data.get("appointment"):
                session = services.start_session_from_appointment(ctx, data["appointment"], data)
            else:
                session = services.start_session(ctx, patient, data)
        except (ValidationFailed, Conflict, NotFound) as exc:
            form = with_errors(CheckInForm(data=request.POST, **kwargs), exc.errors)
            return render(request, "treatments/new.html", {
                "form": form, "patient": patient, "appointments": appointments, "error": exc.message,
                "open_session": open_session, "active_nav": "sessions"}, status=exc.status)
        messages.success(request, f"{patient.display_name} checked in.")
        return redirect("treatments:detail", public_id=session.public_id)
    default_location = request.user.default_location or (locations[0] if locations else None)
    initial = {"location": str(default_location.public_id) if default_location else "", "indication": "depression",
               "route": "iv", "dose_unit": "mg/kg"}
    return render(request, "treatments/new.html", {
        "form": CheckInForm(initial=initial, **kwargs), "patient": patient, "appointments": appointments,
        "open_session": open_session, "active_nav": "sessions"})


# --- the chair board --------------------------------------------------------------------------
@staff_required("session.view")
def board_default(request):
    ctx = _ctx(request)
    locations = list(services.locations_for(ctx))
    if not locations:
        return render(request, "treatments/board.html", {"location": None, "locations": [], "active_nav": "sessions"})
    chosen = request.user.default_location if request.user.default_location in locations else locations[0]
    return redirect("treatments:board", location_id=chosen.public_id)


@staff_required("session.view")
def board(request, location_id):
    ctx = _ctx(request)
    location = services.get_location_for(ctx, location_id)
    rows = services.board_rows(ctx, location)
    template = "treatments/_board_rows.html" if request.htmx else "treatments/board.html"
    return render(request, template, {
        "location": location, "locations": list(services.locations_for(ctx)), "rows": rows, "now": timezone.now(),
        "tz": location.time_zone, "active_nav": "sessions",
        "rems_due": services.rems_forms_for(ctx).count() if has_permission(request.user, "rems.form") else None,
    })


# --- REMS forms -------------------------------------------------------------------------------
@staff_required("rems.form")
def rems_list(request):
    ctx = _ctx(request)
    show_all = request.GET.get("all") == "1"
    forms_ = list(services.rems_forms_for(ctx, only_open=not show_all).order_by("submitted_at", "due_date"))
    today = timezone.localdate()
    return render(request, "treatments/rems_list.html", {"forms": forms_, "today": today, "show_all": show_all,
                                                         "due_days": cs.rems_form.REMS_FORM_DUE_DAYS, "active_nav": "sessions"})


@staff_required("rems.form")
@require_http_methods(["GET", "POST"])
def rems_detail(request, public_id):
    form = services.get_rems_form_for(_ctx(request), public_id)
    error, submit_form, status = "", tforms.RemsSubmitForm(), 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "regenerate":
                services.generate_rems_form(_ctx(request), _detailed(form.session_id))
                messages.success(request, "Form refilled from the session.")
            else:
                services.mark_rems_submitted(_ctx(request), form, request.POST.dict())
                messages.success(request, "Marked submitted.")
            return redirect("treatments:rems_detail", public_id=form.public_id)
        except (ValidationFailed, Conflict) as exc:
            error = "; ".join([exc.message] + [m for msgs in exc.errors.values() for m in msgs])
            submit_form, status = tforms.RemsSubmitForm(data=request.POST), exc.status
    clinician = services.monitoring_clinician(form.session)
    return render(request, "treatments/rems_detail.html", {
        "form": form, "rows": services.form_rows(form), "submit_form": submit_form, "error": error,
        "patient": form.session.patient, "active_nav": "sessions", "due_days": cs.rems_form.REMS_FORM_DUE_DAYS,
        "missing_labels": [cs.SCHEMAS[form.schema_version].field(k).label for k in form.missing_required],
        "clinician_contact_missing": bool({"clinician_phone", "clinician_email"} & set(form.missing_required)),
        "clinician": clinician, "clinician_is_me": clinician is not None and clinician.pk == request.user.pk,
    }, status=status)


@staff_required("rems.form")
def rems_pdf(request, public_id):
    form = services.get_rems_form_for(_ctx(request), public_id)
    response = HttpResponse(services.rems_pdf(form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rems-monitoring-{form.treatment_date:%Y%m%d}.pdf"'
    return response
