"""Screening screens: thin — parse, call a service, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical.eligibility import Level, Outcome
from ketamine_clinic.clinical.eligibility.indications import Indication
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, error_text
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.web.access import forbidden, staff_required
from ketamine_clinic.web.forms import with_errors
from ketamine_clinic.web.refusals import attempt

from . import forms as sforms
from . import services
from .models import Consent, ConsentDocument

OUTCOME_CLASS = {
    Outcome.CONTRAINDICATED: "msg-error",
    Outcome.NEEDS_PRESCRIBER_REVIEW: "msg-warning",
    Outcome.ELIGIBLE_WITH_CAUTIONS: "msg-warning",
    Outcome.ELIGIBLE: "msg-success",
}
LEVEL_LABEL = {
    Level.ABSOLUTE: "Absolute contraindication",
    Level.RELATIVE: "Relative contraindication (prescriber review)",
    Level.CAUTION: "Caution",
    Level.PREREQUISITE: "Before the first treatment",
}


def _ctx(request) -> Context:
    return Context.from_request(request)


def _patient(request, public_id, action="evaluation.view", audit_action=Action.EVALUATION_VIEW):
    return services.get_screening_patient(_ctx(request), public_id, action=action, audit_action=audit_action)


def _route_or_404(value) -> Route:
    try:
        return Route(value)
    except ValueError:
        raise Http404("Unknown route.") from None


# --- overview ---------------------------------------------------------------------------------
@staff_required("evaluation.view")
def overview(request, public_id):
    patient = _patient(request, public_id)
    ctx = _ctx(request)
    state = services.screening_state(patient)
    return render(request, "screening/overview.html", {
        "patient": patient,
        "state": state,
        "rows": [(s, OUTCOME_CLASS.get(s.outcome, ""), services.may_treat(patient, s.route, patient_today(patient), state=state))
                 for s in state.routes.values()],
        "evaluations": services.evaluations_for(ctx, patient),
        "decisions": services.decisions_for(ctx, patient),
        "consents": patient.consents.select_related("document", "witnessed_by", "revoked_by"),
        "rems_history": patient.rems_enrollments.select_related("prescriber", "recorded_by"),
        "pending_report": services.open_reported_intake(patient),
        "can_edit": has_permission(request.user, "evaluation.edit"),
        "can_witness": has_permission(request.user, "consent.witness"),
        "can_enroll": has_permission(request.user, "rems.enroll"),
    })


# --- the evaluation form ----------------------------------------------------------------------
def _evaluation_form_page(request, patient, form, prefill, *, draft=None, report=None, notes=(), changed=(), error=None, status=200):
    return render(request, "screening/evaluation_form.html", {
        "chart_suggestions": services.chart_suggestions(patient),
        "patient": patient, "form": form, "prefill": prefill, "draft": draft, "report": report,
        "report_notes": notes, "report_changed": set(changed), "error": error,
        "patient_questions": {k: q for k, q, _ in sforms.PATIENT_QUESTIONS},
    }, status=status)


def _report_for(patient, value):
    return services.get_reported_intake(patient, value) if value else None


def _handle_evaluation_post(request, patient, prefill, draft):
    form = sforms.EvaluationForm(data=request.POST)
    report = _report_for(patient, request.POST.get("report"))
    complete = request.POST.get("action") == "complete"
    if not form.is_valid():
        return _evaluation_form_page(request, patient, form, prefill, draft=draft, report=report,
                                     error="Some fields need attention.", status=422)
    data = form.to_evaluation_dict(prefill)
    try:
        ev = services.save_evaluation(
            _ctx(request), patient, data, complete=complete, evaluation=draft,
            expected_revision=form.cleaned_data.get("revision") if draft else None, report=report,
        )
    except ValidationFailed as exc:
        with_errors(form, sforms.EvaluationForm.map_errors(exc.errors, data))
        return _evaluation_form_page(request, patient, form, prefill, draft=draft, report=report, error=exc.message, status=422)
    except Conflict as exc:
        return _evaluation_form_page(request, patient, form, prefill, draft=draft, report=report, error=exc.message, status=409)
    for c in ev.chart_corrections:  # the chart wins: say what it added or overrode
        messages.warning(request, f"From the chart: {c.message} To exclude it, mark the chart entry inactive or entered in error.")
    if complete:
        messages.success(request, f"Evaluation v{ev.version} completed.")
        return redirect("screening:evaluation", public_id=patient.public_id, evaluation_id=ev.public_id)
    messages.success(request, f"Draft evaluation v{ev.version} saved.")
    return redirect("screening:evaluation_edit", public_id=patient.public_id, evaluation_id=ev.public_id)


def _initial_with_report(request, patient, initial):
    report = _report_for(patient, request.GET.get("report"))
    notes, changed = [], []
    if report is not None:
        initial, changed, notes = sforms.overlay_patient_answers(initial, report.answers)
        initial["report"] = report.public_id
    return initial, report, notes, changed


@staff_required("evaluation.edit")
@require_http_methods(["GET", "POST"])
def evaluation_new(request, public_id):
    patient = _patient(request, public_id, action="evaluation.edit", audit_action=None)
    draft = services.open_draft(patient)
    if draft is not None:
        url = reverse("screening:evaluation_edit", args=[patient.public_id, draft.public_id])
        if request.GET.get("report"):
            url += f"?report={request.GET['report']}"
        return redirect(url)
    prefill = services.registry_prefill(patient)
    if request.method == "POST":
        return _handle_evaluation_post(request, patient, prefill, None)
    current = services.current_evaluation(patient)
    initial = sforms.EvaluationForm.initial_from(current.data) if current else {}
    if prefill["weight_kg"] is not None:
        initial["weight_kg"] = prefill["weight_kg"]
    initial, report, notes, changed = _initial_with_report(request, patient, initial)
    return _evaluation_form_page(request, patient, sforms.EvaluationForm(initial=initial), prefill, report=report,
                                 notes=notes, changed=changed)


@staff_required("evaluation.edit")
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, public_id, evaluation_id):
    patient = _patient(request, public_id, action="evaluation.edit", audit_action=None)
    draft = services.get_evaluation_for(_ctx(request), patient, evaluation_id)
    if not draft.is_draft:
        messages.error(request, "This evaluation is completed and cannot be changed; start a new evaluation to revise it.")
        return redirect("screening:evaluation", public_id=patient.public_id, evaluation_id=draft.public_id)
    prefill = services.registry_prefill(patient)
    if request.method == "POST":
        return _handle_evaluation_post(request, patient, prefill, draft)
    initial = sforms.EvaluationForm.initial_from(draft.data)
    initial["revision"] = draft.revision
    initial, report, notes, changed = _initial_with_report(request, patient, initial)
    return _evaluation_form_page(request, patient, sforms.EvaluationForm(initial=initial), prefill, draft=draft,
                                 report=report, notes=notes, changed=changed)


# --- the evaluation and its eligibility -------------------------------------------------------
def _detail_context(request, patient, ev, sign_errors=None, sign_values=None):
    result, merged, chart_corrections = services.chart_eligibility(ev)  # drafts too: a preview while the evaluation is written
    decisions = services.current_decisions(patient, ev)
    routes = []
    for route, decision in result.decisions.items():
        routes.append({
            "route": route, "decision": decision, "css": OUTCOME_CLASS[decision.outcome],
            "reasons": [{"r": r, "level_label": LEVEL_LABEL[r.level], "source_label": services.source_label(r.source),
                         "clinic_policy": r.source == "clinic-policy"} for r in decision.reasons],
            "signed": decisions.get(route),
            "can_approve": decision.outcome is not Outcome.CONTRAINDICATED,
            "needs_reason": decision.outcome is Outcome.NEEDS_PRESCRIBER_REVIEW,
            "errors": (sign_errors or {}).get(route.value),
            "values": (sign_values or {}).get(route.value, {}),
        })
    return {
        "patient": patient, "ev": ev, "result": result, "routes": routes, "chart_corrections": chart_corrections,
        "chart_suggestions": services.chart_suggestions(patient, merged),
        "trd": result.treatment_resistance, "baseline": services.baseline_measures(ev.data, patient, ev.created_at),
        "policy": services.policy_rows(patient.organization_id),
        "history": ev.decisions.select_related("signed_by").order_by("route", "-version"),
        "can_sign": has_permission(request.user, "eligibility.sign") and ev.is_current,
        "can_edit": has_permission(request.user, "evaluation.edit"),
        "labels": _labels(ev.data),
    }


def _labels(data: dict) -> dict:
    return {
        "indications": [(Indication(p["indication"]).label, p["icd10cm_codes"]) for p in data["indications"]],
        "medical_yes": [label for name, label in sforms.MEDICAL_BOOLEANS if data["medical_history"].get(name)],
    }


@staff_required("evaluation.view")
def evaluation_detail(request, public_id, evaluation_id):
    patient = _patient(request, public_id)
    ev = services.get_evaluation_for(_ctx(request), patient, evaluation_id)
    return render(request, "screening/evaluation_detail.html", _detail_context(request, patient, ev))


@staff_required("eligibility.sign")
@require_POST
def decision_sign(request, public_id):
    patient = _patient(request, public_id, action="eligibility.sign", audit_action=None)
    ev = services.get_evaluation_for(_ctx(request), patient, request.POST.get("evaluation"))
    try:
        signed = services.sign_decision(_ctx(request), patient, request.POST.dict())
    except (ValidationFailed, Conflict) as exc:
        route = request.POST.get("route", "")
        context = _detail_context(request, patient, ev, sign_errors={route: error_text(exc)}, sign_values={route: request.POST.dict()})
        context["error"] = exc.message
        return render(request, "screening/evaluation_detail.html", context, status=exc.status)
    verb = "approved" if signed.decision == "approve" else "declined"
    messages.success(request, f"{signed.route_label}: {verb} and signed.")
    return redirect("screening:evaluation", public_id=patient.public_id, evaluation_id=ev.public_id)


# --- consent ----------------------------------------------------------------------------------
def _consent_page(request, patient, route, form=None, error=None, status=200):
    document = services.consent_document(patient.organization, route)
    state = services.screening_state(patient, with_engine=False)
    return render(request, "screening/consent.html", {
        "patient": patient, "route": route, "document": document, "form": form or sforms.ConsentSignForm(),
        "status": state.routes[route], "consents": patient.consents.filter(route=route.value).select_related("document", "witnessed_by", "revoked_by"),
        "can_witness": has_permission(request.user, "consent.witness"), "error": error,
        "can_manage": has_permission(request.user, "consent.manage_documents"),
        "revoke_form": sforms.RevokeForm(),
    }, status=status)


@staff_required("consent.witness", "evaluation.view")
@require_http_methods(["GET", "POST"])
def consent(request, public_id, route):
    route = _route_or_404(route)
    patient = _patient(request, public_id, action="patient.view", audit_action=Action.CONSENT_VIEW)
    if request.method == "POST":
        if not has_permission(request.user, "consent.witness"):
            return forbidden(request, "consent.witness")
        try:
            services.sign_consent(_ctx(request), patient, route, request.POST.dict(), via=Consent.Via.CLINIC)
        except (ValidationFailed, Conflict) as exc:
            form = with_errors(sforms.ConsentSignForm(data=request.POST), exc.errors)
            return _consent_page(request, patient, route, form=form, error=exc.message, status=exc.status)
        messages.success(request, f"Consent for {route.label} signed and witnessed.")
        return redirect("screening:consent", public_id=patient.public_id, route=route.value)
    return _consent_page(request, patient, route)


@staff_required("consent.witness")
@require_POST
def consent_witness(request, public_id, consent_id):
    patient = _patient(request, public_id, action="consent.witness", audit_action=None)
    c = attempt(request, lambda: services.witness_consent(_ctx(request), patient, consent_id))
    if c is None:
        return redirect("screening:overview", public_id=patient.public_id)
    messages.success(request, f"Consent for {c.route_label} witnessed.")
    return redirect("screening:consent", public_id=patient.public_id, route=c.route)


@staff_required("consent.witness")
@require_POST
def consent_revoke(request, public_id, consent_id):
    patient = _patient(request, public_id, action="consent.witness", audit_action=None)
    c = attempt(request, lambda: services.revoke_consent(_ctx(request), patient, consent_id, request.POST.dict()),
                refused="Not revoked: ")
    if c is None:
        return redirect("screening:overview", public_id=patient.public_id)
    messages.success(request, f"Consent for {c.route_label} revoked; the record is kept.")
    return redirect("screening:consent", public_id=patient.public_id, route=c.route)


@staff_required("consent.manage_documents")
def documents(request):
    docs = services.consent_documents(_ctx(request))
    history = ConsentDocument.objects.filter(organization_id=request.user.organization_id).select_related("created_by")
    return render(request, "screening/documents.html", {"documents": docs, "history": history})


@staff_required("consent.manage_documents")
@require_http_methods(["GET", "POST"])
def document_edit(request, route):
    route = _route_or_404(route)
    current = services.consent_document(request.user.organization, route)
    if request.method == "POST":
        try:
            services.update_consent_document(_ctx(request), route, request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            form = with_errors(sforms.ConsentDocumentForm(data=request.POST), exc.errors)
            return render(request, "screening/document_edit.html", {"form": form, "route": route, "current": current, "error": exc.message}, status=exc.status)
        messages.success(request, f"Saved as a new version of the {route.label} consent.")
        return redirect("screening:documents")
    form = sforms.ConsentDocumentForm(initial={"title": current.title, "body": current.body})
    return render(request, "screening/document_edit.html", {"form": form, "route": route, "current": current})


# --- REMS -------------------------------------------------------------------------------------
@staff_required("evaluation.view")
@require_http_methods(["GET", "POST"])
def rems(request, public_id):
    patient = _patient(request, public_id)
    prescribers = list(services.clinic_prescribers(patient.organization_id))
    status, error = 200, None
    form = sforms.RemsEnrollmentForm(prescribers=prescribers, initial={"enrolled_on": patient_today(patient)})
    if request.method == "POST":
        if not has_permission(request.user, "rems.enroll"):
            return forbidden(request, "rems.enroll")
        try:
            services.enroll_rems(_ctx(request), patient, request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            form = with_errors(sforms.RemsEnrollmentForm(data=request.POST, prescribers=prescribers), exc.errors)
            status, error = exc.status, exc.message
        else:
            messages.success(request, "Spravato REMS enrollment recorded.")
            return redirect("screening:overview", public_id=patient.public_id)
    return render(request, "screening/rems.html", {
        "patient": patient, "form": form, "error": error, "current": services.current_rems(patient),
        "history": patient.rems_enrollments.select_related("prescriber", "recorded_by"),
        "can_enroll": has_permission(request.user, "rems.enroll"),
    }, status=status)


@staff_required("rems.enroll")
@require_POST
def rems_withdraw(request, public_id, enrollment_id):
    patient = _patient(request, public_id, action="rems.enroll", audit_action=None)
    if attempt(request, lambda: services.withdraw_rems(_ctx(request), patient, enrollment_id, request.POST.dict()),
               refused="Not changed: "):
        messages.success(request, "Enrollment marked entered in error; the record is kept.")
    return redirect("screening:rems", public_id=patient.public_id)


# --- the patient portal -----------------------------------------------------------------------
def portal_patient(view):
    """The signed-in patient's own record, passed to ``view``; staff go home, an unlinked account
    gets the "not linked" page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_portal_patient:
            return redirect("home")
        try:
            patient = services.own_patient(_ctx(request))
        except NotFound:
            return render(request, "portal/unlinked.html", status=404)
        return view(request, patient, *args, **kwargs)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
@portal_patient
def portal_intake(request, patient):
    report = services.open_reported_intake(patient)
    status, error = 200, None
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        try:
            report = services.save_reported_intake(_ctx(request), patient, request.POST, submit=submit)
        except ValidationFailed as exc:
            form = sforms.PatientIntakeForm(data=request.POST, submitting=submit)
            form.is_valid()
            status, error = exc.status, exc.message
        else:
            messages.success(request, "Thank you — your answers were sent to the clinic." if submit else "Saved. You can finish later.")
            return redirect("screening:portal_intake")
    else:
        form = sforms.PatientIntakeForm(initial=report.answers if report else {})
    return render(request, "screening/portal_intake.html", {"patient": patient, "form": form, "report": report, "error": error}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@portal_patient
def portal_consents(request, patient):
    status, error, errors_for = 200, None, None
    forms_by_route = {}
    if request.method == "POST":
        route = _route_or_404(request.POST.get("route"))
        try:
            if request.POST.get("action") == "revoke":
                services.revoke_consent(_ctx(request), patient, request.POST.get("consent"), request.POST.dict(), by_patient=True)
                messages.success(request, f"Your consent for {route.label} is withdrawn. The clinic has been told.")
            else:
                services.sign_consent(_ctx(request), patient, route, request.POST.dict(), via=Consent.Via.PORTAL)
                messages.success(request, f"Signed. A member of staff will countersign your consent for {route.label}.")
            return redirect("screening:portal_consents")
        except (ValidationFailed, Conflict) as exc:
            status, error, errors_for = exc.status, exc.message, route
            forms_by_route[route] = with_errors(sforms.ConsentSignForm(data=request.POST), exc.errors)
    state = services.screening_state(patient, with_engine=False)
    # Offer the consents for routes a prescriber approved, and any the patient already signed.
    routes = [r for r in Route if state.routes[r].decision and state.routes[r].decision.decision == "approve" or state.routes[r].consent]
    items = []
    for r in routes:
        s = state.routes[r]
        form = forms_by_route.get(r, sforms.ConsentSignForm())
        form.fields["signed_name"].label = "Type your full name to sign"
        form.fields["agree"].label = "I have read this consent and I agree"
        items.append({
            "route": r, "document": services.consent_document(patient.organization, r), "status": s, "form": form,
            "signed": s.consent if s.consent and s.consent_problem in ("", services.NOT_WITNESSED) else None,
            "error": error if errors_for == r else None,
        })
    return render(request, "screening/portal_consents.html", {"patient": patient, "items": items}, status=status)
