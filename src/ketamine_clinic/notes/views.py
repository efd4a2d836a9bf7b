"""Pages of clinical notes: a patient's notes (list, search), the note (editor while a draft,
read-only with its addenda once signed), print/PDF, the clinic's templates, and a therapist's own
psychotherapy notes. Thin: every write goes through ``services``; a refused lookup (another clinic's
note, someone else's draft, a role without the right) goes on to ``web``'s middleware pages."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ServiceError, ValidationFailed
from ketamine_clinic.patients.services import get_patient_for
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.refusals import attempt, flash_refusal, refusal_text

from . import pdf, rules, services
from .models import NoteStatus


def _ctx(request) -> Context:
    return Context.from_request(request)


def _ctx_and_note(request, note_id):
    """The caller's context and the note it writes to (the write is audited, not this look-up)."""
    ctx = _ctx(request)
    return ctx, services.get_note_for(ctx, note_id, audit=False)


@staff_required("note.list")
def patient_notes(request, patient_id):
    patient = get_patient_for(_ctx(request), patient_id)
    q = request.GET.get("q", "") if has_permission(request.user, "note.read") else ""
    error, notes = None, []
    try:
        notes = list(services.notes_for_patient(_ctx(request), patient, q).prefetch_related("addenda"))
    except ValidationFailed as exc:
        error = refusal_text(exc)
    return render(request, "notes/patient_notes.html", {
        "patient": patient, "notes": notes, "q": q, "error": error,
        "can_read": has_permission(request.user, "note.read"),
        "kinds": services.writable_kinds(request.user),
        "can_psychotherapy": has_permission(request.user, "psychotherapy_note.write"),
        "can_manage_templates": has_permission(request.user, "note.manage_templates"),
        "can_read_disclosed": has_permission(request.user, "psychotherapy_note.read_disclosed"),
        "sessions": patient.treatment_sessions.order_by("-checked_in_at")[:10] if has_permission(request.user, "session.view") else [],
    }, status=422 if error else 200)


@staff_required("note.write_medical", "note.write_therapy")
@require_POST
def new_note(request, patient_id):
    ctx = _ctx(request)
    patient = get_patient_for(ctx, patient_id)

    def start():
        links = services.resolve_links(ctx, patient, request.POST.get("appointment_id"), request.POST.get("session_id"))
        return services.start_note(ctx, patient, request.POST.get("kind", ""), **links)

    note = attempt(request, start, refused="No note started: ")
    if note is None:
        return redirect("notes:patient", patient_id=patient.public_id)
    return redirect("notes:note", note_id=note.public_id)


def _note_page(request, note, *, errors=None, posted=None, status=200):
    editing = note.status == NoteStatus.DRAFT and note.author_id == request.user.pk
    needs_cosign = editing and services.cosign_required_for(note)
    sections = [dict(s, text=(posted or {}).get(f"section_{s['key']}", s["text"])) for s in note.sections]
    return render(request, "notes/note.html", {
        "note": note, "patient": note.patient, "sections": sections, "editing": editing, "errors": errors or {},
        "posted": posted or {}, "kind": rules.KINDS[note.kind], "addenda": note.addenda.select_related("author"),
        "may_write": services.may_write(request.user, note),
        "cosigners": services.cosigners_for(note) if needs_cosign else [], "needs_cosign": needs_cosign,
        "may_cosign": note.status == NoteStatus.AWAITING_COSIGN and note.cosigner_id == request.user.pk,
    }, status=status)


@staff_required("note.read")
def note_detail(request, note_id):
    return _note_page(request, services.get_note_for(_ctx(request), note_id))


def _posted(request) -> dict:
    return {k: v for k, v in request.POST.items() if k.startswith("section_") or k in services.MINUTE_FIELDS}


@staff_required("note.read")
@require_POST
def draft_save(request, note_id):
    """Autosave (htmx, while typing): 204, or the reason as plain text with its 4xx (the page shows it)."""
    ctx = _ctx(request)
    try:
        services.save_draft(ctx, services.get_note_for(ctx, note_id, audit=False), _posted(request))
    except ServiceError as exc:
        return HttpResponse(refusal_text(exc), status=exc.status, content_type="text/plain")
    return HttpResponse(status=204)


@staff_required("note.read")
@require_POST
def sign(request, note_id):
    ctx, note = _ctx_and_note(request, note_id)
    try:
        note = services.sign_note(ctx, note, _posted(request), cosigner_id=request.POST.get("cosigner"))
    except ValidationFailed as exc:
        return _note_page(request, note, errors=exc.errors, posted=request.POST, status=422)
    except ServiceError as exc:
        flash_refusal(request, exc, "Not signed: ")
        return redirect("notes:note", note_id=note_id)
    messages.success(request, "Note signed; co-signature requested." if note.status == NoteStatus.AWAITING_COSIGN else "Note signed.")
    return redirect("notes:note", note_id=note_id)


@staff_required("note.read")
@require_POST
def cosign(request, note_id):
    ctx, note = _ctx_and_note(request, note_id)
    if attempt(request, lambda: services.cosign_note(ctx, note), refused="Not co-signed: ") is not None:
        messages.success(request, "Note co-signed.")
    return redirect("notes:note", note_id=note_id)


@staff_required("note.read")
@require_POST
def addendum(request, note_id):
    ctx, note = _ctx_and_note(request, note_id)
    try:
        services.add_addendum(ctx, note, request.POST.get("text", ""))
    except ValidationFailed as exc:
        return _note_page(request, note, errors=exc.errors, posted=request.POST, status=422)
    except ServiceError as exc:
        flash_refusal(request, exc, "No addendum added: ")
    else:
        messages.success(request, "Addendum signed.")
    return redirect("notes:note", note_id=note_id)


@staff_required("note.read")
def note_pdf(request, note_id):
    note = services.get_note_for(_ctx(request), note_id)
    response = HttpResponse(pdf.note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="note-{note.public_id}.pdf"'
    return response


# --- templates --------------------------------------------------------------------------------
@staff_required("note.manage_templates")
def templates(request):
    return render(request, "notes/templates.html", {"templates": services.templates_for(request.user.organization)})


@staff_required("note.manage_templates")
def template_edit(request, template_kind):
    if template_kind not in rules.KINDS:
        raise Http404("No such template.")
    current = services.template_for(request.user.organization, template_kind)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            services.save_template(_ctx(request), template_kind, request.POST.get("title", ""),
                                   request.POST.get("sections", "").splitlines(), request.POST.get("reason", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            messages.success(request, "Template saved as a new version.")
            return redirect("notes:templates")
    return render(request, "notes/template_edit.html", {
        "template": current, "errors": errors, "posted": request.POST if request.method == "POST" else None,
        "sections_text": "\n".join(label for _, label in current.sections)}, status=status)


# --- psychotherapy notes ----------------------------------------------------------------------
@staff_required("psychotherapy_note.write")
def psychotherapy_notes(request, patient_id):
    ctx = _ctx(request)
    patient = get_patient_for(ctx, patient_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            pnote = services.write_psychotherapy_note(ctx, patient, request.POST.get("text", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            return redirect("notes:psychotherapy_note", psychotherapy_note_id=pnote.public_id)
    return render(request, "notes/psychotherapy_list.html", {
        "patient": patient, "pnotes": services.own_psychotherapy_notes(ctx, patient), "errors": errors,
        "text": request.POST.get("text", "") if errors else ""}, status=status)


@staff_required("psychotherapy_note.write")
def psychotherapy_note(request, psychotherapy_note_id):
    ctx = _ctx(request)
    pnote = services.get_psychotherapy_note_for(ctx, psychotherapy_note_id)
    errors, status = {}, 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.update_psychotherapy_note(ctx, pnote, text)
            if request.POST.get("action") == "sign":
                services.sign_psychotherapy_note(ctx, pnote)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except ServiceError as exc:
            flash_refusal(request, exc, "Not saved: ")
        else:
            messages.success(request, "Saved.")
            return redirect("notes:psychotherapy_note", psychotherapy_note_id=pnote.public_id)
    return _psychotherapy_page(request, ctx, pnote, errors, status)


def _psychotherapy_page(request, ctx, pnote, errors, status, disclose_errors=None):
    return render(request, "notes/psychotherapy_note.html", {
        "pnote": pnote, "patient": pnote.patient, "errors": errors, "disclose_errors": disclose_errors or {},
        "posted": request.POST if disclose_errors else {},
        "disclosures": services.disclosures_of(ctx, pnote),
        "recipients": services.eligible_recipients(ctx, pnote) if pnote.signed_at else [],
        "back": reverse("notes:psychotherapy", args=[pnote.patient.public_id])}, status=status)


@staff_required("psychotherapy_note.write")
@require_POST
def psychotherapy_disclose(request, psychotherapy_note_id):
    ctx = _ctx(request)
    pnote = services.get_psychotherapy_note_for(ctx, psychotherapy_note_id)
    try:
        services.disclose_psychotherapy_note(ctx, pnote, request.POST)
    except ValidationFailed as exc:
        return _psychotherapy_page(request, ctx, pnote, {}, 422, disclose_errors=exc.errors)
    except ServiceError as exc:
        flash_refusal(request, exc, "Not disclosed: ")
    else:
        messages.success(request, "Disclosed: the colleague can read this note until you revoke it or the authorization expires.")
    return redirect("notes:psychotherapy_note", psychotherapy_note_id=pnote.public_id)


@staff_required("psychotherapy_note.write")
@require_POST
def psychotherapy_revoke(request, psychotherapy_note_id):
    ctx = _ctx(request)
    pnote = services.get_psychotherapy_note_for(ctx, psychotherapy_note_id)
    try:
        services.revoke_disclosure(ctx, pnote, request.POST.get("disclosure", ""))
    except ServiceError as exc:
        flash_refusal(request, exc, "Not revoked: ")
    else:
        messages.success(request, "Disclosure revoked.")
    return redirect("notes:psychotherapy_note", psychotherapy_note_id=pnote.public_id)


@staff_required("psychotherapy_note.read_disclosed")
def disclosed_to_me(request):
    return render(request, "notes/disclosed_list.html", {"disclosures": services.notes_disclosed_to_me(_ctx(request))})


@staff_required("psychotherapy_note.read_disclosed")
def disclosed_note(request, psychotherapy_note_id):
    pnote, disclosure = services.disclosed_psychotherapy_note_for(_ctx(request), psychotherapy_note_id)
    return render(request, "notes/disclosed_note.html", {"pnote": pnote, "patient": pnote.patient, "disclosure": disclosure})
