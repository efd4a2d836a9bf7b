"""Assessment screens: thin — parse, call a service or read helper, render.

Three ways in: the patient portal (signed-in patient), a one-time link (clinic tablet or email; no
sign-in, shows only that questionnaire), and staff entry of a paper form or clinician rating.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.web.access import forbidden, staff_required
from ketamine_clinic.web.refusals import flash_refusal

from . import forms as aforms
from . import services
from .models import LinkPurpose, ResponseMode


# --- helpers ----------------------------------------------------------------------------------
def _instrument_or_404(key: str) -> ci.Instrument:
    try:
        return ci.get_instrument(key)
    except ci.UnknownInstrumentError:
        raise Http404("No such questionnaire.") from None


def _form_items(instrument: ci.Instrument, answers: dict, errors: dict) -> list[dict]:
    """What the questionnaire template needs per item: options, the chosen value, its errors."""
    rows = []
    for n, item in enumerate(instrument.items, start=1):
        chosen = answers.get(item.link_id)
        options = [
            {
                "value": ("true" if o.value else "false") if isinstance(o.value, bool) else str(o.value),
                "label": o.label if o.label is not None else str(int(o.value)),
                "checked": chosen is not None and str(chosen).lower() == (str(o.value).lower()),
            }
            for o in item.options
        ]
        rows.append({"item": item, "number": n, "options": options, "errors": errors.get(item.link_id, [])})
    return rows


def _other_errors(instrument: ci.Instrument, errors: dict) -> list[str]:
    known = set(instrument.link_ids)
    return [f"{k}: {m}" if k != "answers" else m for k, msgs in errors.items() if k not in known for m in msgs]


def _questionnaire(request, instrument, *, answers=None, errors=None, status=200, **extra):
    errors = errors or {}
    context = {
        "instrument": instrument,
        "rows": _form_items(instrument, answers or {}, errors),
        "other_errors": _other_errors(instrument, errors),
        **extra,
    }
    return render(request, "assessments/questionnaire.html", context, status=status)


def _questionnaire_invalid(request, instrument, exc, **extra):
    """The questionnaire again, with what was posted and the service's errors (422, or 409 on a conflict)."""
    return _questionnaire(request, instrument, answers=request.POST, errors=exc.errors, status=exc.status, error=exc.message, **extra)


def portal_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_portal_patient:
            return redirect("home")
        ctx = Context.from_request(request)
        try:
            patient = services.own_patient(ctx)
        except NotFound:
            return render(request, "portal/unlinked.html", status=404)
        return view(request, ctx, patient, *args, **kwargs)

    return wrapper


# --- patient portal ---------------------------------------------------------------------------
@portal_required
def portal_index(request, ctx, patient):
    drafts = {d.instrument_key: d for d in services.drafts_for_patient(patient, ResponseMode.PORTAL, request.user)}
    history = services.responses_for(ctx, patient, include_superseded=False)[:20]
    instruments = [{"instrument": i, "draft": drafts.get(i.key)} for i in services.self_report_instruments()]
    return render(request, "assessments/portal_index.html", {"patient": patient, "instruments": instruments, "history": history})


@portal_required
@require_http_methods(["GET", "POST"])
def portal_form(request, ctx, patient, key):
    instrument = _instrument_or_404(key)
    if not services.patient_can_answer(instrument):
        raise Http404("No such questionnaire.")
    action_url = reverse("assessments:portal_form", args=[instrument.key])
    if request.method == "POST":
        answers = aforms.parse_answers(instrument, request.POST)
        try:
            if request.POST.get("action") == "save":
                services.save_draft(ctx, patient, instrument.key, answers, mode=ResponseMode.PORTAL)
                messages.success(request, "Your answers are saved. You can finish later.")
                return redirect("assessments:portal_index")
            response = services.submit_response(ctx, patient, instrument.key, answers, mode=ResponseMode.PORTAL)
        except ValidationFailed as exc:
            return _questionnaire_invalid(request, instrument, exc, action_url=action_url, patient=patient, allow_draft=True)
        return redirect("assessments:portal_done", public_id=response.public_id)
    draft = services.find_draft(patient, instrument.key, ResponseMode.PORTAL, user=request.user)
    return _questionnaire(request, instrument, answers=draft.answers if draft else {}, action_url=action_url, patient=patient, allow_draft=True)


@portal_required
def portal_done(request, ctx, patient, public_id):
    response = services.responses_for(ctx, patient).filter(public_id=public_id).first()
    if response is None:
        raise Http404("No such response.")
    return render(request, "assessments/done.html", {"response": response, "organization": patient.organization, "portal": True})


# --- one-time link (tablet or email): no sign-in ----------------------------------------------
@require_http_methods(["GET", "POST"])
def link_form(request, token):
    try:
        link = services.open_link(token)
    except NotFound as exc:
        return render(request, "assessments/link_unavailable.html", {"message": exc.message}, status=404)
    except services.LinkUnavailable as exc:
        return render(request, "assessments/link_unavailable.html", {"message": exc.message}, status=410)
    instrument = ci.get_instrument(link.instrument_key)
    ctx = Context.from_request(request)
    action_url = reverse("assessments:link", args=[token])
    if request.method == "POST":
        answers = aforms.parse_answers(instrument, request.POST)
        try:
            if request.POST.get("action") == "save":
                services.save_draft(ctx, link.patient, instrument.key, answers, mode=link.mode, link=link)
                messages.success(request, "Your answers are saved on this link until it expires.")
                return redirect(action_url)
            response = services.submit_response(ctx, link.patient, instrument.key, answers, mode=link.mode, link=link)
        except ValidationFailed as exc:
            return _questionnaire_invalid(request, instrument, exc, action_url=action_url, allow_draft=True, via_link=True,
                                          organization=link.organization)
        except services.LinkUnavailable as exc:
            return render(request, "assessments/link_unavailable.html", {"message": exc.message}, status=410)
        return render(request, "assessments/done.html", {"response": response, "organization": link.organization, "portal": False})
    draft = services.find_draft(link.patient, instrument.key, link.mode, link=link)
    return _questionnaire(request, instrument, answers=draft.answers if draft else {},
                          action_url=action_url, allow_draft=True, via_link=True, organization=link.organization)


# --- staff ------------------------------------------------------------------------------------
@staff_required("assessment.enter")
@require_http_methods(["GET", "POST"])
def staff_enter(request, public_id, key):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id, action="assessment.enter")
    instrument = _instrument_or_404(key)
    mode = ResponseMode.CLINICIAN if instrument.respondent == ci.Respondent.CLINICIAN else ResponseMode.STAFF_PAPER
    action_url = reverse("assessments:enter", args=[patient.public_id, instrument.key])
    extra = {"patient": patient, "action_url": action_url, "staff_entry": True, "mode_label": ResponseMode(mode).label}
    if request.method == "POST":
        answers = aforms.parse_answers(instrument, request.POST)
        date_form = aforms.CompletedAtForm(data={"completed_at": request.POST.get("completed_at", "")})
        if not date_form.is_valid():
            return _questionnaire_invalid(request, instrument, ValidationFailed({"completed_at": date_form.errors["completed_at"]}), **extra)
        try:
            response = services.submit_response(ctx, patient, instrument.key, answers, mode=mode,
                                                completed_at=date_form.cleaned_data["completed_at"])
        except ValidationFailed as exc:
            return _questionnaire_invalid(request, instrument, exc, **extra)
        messages.success(request, f"{instrument.name} recorded" + (" — suicide-risk alert raised." if response.suicide_risk else "."))
        return redirect("assessments:response", public_id=response.public_id)
    return _questionnaire(request, instrument, **extra)


@staff_required("assessment.view")
def response_detail(request, public_id):
    response = services.get_response_for(Context.from_request(request), public_id)
    instrument = response.instrument
    items = [{"item": it, "value": response.answers.get(it.link_id)} for it in instrument.items]
    return render(request, "assessments/response.html", {
        "response": response, "patient": response.patient, "instrument": instrument, "items": items,
        "can_amend": has_permission(request.user, "assessment.enter") and response.is_current,
        "alert": response.patient.suicide_risk_alerts.filter(response=response).first(),
    })


@staff_required("assessment.enter")
@require_http_methods(["GET", "POST"])
def response_amend(request, public_id):
    ctx = Context.from_request(request)
    original = services.get_response_for(ctx, public_id)
    instrument = original.instrument
    action_url = reverse("assessments:amend", args=[original.public_id])
    extra = {"patient": original.patient, "action_url": action_url, "amending": original}
    if request.method == "POST":
        answers = aforms.parse_answers(instrument, request.POST)
        try:
            amended = services.amend_response(ctx, original, answers, request.POST.get("reason", ""))
        except (ValidationFailed, Conflict) as exc:
            return _questionnaire_invalid(request, instrument, exc, reason=request.POST.get("reason", ""), **extra)
        messages.success(request, "Amended. The original stays readable and no longer counts in trajectories.")
        return redirect("assessments:response", public_id=amended.public_id)
    return _questionnaire(request, instrument, answers=original.answers, **extra)


@staff_required("measures.send_link")
@require_POST
def create_link(request, public_id):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, public_id, action="measures.send_link", audit_action=None)
    key = request.POST.get("instrument", "")
    purpose = request.POST.get("purpose", LinkPurpose.TABLET)
    try:
        if purpose == LinkPurpose.EMAIL:
            services.send_measure_link(ctx, patient, key, base_url=request.build_absolute_uri("/"))
            messages.success(request, "A one-time link was emailed to the patient.")
            return redirect("assessments:patient", public_id=patient.public_id)
        link, raw = services.create_link(ctx, patient, key, LinkPurpose.TABLET)
    except (ValidationFailed, Conflict) as exc:
        flash_refusal(request, exc, "No link created: ")
        return redirect("assessments:patient", public_id=patient.public_id)
    url = request.build_absolute_uri(reverse("assessments:link", args=[raw]))
    return render(request, "assessments/tablet_link.html", {"patient": patient, "link": link, "url": url,
                                                            "instrument": ci.get_instrument(link.instrument_key)})


@login_required
def alerts(request):
    """Clinicians see every alert of the clinic; clinic admins the escalated ones (the service decides)."""
    if not request.user.is_staff_member:
        return forbidden(request, "alert.acknowledge")
    status = request.GET.get("status", "open")
    if status not in ("open", "acknowledged", "all"):
        status = "open"
    items = services.with_people(services.open_alerts_for(Context.from_request(request), status)[:200])
    return render(request, "assessments/alerts.html", {
        "alerts": items, "status": status, "can_acknowledge": has_permission(request.user, "alert.acknowledge"),
        "can_see_answers": has_permission(request.user, "assessment.view"), "common_actions": aforms.COMMON_ALERT_ACTIONS,
    })


@staff_required("alert.acknowledge")
@require_POST
def alert_acknowledge(request, public_id):
    ctx = Context.from_request(request)
    try:
        services.acknowledge_alert(ctx, public_id, request.POST.get("action_taken", ""), request.POST.getlist("actions"))
    except (ValidationFailed, Conflict) as exc:
        flash_refusal(request, exc, "Not acknowledged: ")
        return _back_to_alerts(request)
    messages.success(request, "Alert acknowledged; the action taken is on the chart.")
    return _back_to_alerts(request)


def _back_to_alerts(request):
    """Back where the form was posted from (a local path only, never another site), else the alert list."""
    nxt = request.POST.get("next", "")
    return redirect(nxt) if nxt.startswith("/") and not nxt.startswith("//") else redirect("assessments:alerts")
