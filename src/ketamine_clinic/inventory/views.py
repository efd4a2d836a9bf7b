"""Inventory screens: thin — parse, call a service or read helper, render. Every write goes
through ``services``; a refusal shows the services' field errors on the form."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, ServiceError, ValidationFailed
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.forms import bound, with_errors
from ketamine_clinic.web.refusals import attempt, flash_refusal

from . import forms as f
from . import reports, services
from .labels import labels_pdf
from .clinic_policy import inventory_policy
from .rules import expiry
from .rules.ledger import LABELS, EventType
from .services import reads
from .services.disposal import UNCORRECTABLE
from .services.draws import draw_open_quantity


def _ctx(request) -> Context:
    return Context.from_request(request)


def _bound(form_class, request, exc: ServiceError, **kwargs):
    return bound(form_class, request.POST, exc.errors or {"__all__": [exc.message]}, **kwargs)


@staff_required("inventory.view")
def index(request):
    user = request.user
    can_count = has_permission(user, "inventory.count")
    return render(request, "inventory/index.html", {
        "active_nav": "inventory",
        "stock": reads.stock_for(user),
        "containers": reads.containers_for(user),
        "open_draws": reads.open_draws_for(user),
        "discrepancies": reads.open_discrepancies_for(user),
        "deadlines": reads.due_deadlines_for(user) if can_count else [],
        "locations": reads.locations_for(user),
        "recent": reads.ledger_events(user.organization).order_by("-occurred_at", "-id")[:25],
        "labels": {t.value: LABELS[t] for t in EventType},
        "can": {a: has_permission(user, f"inventory.{a}") for a in ("administer", "receive", "count", "dispose", "report")},
    })


@staff_required("inventory.view")
def container(request, public_id):
    user = request.user
    found = reads.get_container_for(user, public_id)
    history = reads.container_history(user, found)
    bud_days = inventory_policy(user.organization)["beyond_use_days"]
    return render(request, "inventory/container.html", {
        "active_nav": "inventory", "container": found, "history": history, "bud_days": bud_days,
        "beyond_use": expiry.beyond_use_date(found.opened_on, bud_days) if found.product.multi_dose else None,
        "balance": history[-1].balance_after if history else reads.ZERO,
        "labels": {t.value: LABELS[t] for t in EventType}, "correct_form": f.CorrectionForm(),
        "can_correct": has_permission(user, "inventory.dispose"),
        "correctable": {t.value for t in EventType} - {t.value for t in UNCORRECTABLE},
    })


def _form_page(request, template, form_class, service, success, *, form_kwargs=None, extra=None, action="inventory.view"):
    """GET: the empty form; POST: the service, then ``success(result)`` or the form with its errors."""
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        try:
            result = service(_ctx(request), request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            form = _bound(form_class, request, exc, **form_kwargs)
        else:
            return success(result)
    else:
        form = form_class(initial=request.GET.dict(), **form_kwargs)
    return render(request, template, {"active_nav": "inventory", "form": form, **(extra or {})})


@staff_required("inventory.receive")
def catalog(request):
    user = request.user
    forms_by_action = {"product": (f.ProductCreateForm, services.create_product, {}),
                       "supplier": (f.SupplierCreateForm, services.create_supplier, {}),
                       "registration": (f.RegistrationForm, services.register_location, {"locations": reads.locations_for(user)})}
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms_by_action:
            raise Http404("Unknown action.")
        form_class, service, kwargs = forms_by_action[action]
        try:
            service(_ctx(request), request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            bound[action] = _bound(form_class, request, exc, **kwargs)
        else:
            messages.success(request, "Saved.")
            return redirect("inventory:catalog")
    context = {key: bound.get(key) or form_class(**kwargs) for key, (form_class, _, kwargs) in forms_by_action.items()}
    return render(request, "inventory/catalog.html", {
        "active_nav": "inventory", "products": reads.products_for(user), "suppliers": reads.suppliers_for(user),
        "locations": reads.locations_for(user), **{f"{k}_form": v for k, v in context.items()}})


@staff_required("inventory.receive")
def receive(request):
    user = request.user
    kwargs = {"locations": reads.locations_for(user), "suppliers": reads.suppliers_for(user), "products": reads.products_for(user)}

    def done(receipt):
        labels = ", ".join(c.label for c in receipt.containers.all())
        messages.success(request, f"Received {receipt.container_count} container(s): {labels}. Print the labels and put each on its vial or device.")
        return redirect("inventory:receipt_labels", public_id=receipt.public_id)

    return _form_page(request, "inventory/form.html", f.ReceiveForm, services.receive, done, form_kwargs=kwargs,
                      extra={"title": "Receive stock", "submit": "Receive"})


@staff_required("inventory.receive")
def receipt_labels(request, public_id):
    """GET: the receipt with a link to its labels; ``?pdf=1``: the labels as PDF."""
    receipt = reads.get_receipt_for(request.user, public_id)
    containers = receipt.containers.select_related("product").order_by("id")
    if request.GET.get("pdf"):
        response = HttpResponse(labels_pdf(containers), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="labels-{receipt.invoice_number}-{receipt.received_on:%Y%m%d}.pdf"'
        return response
    return render(request, "inventory/receipt.html", {"active_nav": "inventory", "receipt": receipt, "containers": containers})


@staff_required("inventory.receive")
def transfer(request):
    user = request.user
    kwargs = {"containers": reads.containers_for(user), "locations": reads.locations_for(user)}

    def done(event):
        messages.success(request, f"{event.container.label} moved to {event.location.name}.")
        return redirect("inventory:index")

    return _form_page(request, "inventory/form.html", f.TransferForm, services.transfer, done, form_kwargs=kwargs,
                      extra={"title": "Transfer a container", "submit": "Transfer"})


@staff_required("inventory.administer")
def draw(request):
    def done(drawn):
        messages.success(request, f"Drawn from {drawn.container.label}. Record what is given, then waste or return the rest.")
        return redirect("inventory:draw_detail", public_id=drawn.public_id)

    return _form_page(request, "inventory/form.html", f.DrawForm, services.draw, done,
                      form_kwargs={"containers": reads.containers_for(request.user)},
                      extra={"title": "Draw for a patient", "submit": "Draw"})


@staff_required("inventory.view")
def draw_detail(request, public_id):
    user = request.user
    found = reads.get_draw_for(user, public_id)
    forms = {"administer": f.AdministerForm(), "waste": f.WitnessedOutcomeForm(prefix="waste"),
             "return": f.WitnessedOutcomeForm(prefix="return")}
    if request.method == "POST":
        action = request.POST.get("action", "")
        service = {"administer": services.administer, "waste": services.waste, "return": services.return_to_stock}.get(action)
        if service is None:
            raise Http404("Unknown action.")
        prefix = "" if action == "administer" else f"{action}-"
        data = {k.removeprefix(prefix): v for k, v in request.POST.dict().items()} | {"draw": str(found.public_id)}
        try:
            service(_ctx(request), data)
        except (ValidationFailed, Conflict) as exc:
            form_class = f.AdministerForm if action == "administer" else f.WitnessedOutcomeForm
            forms[action] = bound(form_class, request.POST, exc.errors, prefix=None if action == "administer" else action)
            flash_refusal(request, exc)
        else:
            messages.success(request, "Recorded.")
            return redirect("inventory:draw_detail", public_id=found.public_id)
    outcomes = found.outcomes.select_related("actor", "witness").order_by("occurred_at", "id")
    return render(request, "inventory/draw.html", {
        "active_nav": "inventory", "draw": found, "open": draw_open_quantity(found), "outcomes": outcomes, "forms": forms,
        "labels": {t.value: LABELS[t] for t in EventType}, "can_act": has_permission(user, "inventory.administer")})


DISPOSE_SERVICES = {"destroy": services.destroy, "reverse_distributor": services.return_to_distributor}


def _dispose(ctx, data):
    action = data.get("action", "")
    if action in ("loss", "theft"):
        return services.record_loss(ctx, {**data, "theft": action == "theft", "explanation": data.get("reason", "")})
    if action not in DISPOSE_SERVICES:
        raise ValidationFailed({"action": ["Choose what happened."]})
    return DISPOSE_SERVICES[action](ctx, data)


@staff_required("inventory.dispose", "inventory.count")
def dispose(request):
    def done(result):
        messages.success(request, "Recorded." + (" A discrepancy case is open: assess it." if hasattr(result, "must_report") else ""))
        return redirect("inventory:index")

    return _form_page(request, "inventory/form.html", f.DisposeForm, _dispose, done,
                      form_kwargs={"containers": reads.containers_for(request.user)},
                      extra={"title": "Destroy, return, or record a loss or theft", "submit": "Record",
                             "intro": "Destruction: the stock is rendered non-retrievable (21 CFR 1317.90); you and the witness are "
                                      "the two employees Form 41 names. A theft starts the DEA deadlines at once."})


@staff_required("inventory.count")
def count(request):
    user = request.user
    locations = reads.locations_for(user)
    chosen = next((loc for loc in locations if str(loc.public_id) == (request.POST.get("location") or request.GET.get("location"))),
                  locations.first())
    rows = reads.containers_for(user, location=chosen) if chosen else []
    line_errors = []
    if request.method == "POST":
        lines = {r.container.label: {"counted_ml": request.POST.get(f"count-{r.container.label}", ""),
                                     "estimated": request.POST.get(f"estimated-{r.container.label}") == "on"} for r in rows}
        try:
            counted = services.record_count(_ctx(request), {**request.POST.dict(), "lines": lines})
        except (ValidationFailed, Conflict) as exc:
            form = _bound(f.CountForm, request, exc, locations=locations)
            line_errors = [m for k, msgs in exc.errors.items() if k.startswith("lines") for m in msgs]
        else:
            opened = reads.discrepancies_opened(counted)
            messages.success(request, f"Count recorded: {len(lines)} container(s), {opened} discrepancy(ies).")
            return redirect("inventory:index")
    else:
        form = f.CountForm(initial={"location": str(chosen.public_id) if chosen else ""}, locations=locations)
    return render(request, "inventory/count.html", {"active_nav": "inventory", "form": form, "rows": rows, "location": chosen,
                                                    "line_errors": line_errors, "posted": request.POST})


@staff_required("inventory.count")
def discrepancy(request, public_id):
    found = reads.get_discrepancy_for(request.user, public_id)
    if request.method == "POST":
        try:
            services.resolve_discrepancy(_ctx(request), {**request.POST.dict(), "discrepancy": str(found.public_id)})
        except (ValidationFailed, Conflict) as exc:
            form = _bound(f.ResolveForm, request, exc)
        else:
            messages.success(request, "Discrepancy resolved.")
            return redirect("inventory:index")
    else:
        form = f.ResolveForm()
    return render(request, "inventory/discrepancy.html", {"active_nav": "inventory", "case": found, "form": form})


def _post_about(request, service, field, record, *, refused, done):
    """Call ``service`` with the POSTed form plus ``field`` naming ``record``; flash ``done`` or the refusal."""
    if attempt(request, lambda: service(_ctx(request), {**request.POST.dict(), field: str(record.public_id)}),
               refused=refused):
        messages.success(request, done)


@require_POST
@staff_required("inventory.count")
def deadline_done(request, public_id):
    found = reads.get_deadline_for(request.user, public_id)
    _post_about(request, services.mark_done, "deadline", found, refused="Not marked done: ", done="Marked done.")
    return redirect("inventory:index")


@require_POST
@staff_required("inventory.dispose")
def correct(request, public_id):
    event = reads.get_event_for(request.user, public_id)
    _post_about(request, services.correct, "event", event, refused="Not corrected: ",
                done="Correction recorded; the original event stays in the record.")
    return redirect("inventory:container", public_id=event.container.public_id)


@staff_required("inventory.report")
def report(request):
    locations = reads.locations_for(request.user)
    today = timezone.localdate()
    if "report" in request.GET:
        form = f.ReportForm(data=request.GET, locations=locations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                built = reports.build_for(request.user, data["report"], location_id=data["location"], start=data["start"], end=data["end"])
                body, content_type, filename = reports.render(built, data["format"])
            except (ValidationFailed, Conflict) as exc:
                with_errors(form, exc.errors)
            else:
                response = HttpResponse(body, content_type=content_type)
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
    else:
        form = f.ReportForm(initial={"start": today - dt.timedelta(days=30), "end": today, "format": "pdf"}, locations=locations)
    return render(request, "inventory/reports.html", {"active_nav": "inventory", "form": form, "reports": reports.REPORTS})
