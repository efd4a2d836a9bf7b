"""The two DEA deadlines a theft or significant loss starts, and marking them done."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Deadline, DeadlineKind
from ..rules.deadlines import loss_deadlines
from ._common import audit, invalid, text


def start_deadlines(case) -> list[Deadline]:
    """Called inside the service's transaction; idempotent per discrepancy and kind."""
    due = loss_deadlines(case.discovered_on)
    made = []
    for kind, due_on in ((DeadlineKind.WRITTEN_NOTICE, due.written_notice_due), (DeadlineKind.FORM_106, due.form_106_due)):
        deadline, _ = Deadline.objects.get_or_create(discrepancy=case, kind=kind,
                                                     defaults={"organization_id": case.organization_id, "due_on": due_on})
        made.append(deadline)
    return made


def mark_done(ctx, data: dict, *, now: dt.datetime | None = None) -> Deadline:
    require(ctx.user, "inventory.count")
    note = text(data, "note", label="what was sent, how and when")
    public_id = uuid_or_none(data.get("deadline"))
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().filter(organization=ctx.user.organization, public_id=public_id).first() if public_id else None
        if deadline is None:
            raise invalid("deadline", "No deadline of your clinic has this id.")
        if deadline.done_at is not None:
            raise invalid("deadline", "This deadline is already marked done.")
        deadline.done_at, deadline.done_by, deadline.done_note = now or timezone.now(), ctx.user, note
        deadline.save(update_fields=["done_at", "done_by", "done_note"])
        audit(ctx, Action.INVENTORY_DEADLINE_DONE, deadline, {"kind": deadline.kind, "due_on": deadline.due_on.isoformat(), "note": note})
    return deadline
