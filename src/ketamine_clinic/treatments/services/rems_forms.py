"""Spravato REMS monitoring forms: the clinic's list and marking a form submitted (see ``rems.py``
for the form itself)."""

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.session import SCHEMAS
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.patients.models import TimelineEvent

from .. import forms as tforms
from ..models import RemsForm
from ._common import _validate


def rems_forms_for(ctx: Context, *, only_open: bool = True) -> QuerySet[RemsForm]:
    require(ctx.user, "rems.form")
    qs = RemsForm.objects.filter(organization_id=ctx.user.organization_id).select_related("session__patient", "submitted_by")
    return qs.filter(submitted_at__isnull=True) if only_open else qs


def get_rems_form_for(ctx: Context, public_id) -> RemsForm:
    try:
        return rems_forms_for(ctx, only_open=False).get(public_id=public_id)
    except (RemsForm.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such REMS form.") from None


def mark_rems_submitted(ctx: Context, form: RemsForm, data: dict, *, now: dt.datetime | None = None) -> RemsForm:
    require(ctx.user, "rems.form")
    now = now or timezone.now()
    cleaned = _validate(tforms.RemsSubmitForm, data)
    with transaction.atomic():
        locked = RemsForm.objects.select_for_update().select_related("session__patient").get(pk=form.pk)
        if locked.submitted_at is not None:
            raise Conflict(f"Already marked submitted by {locked.submitted_by.name}.")
        if locked.missing_required:
            schema = SCHEMAS[locked.schema_version]
            labels = [schema.field(k).label for k in locked.missing_required]
            raise ValidationFailed({"form": [f"Complete first: {', '.join(labels)}."]},
                                   "The form is missing required fields.")
        locked.submitted_at, locked.submitted_by = now, ctx.user
        locked.submission_reference = cleaned.get("submission_reference", "").strip()
        locked.save(update_fields=["submitted_at", "submitted_by", "submission_reference"])
        session = locked.session
        record(ctx, Action.REMS_FORM_SUBMITTED, obj=locked, patient=session.patient, organization=locked.organization,
               detail={"reference": locked.submission_reference})
        TimelineEvent.objects.create(patient=session.patient, kind="rems",
                                     summary=f"Spravato REMS monitoring form for {locked.treatment_date:%Y-%m-%d} submitted",
                                     actor=ctx.user)
    return locked
