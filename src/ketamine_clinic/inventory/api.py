"""REST API of the controlled-substance record under /api/v1/inventory.

Thin: each handler calls the same service or read helper as the pages. Quantities are decimal
strings (or JSON numbers read as decimals) in mg or mL; answers give both units as strings.
"""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from . import reports, services
from .rules.ledger import LABELS, EventType
from .services import reads
from .services.draws import draw_open_quantity

router = Router(tags=["inventory"])
QTY = "Decimal mg (at most 3 decimals); give this or quantity_ml"
QTY_ML = "Decimal mL (at most 3 decimals); give this or quantity_mg"
WITNESS = "Username of a second clinician (required when the clinic setting asks for a witness)"
SECRET = "The witness's own password, or a current authenticator code"


def _ctx(request) -> Context:
    return Context.from_request(request)


def _data(payload: Schema) -> dict:
    return form_data(payload)


# --- schemas ----------------------------------------------------------------------------------
class InvQuantityOut(Schema):
    mg: Decimal
    ml: Decimal


class InvProductIn(Schema):
    name: str
    ndc: str = Field(..., description="As printed: 4-4-2, 5-3-2, 5-4-1 or 5-4-2")
    form: str = Field(..., description="vial | nasal_device")
    concentration_mg_per_ml: Decimal
    container_volume_ml: Decimal
    multi_dose: bool = False
    unit_cost: Decimal | None = Field(None, description="Purchase value of one container, USD")


class InvProductOut(Schema):
    id: UUID
    name: str
    ndc: str
    form: str
    concentration_mg_per_ml: Decimal
    container_volume_ml: Decimal
    container_mg: Decimal
    schedule: str
    multi_dose: bool
    unit_cost: Decimal | None


class InvSupplierIn(Schema):
    name: str
    address: str
    dea_number: str


class InvSupplierOut(Schema):
    id: UUID
    name: str
    address: str
    dea_number: str


class InvRegistrationIn(Schema):
    location: UUID
    registrant_name: str
    dea_number: str
    expires_on: dt.date | None = None


class InvLocationOut(Schema):
    id: UUID
    name: str
    registrant_name: str | None
    dea_number: str | None


class InvReceiptIn(Schema):
    location: UUID
    supplier: UUID
    product: UUID
    invoice_number: str
    received_on: dt.date = Field(..., description="The date actually received, not the invoice date")
    lot_number: str
    expiry_date: dt.date
    container_count: int


class InvContainerOut(Schema):
    id: UUID
    label: str
    product: str
    ndc: str
    location: str
    lot_number: str
    expiry_date: dt.date
    opened_on: dt.date | None
    balance: InvQuantityOut


class InvReceiptOut(Schema):
    id: UUID
    invoice_number: str
    received_on: dt.date
    containers: list[InvContainerOut]


class InvEventOut(Schema):
    id: UUID
    event_type: str
    label: str
    container: str
    location: str
    occurred_at: dt.datetime
    quantity: InvQuantityOut
    actor: str
    witness: str | None
    patient_name: str
    reason: str
    method: str
    reference: str
    corrects: UUID | None
    balance_after: InvQuantityOut | None = None


class InvContainerDetailOut(InvContainerOut):
    history: list[InvEventOut]


class InvStockOut(Schema):
    location: str
    product: str
    ndc: str
    containers: int
    balance: InvQuantityOut


class InvTransferIn(Schema):
    container: str = Field(..., description="Container id or label")
    to_location: UUID
    reason: str = ""


class InvDrawIn(Schema):
    container: str = Field(..., description="Container id or label")
    patient: UUID
    quantity_mg: Decimal | None = Field(None, description=QTY)
    quantity_ml: Decimal | None = Field(None, description=QTY_ML)


class InvDrawOut(Schema):
    id: UUID
    container: str
    patient: UUID
    drawn: InvQuantityOut
    open: InvQuantityOut
    drawn_at: dt.datetime


class InvOutcomeIn(Schema):
    quantity_mg: Decimal | None = Field(None, description=QTY + " (a device: omit, it is whole)")
    quantity_ml: Decimal | None = Field(None, description=QTY_ML)
    reference: str = ""


class InvWitnessedOutcomeIn(Schema):
    quantity_mg: Decimal | None = Field(None, description=QTY)
    quantity_ml: Decimal | None = Field(None, description=QTY_ML)
    witness: str = Field("", description=WITNESS)
    witness_secret: str = Field("", description=SECRET)
    method: str = ""
    reason: str = ""


class InvDisposalIn(Schema):
    container: str = Field(..., description="Container id or label")
    all: bool = Field(False, description="Everything the container holds")
    quantity_mg: Decimal | None = Field(None, description=QTY)
    quantity_ml: Decimal | None = Field(None, description=QTY_ML)
    method: str = Field("", description="Manner of destruction (required to destroy)")
    reason: str
    reference: str = Field("", description="Reverse distributor, Form 41 or shipment number")
    witness: str = Field("", description=WITNESS)
    witness_secret: str = Field("", description=SECRET)


class InvLossIn(Schema):
    container: str = Field(..., description="Container id or label")
    all: bool = False
    quantity_mg: Decimal | None = Field(None, description=QTY)
    quantity_ml: Decimal | None = Field(None, description=QTY_ML)
    theft: bool = False
    explanation: str
    discovered_on: dt.date | None = None


class InvCorrectionIn(Schema):
    event: UUID
    reason: str


class InvCountLineIn(Schema):
    counted_ml: Decimal
    estimated: bool = False


class InvCountIn(Schema):
    location: UUID
    timing: str = Field(..., description="opening | close (of business)")
    kind: str = Field("routine", description="routine | daily | initial | biennial")
    note: str = ""
    lines: dict[str, InvCountLineIn] = Field(..., description="Per container id or label: the counted mL")


class InvCountOut(Schema):
    id: UUID
    location: str
    kind: str
    timing: str
    counted_at: dt.datetime
    discrepancies: int


class InvDiscrepancyOut(Schema):
    id: UUID
    container: str
    location: str
    difference: InvQuantityOut
    discovered_on: dt.date
    status: str
    explanation: str
    theft: bool
    significant: bool
    must_report: bool
    assessment: str


class InvResolveIn(Schema):
    explanation: str
    theft: bool = False
    judged_significant: bool = False
    quantity_relative: bool = Field(False, description="Large relative to the clinic's use?")
    pattern: bool = Field(False, description="Part of a pattern of losses? (always significant)")
    diversion_trend: bool = Field(False, description="Local diversion trends or other signs?")


class InvDeadlineOut(Schema):
    id: UUID
    kind: str
    label: str
    due_on: dt.date
    done_at: dt.datetime | None
    discrepancy: UUID


class InvDeadlineDoneIn(Schema):
    note: str


class InvReportParams(Schema):
    location: UUID
    start: dt.date
    end: dt.date
    format: str = Field("csv", description="csv | pdf")


# --- shaping ----------------------------------------------------------------------------------
def _qty(q) -> dict:
    return {"mg": q.mg, "ml": q.ml}


def _product(p) -> dict:
    return {"id": p.public_id, "name": p.name, "ndc": p.ndc, "form": p.form, "concentration_mg_per_ml": p.concentration_mg_per_ml,
            "container_volume_ml": p.container_volume_ml, "container_mg": p.container_mg, "schedule": p.schedule,
            "multi_dose": p.multi_dose, "unit_cost": p.unit_cost}


def _container(c, balance) -> dict:
    return {"id": c.public_id, "label": c.label, "product": c.product.name, "ndc": c.product.ndc, "location": c.location.name,
            "lot_number": c.lot_number, "expiry_date": c.expiry_date, "opened_on": c.opened_on, "balance": _qty(balance)}


def _event(e, balance_after=None) -> dict:
    return {"id": e.public_id, "event_type": e.event_type, "label": LABELS[EventType(e.event_type)], "container": e.container.label,
            "location": e.location.name, "occurred_at": e.occurred_at, "quantity": {"mg": e.quantity_mg, "ml": e.quantity_ml},
            "actor": e.actor.name, "witness": e.witness.name if e.witness_id else None, "patient_name": e.patient_name,
            "reason": e.reason, "method": e.method, "reference": e.reference,
            "corrects": e.corrects.public_id if e.corrects_id else None,
            "balance_after": _qty(balance_after) if balance_after is not None else None}


def _draw(d) -> dict:
    return {"id": d.public_id, "container": d.container.label, "patient": d.patient.public_id,
            "drawn": {"mg": d.event.quantity_mg, "ml": d.event.quantity_ml}, "open": _qty(draw_open_quantity(d)), "drawn_at": d.drawn_at}


def _discrepancy(c) -> dict:
    return {"id": c.public_id, "container": c.container.label, "location": c.location.name,
            "difference": {"mg": c.difference_mg, "ml": c.difference_ml}, "discovered_on": c.discovered_on, "status": c.status,
            "explanation": c.explanation, "theft": c.theft, "significant": c.significant, "must_report": c.must_report,
            "assessment": c.assessment_text}


def _deadline(d) -> dict:
    return {"id": d.public_id, "kind": d.kind, "label": d.get_kind_display(), "due_on": d.due_on, "done_at": d.done_at,
            "discrepancy": d.discrepancy.public_id}


# --- catalog ----------------------------------------------------------------------------------
@router.get("/inventory/products", response={200: list[InvProductOut], **errors(401, 403)}, summary="Controlled-substance products")
def list_products(request):
    return [_product(p) for p in reads.products_for(request.user)]


@router.post("/inventory/products", response={201: InvProductOut, **errors(400, 401, 403, 422)}, summary="Add a product (NDC checked)")
def add_product(request, payload: InvProductIn):
    return Status(201, _product(services.create_product(_ctx(request), _data(payload))))


@router.get("/inventory/suppliers", response={200: list[InvSupplierOut], **errors(401, 403)}, summary="Suppliers")
def list_suppliers(request):
    return [{"id": s.public_id, "name": s.name, "address": s.address, "dea_number": s.dea_number} for s in reads.suppliers_for(request.user)]


@router.post("/inventory/suppliers", response={201: InvSupplierOut, **errors(400, 401, 403, 422)},
             summary="Add a supplier (DEA number check digit checked)")
def add_supplier(request, payload: InvSupplierIn):
    s = services.create_supplier(_ctx(request), _data(payload))
    return Status(201, {"id": s.public_id, "name": s.name, "address": s.address, "dea_number": s.dea_number})


def _location(loc) -> dict:
    reg = getattr(loc, "dea_registration", None)
    return {"id": loc.public_id, "name": loc.name, "registrant_name": reg.registrant_name if reg else None,
            "dea_number": reg.dea_number if reg else None}


@router.get("/inventory/locations", response={200: list[InvLocationOut], **errors(401, 403)}, summary="Locations and their DEA registrations")
def list_locations(request):
    return [_location(loc) for loc in reads.locations_for(request.user)]


@router.post("/inventory/registrations", response={200: InvLocationOut, **errors(400, 401, 403, 422)},
             summary="Record a location's DEA registration")
def add_registration(request, payload: InvRegistrationIn):
    registration = services.register_location(_ctx(request), _data(payload))
    return _location(registration.location)


# --- stock ------------------------------------------------------------------------------------
@router.get("/inventory/stock", response={200: list[InvStockOut], **errors(401, 403)}, summary="Stock by location and product")
def stock(request):
    return [{"location": s.location.name, "product": s.product.name, "ndc": s.product.ndc, "containers": s.containers,
             "balance": _qty(s.balance)} for s in reads.stock_for(request.user)]


@router.get("/inventory/containers", response={200: list[InvContainerOut], **errors(401, 403)},
            summary="Containers holding stock, with their derived balances")
def list_containers(request):
    return [_container(r.container, r.balance) for r in reads.containers_for(request.user)]


@router.get("/inventory/containers/{container_id}", response={200: InvContainerDetailOut, **errors(401, 403, 404, 422)},
            summary="One container with its history and running balance")
def container_detail(request, container_id: UUID):
    container = reads.get_container_for(request.user, container_id)
    history = reads.container_history(request.user, container)
    balance = history[-1].balance_after if history else reads.ZERO
    return {**_container(container, balance), "history": [_event(h.event, h.balance_after) for h in history]}


@router.post("/inventory/receipts", response={201: InvReceiptOut, **errors(400, 401, 403, 422)},
             summary="Receive a delivery into a registered location (one labelled container per vial or device)")
def add_receipt(request, payload: InvReceiptIn):
    receipt = services.receive(_ctx(request), _data(payload))
    containers = receipt.containers.select_related("product", "location")
    full = reads.Quantity(receipt.product.container_mg, receipt.product.container_volume_ml)
    return Status(201, {"id": receipt.public_id, "invoice_number": receipt.invoice_number, "received_on": receipt.received_on,
                        "containers": [_container(c, full) for c in containers]})


@router.post("/inventory/transfers", response={201: InvEventOut, **errors(400, 401, 403, 422)},
             summary="Move a container to another registered location of the clinic")
def add_transfer(request, payload: InvTransferIn):
    return Status(201, _event(services.transfer(_ctx(request), _data(payload))))


# --- the session day --------------------------------------------------------------------------
@router.post("/inventory/draws", response={201: InvDrawOut, **errors(400, 401, 403, 422)},
             summary="Draw from a container for a patient (refused if expired, past beyond-use, or over the balance)")
def add_draw(request, payload: InvDrawIn):
    return Status(201, _draw(services.draw(_ctx(request), _data(payload))))


@router.get("/inventory/draws/{draw_id}", response={200: InvDrawOut, **errors(401, 403, 404, 422)}, summary="One draw and what is still open")
def draw_detail(request, draw_id: UUID):
    return _draw(reads.get_draw_for(request.user, draw_id))


def _draw_outcome(request, draw_id, write, payload):
    """An outcome of a draw the caller may see (404 otherwise), written by ``write``: 201 with the ledger event."""
    reads.get_draw_for(request.user, draw_id)
    return Status(201, _event(write(_ctx(request), {**_data(payload), "draw": str(draw_id)})))


@router.post("/inventory/draws/{draw_id}/administer", response={201: InvEventOut, **errors(400, 401, 403, 404, 422)},
             summary="Record what of a draw was given")
def draw_administer(request, draw_id: UUID, payload: InvOutcomeIn):
    return _draw_outcome(request, draw_id, services.administer, payload)


@router.post("/inventory/draws/{draw_id}/waste", response={201: InvEventOut, **errors(400, 401, 403, 404, 422)},
             summary="Waste the rest of a draw, with a re-authenticated witness")
def draw_waste(request, draw_id: UUID, payload: InvWitnessedOutcomeIn):
    return _draw_outcome(request, draw_id, services.waste, payload)


@router.post("/inventory/draws/{draw_id}/return", response={201: InvEventOut, **errors(400, 401, 403, 404, 422)},
             summary="Return the unused rest of a draw to its container")
def draw_return(request, draw_id: UUID, payload: InvWitnessedOutcomeIn):
    return _draw_outcome(request, draw_id, services.return_to_stock, payload)


# --- disposal, loss, corrections --------------------------------------------------------------
@router.post("/inventory/destructions", response={201: InvEventOut, **errors(400, 401, 403, 422)},
             summary="Destroy stock on site (Form 41: actor and witness)")
def add_destruction(request, payload: InvDisposalIn):
    return Status(201, _event(services.destroy(_ctx(request), _data(payload))))


@router.post("/inventory/reverse-distributions", response={201: InvEventOut, **errors(400, 401, 403, 422)},
             summary="Hand stock to a reverse distributor")
def add_reverse_distribution(request, payload: InvDisposalIn):
    return Status(201, _event(services.return_to_distributor(_ctx(request), _data(payload))))


@router.post("/inventory/losses", response={201: InvDiscrepancyOut, **errors(400, 401, 403, 422)},
             summary="Record a loss or theft (a theft starts the DEA deadlines)")
def add_loss(request, payload: InvLossIn):
    return Status(201, _discrepancy(services.record_loss(_ctx(request), _data(payload))))


@router.post("/inventory/corrections", response={201: InvEventOut, **errors(400, 401, 403, 422)},
             summary="Reverse a mistaken ledger event (the original stays readable)")
def add_correction(request, payload: InvCorrectionIn):
    return Status(201, _event(services.correct(_ctx(request), _data(payload))))


# --- counts, discrepancies, deadlines ---------------------------------------------------------
@router.post("/inventory/counts", response={201: InvCountOut, **errors(400, 401, 403, 422)},
             summary="Count every container in stock at a location; differences open discrepancies")
def add_count(request, payload: InvCountIn):
    data = _data(payload)
    data["lines"] = {k: {"counted_ml": str(v.counted_ml), "estimated": v.estimated} for k, v in payload.lines.items()}
    count = services.record_count(_ctx(request), data)
    opened = reads.discrepancies_opened(count)
    return Status(201, {"id": count.public_id, "location": count.location.name, "kind": count.kind, "timing": count.timing,
                        "counted_at": count.counted_at, "discrepancies": opened})


@router.get("/inventory/discrepancies", response={200: list[InvDiscrepancyOut], **errors(401, 403)}, summary="Open discrepancies")
def list_discrepancies(request):
    return [_discrepancy(c) for c in reads.open_discrepancies_for(request.user)]


@router.post("/inventory/discrepancies/{discrepancy_id}/resolve", response={200: InvDiscrepancyOut, **errors(400, 401, 403, 404, 422)},
             summary="Explain and assess a discrepancy (significant loss: DEA deadlines start)")
def resolve_discrepancy(request, discrepancy_id: UUID, payload: InvResolveIn):
    reads.get_discrepancy_for(request.user, discrepancy_id)
    return _discrepancy(services.resolve_discrepancy(_ctx(request), {**_data(payload), "discrepancy": str(discrepancy_id)}))


@router.get("/inventory/deadlines", response={200: list[InvDeadlineOut], **errors(401, 403)}, summary="DEA deadlines not yet done")
def list_deadlines(request):
    return [_deadline(d) for d in reads.due_deadlines_for(request.user)]


@router.post("/inventory/deadlines/{deadline_id}/done", response={200: InvDeadlineOut, **errors(400, 401, 403, 404, 422)},
             summary="Mark a DEA deadline done (what was sent, how, when)")
def deadline_done(request, deadline_id: UUID, payload: InvDeadlineDoneIn):
    reads.get_deadline_for(request.user, deadline_id)
    return _deadline(services.mark_done(_ctx(request), {**_data(payload), "deadline": str(deadline_id)}))


# --- reports ----------------------------------------------------------------------------------
@router.get("/inventory/reports/{report}", response={200: None, **errors(401, 403, 404, 422)},
            summary="A report for a location and period as CSV or PDF: " + ", ".join(reports.REPORTS))
def report(request, report: str, params: Query[InvReportParams]):
    built = reports.build_for(request.user, report, location_id=params.location, start=params.start, end=params.end)
    body, content_type, filename = reports.render(built, params.format)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
