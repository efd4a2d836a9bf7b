"""Plan, protocol and schedule screens: thin — parse, call a service or read helper, render."""

import datetime as dt
import functools
import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.clinical.sources import SOURCES
from ketamine_clinic.core.dates import OUT_OF_RANGE, in_calendar
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.web.access import forbidden, staff_required
from ketamine_clinic.web.forms import bound, with_errors
from ketamine_clinic.web.refusals import attempt, flash_refusal
from ketamine_clinic.patients.services import current_measurement
from ketamine_clinic.pharmacology.curves import predicted_curve

from . import forms as plan_forms
from . import booking_checks, scheduling, services
from .clinic_policy import instruction_hours
from .services import protocol_store, reminders
from .scheduling import requests
from .models import AppointmentKind, AppointmentStatus, BoosterProposal, PlanStatus, Resource

VIEWS = {"day": 1, "week": 7, "fortnight": 14}


# --- schedule ---------------------------------------------------------------------------------
@staff_required("schedule.view")
def schedule(request):
    """Day, week or two-week view of one location, in its time zone."""
    ctx = Context.from_request(request)
    locations = list(scheduling.locations_for(ctx))
    location = None
    wanted = request.GET.get("location")
    if wanted:
        location = next((loc for loc in locations if str(loc.public_id) == wanted), None)
        if location is None:
            raise Http404("No such location.")
    else:
        location = next((loc for loc in locations if loc.pk == request.user.default_location_id), None) or (locations[0] if locations else None)
    view = request.GET.get("view", "day")
    if view not in VIEWS:
        view = "day"
    days = VIEWS[view]
    status = 200
    try:
        day = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day, status = None, 400
        messages.error(request, "Not a date; showing today. Use YYYY-MM-DD.")
    if not in_calendar(day):  # at the calendar's edges a week or two past the date overflows
        day, status = None, 400
        messages.error(request, f"{OUT_OF_RANGE} Showing today.")
    if location is None:
        return render(request, "plans/schedule.html", {"locations": [], "active_nav": "schedule"}, status=status)
    day = day or scheduling.local_today(location)
    if view != "day":
        day = day - dt.timedelta(days=day.weekday())  # weeks start on Monday
    appts = scheduling.appointments_for(ctx, location, day, days)
    columns = []
    for i in range(days):
        d = day + dt.timedelta(days=i)
        columns.append({"date": d, "items": [a for a in appts if a.local_start().date() == d]})
    context = {
        "locations": locations, "location": location, "view": view, "day": day, "columns": columns,
        "appointments": appts, "views": list(VIEWS),
        "grid": scheduling.chair_grid(location, day, appts) if view == "day" else None,
        "prev": day - dt.timedelta(days=days), "next": day + dt.timedelta(days=days), "today": scheduling.local_today(location),
        "can_manage": has_permission(request.user, "schedule.manage"),
        "can_setup": has_permission(request.user, "resources.manage"),
        "active_nav": "schedule",
    }
    return render(request, "plans/schedule.html", context, status=status)


@staff_required("resources.manage")
@require_http_methods(["GET", "POST"])
def location_setup(request, public_id):
    ctx = Context.from_request(request)
    location = scheduling.get_location_for(ctx, public_id, "resources.manage")
    staff = list(location.organization.users.filter(kind="staff", is_active=True))
    status = 200
    resource_form = plan_forms.ResourceForm(staff=staff)
    hours_initial = {}
    for wd, spans in scheduling.opening_hours_of(location).items():
        hours_initial[plan_forms.WEEKDAYS[wd]] = ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in spans)
    hours_form = plan_forms.OpeningHoursForm(initial=hours_initial)
    closed_form = plan_forms.ClosedDateForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "resource":
                r = scheduling.add_resource(ctx, location, request.POST.dict())
                messages.success(request, f"{r.get_kind_display()} {r.name} added.")
            elif action == "hours":
                scheduling.set_opening_hours(ctx, location, request.POST.dict())
                messages.success(request, "Opening hours saved.")
            elif action == "closed":
                scheduling.add_closed_date(ctx, location, request.POST.dict())
                messages.success(request, "Closed day added.")
            elif action in ("deactivate", "activate"):
                resource = scheduling.get_resource_for(ctx, request.POST.get("resource"))
                scheduling.set_resource_active(ctx, resource, action == "activate")
                messages.success(request, f"{resource.name} {'active' if action == 'activate' else 'no longer bookable'}.")
            else:
                raise ValidationFailed({"action": ["Unknown action."]})
            return redirect("plans:location_setup", public_id=location.public_id)
        except (ValidationFailed, Conflict) as exc:
            status = exc.status
            if action == "resource":
                resource_form = bound(plan_forms.ResourceForm, request.POST, exc.errors, staff=staff)
            elif action == "hours":
                hours_form = bound(plan_forms.OpeningHoursForm, request.POST, exc.errors)
            elif action == "closed":
                closed_form = bound(plan_forms.ClosedDateForm, request.POST, exc.errors)
            else:
                flash_refusal(request, exc)
    context = {
        "location": location, "resources": location.resources.select_related("staff").order_by("-is_active", "kind", "name"),
        "closed_dates": location.closed_dates.filter(date__gte=scheduling.local_today(location)),
        "resource_form": resource_form, "hours_form": hours_form, "closed_form": closed_form, "active_nav": "schedule",
    }
    return render(request, "plans/location_setup.html", context, status=status)


# --- protocols --------------------------------------------------------------------------------
def _protocol_reader(view):
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if not user.is_staff_member or not (has_permission(user, "plan.view") or has_permission(user, "protocol.manage")):
            return forbidden(request, "plan.view")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@_protocol_reader
def protocols(request):
    ctx = Context.from_request(request)
    entries = protocol_store.protocols_for(ctx)
    return render(request, "plans/protocols.html", {
        "library": [e for e in entries if e.source == protocol_store.LIBRARY],
        "clinic": [e for e in entries if e.source == protocol_store.CLINIC],
        "can_manage": has_permission(request.user, "protocol.manage"),
    })


def _sources(entry):
    return [SOURCES[k] for k in sorted(entry.protocol.cited_sources())]


@_protocol_reader
def protocol_detail(request, key):
    ctx = Context.from_request(request)
    try:
        version = int(request.GET["version"]) if request.GET.get("version") else None
    except ValueError:
        version = None
    entry = protocol_store.get_protocol_for(ctx, key, version)
    return render(request, "plans/protocol.html", {
        "entry": entry, "p": entry.protocol, "sources": _sources(entry),
        "versions": protocol_store.protocol_versions(ctx, key) if entry.source == protocol_store.CLINIC else [],
        "can_manage": has_permission(request.user, "protocol.manage"),
        "json": json.dumps(entry.data, indent=2),
    })


@staff_required("protocol.manage")
@require_http_methods(["GET", "POST"])
def protocol_edit(request, key):
    ctx = Context.from_request(request)
    entry = protocol_store.get_protocol_for(ctx, key)
    if request.method == "POST":
        try:
            row = protocol_store.save_clinic_protocol(ctx, request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            form = bound(plan_forms.ProtocolForm, request.POST, {k: v for k, v in exc.errors.items() if not k.startswith("protocol.")})
            protocol_errors = {k.removeprefix("protocol."): v for k, v in exc.errors.items() if k.startswith("protocol.")}
            return render(request, "plans/protocol_edit.html", {"form": form, "entry": entry, "error": exc.message,
                                                                "protocol_errors": protocol_errors}, status=exc.status)
        messages.success(request, f"Saved {row.key} version {row.version}.")
        return redirect("plans:protocol", key=row.key)
    new_key = entry.key if entry.source == protocol_store.CLINIC else f"{entry.key}-{request.user.organization.slug}"
    form = plan_forms.ProtocolForm(initial={"based_on": entry.key, "based_on_version": entry.version, "key": new_key,
                                            "protocol": json.dumps(entry.data, indent=2)})
    return render(request, "plans/protocol_edit.html", {"form": form, "entry": entry})


# --- plans ------------------------------------------------------------------------------------
@staff_required("plan.view")
def patient_plans(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id)
    now = timezone.now()
    upcoming = (patient.appointments.filter(end_at__gte=now).select_related("location", "resource", "staff", "plan")
                .order_by("start_at"))
    return render(request, "plans/patient.html", {
        "patient": patient, "plans": services.plans_for(ctx, patient), "upcoming": upcoming,
        "feed": reminders.active_feed(patient), "new_feed_url": request.session.pop("plans_new_feed_url", None),
        "can_edit": has_permission(request.user, "plan.edit"),
        "can_manage": has_permission(request.user, "schedule.manage"),
    })


@staff_required("plan.edit")
@require_http_methods(["GET", "POST"])
def plan_new(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id, "plan.edit")
    declined = services.declined_routes(patient)
    entries = [e for e in protocol_store.protocols_for(ctx) if e.route not in declined]
    locations = list(scheduling.locations_for(ctx))
    therapists = services.therapist_choices(patient.organization_id)

    def build(data=None, errors=None):
        form = plan_forms.PlanForm(data=data, initial={
            "protocol": request.GET.get("protocol", ""), "preferred_time": "09:00",
            "location": str((patient.home_location or request.user.default_location or (locations[0] if locations else None)).public_id)
            if (patient.home_location or request.user.default_location or locations) else "",
            "start_date": timezone.localdate() + dt.timedelta(days=1)})
        form.fields["protocol"].widget = forms.Select(choices=[(e.key, f"{e.title} ({e.key} v{e.version})") for e in entries])
        form.fields["location"].widget.choices = [(str(loc.public_id), f"{loc.name} ({loc.time_zone})") for loc in locations]
        form.fields["therapist"].widget.choices = [("", "—")] + [(str(u.public_id), u.name) for u in therapists]
        return with_errors(form, errors) if errors else form

    if request.method == "POST":
        try:
            plan = services.create_plan(ctx, patient, request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            return render(request, "plans/plan_new.html", {"form": build(request.POST, exc.errors), "patient": patient,
                                                           "entries": entries, "declined": declined,
                                                           "error": exc.message}, status=exc.status)
        messages.success(request, "Draft plan saved. A prescriber signs it to activate it and book the sessions.")
        return redirect("plans:plan", public_id=plan.public_id)
    return render(request, "plans/plan_new.html", {"form": build(), "patient": patient, "entries": entries,
                                                   "declined": declined})


@staff_required("plan.view")
def plan_detail(request, public_id):
    ctx = Context.from_request(request)
    plan = services.get_plan_for(ctx, public_id, audit=True)
    protocol = services.plan_protocol(plan)
    preview, preview_problem, permission = [], "", None
    if plan.status == PlanStatus.DRAFT:
        preview, preview_problem = services.preview_schedule(plan)
        permission = services.may_treat(plan.patient, plan.route, scheduling.local_today(plan.location))
    appts = list(plan.appointments.select_related("location", "resource", "staff").order_by("start_at"))
    return render(request, "plans/plan.html", {
        "curve": _predicted_curve(plan, protocol) if has_permission(request.user, "pk.use") else None,
        "plan": plan, "patient": plan.patient, "p": protocol, "sources": [SOURCES[k] for k in sorted(protocol.cited_sources())],
        "doses": plan.doses.select_related("signed_by", "created_by"), "changes": plan.status_changes.select_related("changed_by"),
        "appointments": appts, "dosing_count": sum(1 for a in appts if a.kind == AppointmentKind.DOSING and a.is_live),
        "proposals": plan.booster_proposals.select_related("decided_by", "result_plan"),
        "preview": [{"n": p.session_number, "start": dateformat.format(p.local_start(plan.location.time_zone), "D Y-m-d H:i"),
                     "resource": p.resource_id} for p in preview],
        "preview_problem": preview_problem, "permission": permission,
        "titration": services.titration_hints(plan) if plan.status == PlanStatus.ACTIVE else [],
        "booking_warnings": booking_checks.plan_warnings(request.user, plan, scheduling.local_today(plan.location)),
        "instructions": cp.pre_visit_instructions(plan.route, hours=instruction_hours(plan.organization)) if not protocol.at_home else [],
        "can_sign": has_permission(request.user, "plan.sign"), "can_edit": has_permission(request.user, "plan.edit"),
        "can_manage": has_permission(request.user, "schedule.manage"),
        "first_dose_day": appts[0].local_start().date() if appts else None,
    })


def _predicted_curve(plan, protocol):
    dose = plan.doses.order_by("-version").first()
    measurement = current_measurement(plan.patient)
    return predicted_curve(
        plan.organization, route=plan.route, unit=dose.unit, amount=dose.dose,
        duration_min=protocol.dose_rule.infusion_duration_min, weight_kg=float(measurement.weight_kg) if measurement else None,
        age_years=plan.patient.age_on(plan.start_date), sex=plan.patient.sex_at_birth,
    )


def _plan_post(action):
    """A one-button POST on a plan: the decorated ``act(request, ctx, plan)`` calls a service and
    returns the success message; a refusal is flashed; back to the plan either way."""
    def wrap(act):
        @staff_required(action)
        @require_POST
        @functools.wraps(act)
        def view(request, public_id):
            ctx = Context.from_request(request)
            plan = services.get_plan_for(ctx, public_id, action)
            result = attempt(request, lambda: act(request, ctx, plan))
            if isinstance(result, str):
                messages.success(request, result)
            return redirect("plans:plan", public_id=plan.public_id)
        return view
    return wrap


@_plan_post("plan.sign")
def plan_activate(request, ctx, plan):
    plan, warnings = services.activate_plan(ctx, plan, request.POST.get("reason", ""),
                                            override_reason=request.POST.get("override_reason", ""))
    for w in warnings:
        messages.warning(request, w)
    return f"Plan signed and activated: {plan.appointments.filter(kind=AppointmentKind.DOSING).count()} session(s) booked."


@_plan_post("plan.sign")
def plan_status(request, ctx, plan):
    plan = services.change_status(ctx, plan, request.POST.get("status", ""), request.POST.get("reason", ""),
                                  override_reason=request.POST.get("override_reason", ""))
    return f"Plan {plan.get_status_display().lower()}."


@_plan_post("plan.sign")
def plan_dose(request, ctx, plan):
    dose = services.change_dose(ctx, plan, request.POST.dict())
    return f"Dose version {dose.version} signed: {dose.dose.normalize():f} {dose.unit}."


@_plan_post("plan.edit")
def plan_relapse(request, ctx, plan):
    proposal = services.signal_relapse(ctx, plan, request.POST.dict())
    return f"Relapse recorded. {proposal.explanation} A prescriber accepts or declines it."


def _interval_choices(post) -> dict[str, int]:
    """The chosen booster interval per phase, from ``interval__<phase>`` fields (a phase that offers a choice)."""
    choices = {}
    for key, value in post.items():
        if key.startswith("interval__") and value:
            if not value.isdigit():
                raise ValidationFailed({key: ["Choose one of the offered intervals."]})
            choices[key.removeprefix("interval__")] = int(value)
    return choices


@staff_required("plan.sign")
@require_POST
def proposal_decide(request, public_id, decision):
    if decision not in ("accept", "decline"):
        raise Http404("Unknown decision.")
    ctx = Context.from_request(request)
    proposal = services.get_proposal_for(ctx, public_id, "plan.sign")
    reason = request.POST.get("reason", "")
    if decision == "accept":
        accepted = attempt(request, lambda: services.accept_proposal(
            ctx, proposal, reason, interval_choices=_interval_choices(request.POST),
            override_reason=request.POST.get("override_reason", "")))
        if accepted is not None:
            proposal = accepted
            messages.success(request, "Accepted: the boosters are booked.")
    elif attempt(request, lambda: services.decline_proposal(ctx, proposal, reason)) is not None:
        messages.success(request, "Declined.")
    target = proposal.result_plan if proposal.status == BoosterProposal.Status.ACCEPTED and proposal.result_plan_id else proposal.plan
    return redirect("plans:plan", public_id=target.public_id)


# --- appointments ------------------------------------------------------------------------------
@staff_required("schedule.view")
def appointment_detail(request, public_id):
    ctx = Context.from_request(request)
    appt = scheduling.get_appointment_for(ctx, public_id)
    form = plan_forms.RescheduleForm(initial={"start": appt.local_start().replace(tzinfo=None), "version": appt.version})
    return render(request, "plans/appointment.html", _appointment_context(request, appt, form))


def _appointment_context(request, appt, form, error=None):
    form.fields["resource"].widget = forms.Select(choices=[("", "Keep " + (appt.resource.name if appt.resource_id else "none"))] + [
        (str(r.public_id), r.name) for r in scheduling.bookable_resources(appt.location)])
    return {"appt": appt, "form": form, "error": error, "changes": appt.changes.select_related("changed_by"),
            "reminders": appt.reminders.order_by("claimed_at"),
            "requests": appt.requests.select_related("handled_by"),
            "can_handle": has_permission(request.user, "schedule.manage"),
            "can_manage": has_permission(request.user, "schedule.manage") and appt.status == AppointmentStatus.BOOKED,
            "started": appt.start_at <= timezone.now()}


@staff_required("schedule.manage")
@require_POST
def appointment_request_handled(request, public_id):
    """Mark a patient's reschedule/cancel request handled; back to its appointment."""
    ctx = Context.from_request(request)
    req = attempt(request, lambda: requests.handle_request(ctx, public_id, request.POST.dict()))
    if req is None:
        return redirect("plans:schedule")
    messages.success(request, "Request marked handled.")
    return redirect("plans:appointment", public_id=req.appointment.public_id)


@staff_required("schedule.manage")
@require_POST
def appointment_reschedule(request, public_id):
    ctx = Context.from_request(request)
    appt = scheduling.get_appointment_for(ctx, public_id, "schedule.manage")
    try:
        appt = scheduling.reschedule_appointment(ctx, appt, request.POST.dict())
    except (ValidationFailed, Conflict) as exc:
        form = bound(plan_forms.RescheduleForm, request.POST, exc.errors)
        return render(request, "plans/appointment.html", _appointment_context(request, appt, form, exc.message), status=exc.status)
    messages.success(request, f"Moved to {appt.local_start():%a %Y-%m-%d %H:%M}.")
    return redirect("plans:appointment", public_id=appt.public_id)


@staff_required("schedule.manage")
@require_POST
def appointment_end(request, public_id, outcome):
    if outcome not in ("cancel", "no-show"):
        raise Http404("Unknown action.")
    ctx = Context.from_request(request)
    appt = scheduling.get_appointment_for(ctx, public_id, "schedule.manage")
    end, done = ((scheduling.cancel_appointment, "Appointment cancelled (kept in the record).") if outcome == "cancel"
                 else (scheduling.mark_no_show, "No-show recorded."))
    if attempt(request, lambda: end(ctx, appt, request.POST.get("reason", ""))) is not None:
        messages.success(request, done)
    return redirect("plans:appointment", public_id=appt.public_id)


@staff_required("schedule.manage")
@require_http_methods(["GET", "POST"])
def appointment_new(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id, "schedule.manage")
    locations = list(scheduling.locations_for(ctx))
    resources = list(Resource.objects.filter(location__in=locations, is_active=True, kind__in=scheduling.BOOKABLE_KINDS)
                     .select_related("location"))
    staff = services.therapist_choices(patient.organization_id)
    plans = list(patient.treatment_plans.filter(status=PlanStatus.ACTIVE))

    def build(data=None, errors=None):
        form = plan_forms.AppointmentForm(data=data, initial={"location": str(locations[0].public_id) if locations else ""})
        form.fields["location"].widget = forms.Select(choices=[(str(x.public_id), x.name) for x in locations])
        form.fields["resource"].widget = forms.Select(choices=[("", "—")] + [(str(r.public_id), f"{r.name} ({r.location.name})") for r in resources])
        form.fields["staff"].widget = forms.Select(choices=[("", "—")] + [(str(u.public_id), u.name) for u in staff])
        form.fields["plan"].widget = forms.Select(choices=[("", "—")] + [(str(p.public_id), p.protocol_title) for p in plans])
        return with_errors(form, errors) if errors else form

    if request.method == "POST":
        try:
            appt = scheduling.book_appointment(ctx, patient, request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            return render(request, "plans/appointment_new.html", {"form": build(request.POST, exc.errors), "patient": patient,
                                                                  "error": exc.message}, status=exc.status)
        messages.success(request, f"Booked {appt.local_start():%a %Y-%m-%d %H:%M} at {appt.location.name}.")
        return redirect("plans:appointment", public_id=appt.public_id)
    return render(request, "plans/appointment_new.html", {"form": build(), "patient": patient})


# --- calendar feed -----------------------------------------------------------------------------
@staff_required("schedule.manage")
@require_POST
def calendar_feed(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id, "schedule.manage")
    if request.POST.get("action") == "revoke":
        reminders.revoke_feed(ctx, patient)
        messages.success(request, "Calendar link revoked: the old address no longer works.")
    else:
        _, raw = reminders.create_feed(ctx, patient)
        request.session["plans_new_feed_url"] = request.build_absolute_uri(reverse("plans:ics", args=[raw]))
        messages.success(request, "New calendar link made (any earlier link stops working). Give it to the patient now: it is shown once.")
    return redirect("plans:patient", public_id=patient.public_id)


@never_cache
@require_GET
def ics_feed(request, token):
    """The patient's calendar. No sign-in: the secret URL is the key; a revoked one is not found."""
    feed = reminders.feed_for_token(token)
    response = HttpResponse(reminders.feed_ics(feed, ctx=Context.from_request(request)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response

