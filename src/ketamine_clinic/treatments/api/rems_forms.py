"""The Spravato REMS monitoring forms: due, read, PDF, mark submitted."""

import datetime as dt
from uuid import UUID

from django.http import HttpResponse
from ninja import Schema

from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from .. import services
from ._router import router
from ._common import ctx_of


class RemsSubmitIn(Schema):
    submission_reference: str | None = None


class RemsFormOut(Schema):
    id: UUID
    session: UUID
    patient_name: str
    schema_version: str
    treatment_date: dt.date
    due_date: dt.date
    values: dict
    missing_required: list[str]
    problems: list[str]
    submitted_at: dt.datetime | None
    submitted_by: str | None
    submission_reference: str


def _rems(form) -> dict:
    return {"id": form.public_id, "session": form.session.public_id, "patient_name": form.session.patient.display_name,
            "schema_version": form.schema_version, "treatment_date": form.treatment_date, "due_date": form.due_date,
            "values": form.values, "missing_required": form.missing_required, "problems": form.problems,
            "submitted_at": form.submitted_at, "submitted_by": form.submitted_by.username if form.submitted_by_id else None,
            "submission_reference": form.submission_reference}


@router.get("/rems-forms", response={200: list[RemsFormOut], **errors(401, 403)},
            summary="Spravato REMS monitoring forms not yet submitted, by due date")
def rems_forms_due(request):
    return [_rems(f) for f in services.rems_forms_for(ctx_of(request))]


@router.get("/rems-forms/{form_id}", response={200: RemsFormOut, **errors(401, 403, 404, 422)}, summary="A REMS form")
def rems_form(request, form_id: UUID):
    return _rems(services.get_rems_form_for(ctx_of(request), form_id))


@router.get("/rems-forms/{form_id}/pdf", response={200: None, **errors(401, 403, 404, 422)}, summary="A REMS form as PDF")
def rems_form_pdf(request, form_id: UUID):
    form = services.get_rems_form_for(ctx_of(request), form_id)
    response = HttpResponse(services.rems_pdf(form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rems-monitoring-{form.treatment_date:%Y%m%d}-{form.public_id}.pdf"'
    return response


@router.post("/rems-forms/{form_id}/submitted", response={200: RemsFormOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Mark a REMS form submitted (who, when)")
def rems_submitted(request, form_id: UUID, payload: RemsSubmitIn):
    ctx = ctx_of(request)
    form = services.mark_rems_submitted(ctx, services.get_rems_form_for(ctx, form_id), form_data(payload))
    return _rems(form)
