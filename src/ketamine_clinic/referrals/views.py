"""The referral inbox: thin — parse, call a service, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ServiceError
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.forms import bound

from . import services
from .forms import AcceptForm, StatusForm
from .models import ReferralStatus


def _ctx(request) -> Context:
    return Context.from_request(request)


@staff_required("referrals.view")
def inbox(request):
    status = request.GET.get("status", "")
    ctx = _ctx(request)
    referrals = services.referrals_for(ctx, status)
    return render(request, "referrals/inbox.html", {
        "referrals": referrals[:200], "status": status, "statuses": ReferralStatus.choices,
        "letters_due": services.letters_due_for(ctx)})


def _page(request, referral_id, *, status_form=None, accept_form=None, error="", status=200):
    ctx = _ctx(request)
    referral = services.get_referral_for(ctx, referral_id, audit=request.method == "GET")
    return render(request, "referrals/detail.html", {
        "r": referral, "changes": referral.changes.select_related("changed_by"),
        "letters": referral.letters.select_related("generated_by", "sent_by"), "letters_due": services.due_kinds(referral),
        "candidates": services.candidates(ctx, referral) if referral.status not in ("registered", "declined") else [],
        "may_manage": request.user.may("referrals.manage"),
        "status_form": status_form or StatusForm(initial={"version": referral.version}),
        "accept_form": accept_form or AcceptForm(initial={"version": referral.version}),
        "error": error,
    }, status=status)


@staff_required("referrals.view")
def detail(request, referral_id):
    return _page(request, referral_id)


def _post(request, referral_id, call, form_name, form_class, done):
    referral = services.get_referral_for(_ctx(request), referral_id, audit=False)
    try:
        result = call(_ctx(request), referral, request.POST)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        form = bound(form_class, request.POST, exc.errors)
        return _page(request, referral_id, error=exc.message, status=exc.status, **{form_name: form})
    messages.success(request, done(result))
    return redirect("referrals:detail", referral_id=referral_id)


@staff_required("referrals.manage")
@require_POST
def change_status(request, referral_id):
    return _post(request, referral_id, services.change_status, "status_form", StatusForm,
                 lambda r: f"Referral is now {r.get_status_display().lower()}.")


@staff_required("referrals.manage")
@require_POST
def accept(request, referral_id):
    return _post(request, referral_id, services.accept, "accept_form", AcceptForm,
                 lambda p: f"Accepted into the chart of {p.display_name} (MRN {p.mrn}).")


@staff_required("referrals.manage")
@require_POST
def letter_generate(request, referral_id, letter_kind):
    referral = services.get_referral_for(_ctx(request), referral_id, audit=False)
    try:
        services.generate_letter(_ctx(request), referral, letter_kind)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return _page(request, referral_id, error=exc.message, status=exc.status)
    messages.success(request, "Letter generated: download it to send or fax it.")
    return redirect("referrals:detail", referral_id=referral_id)


@staff_required("referrals.manage")
def letter_pdf(request, referral_id, letter_id):
    referral = services.get_referral_for(_ctx(request), referral_id, audit=False)
    letter = services.letter_for_sending(_ctx(request), referral, letter_id)
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-letter-{letter.kind}-{letter.public_id}.pdf"'
    return response
