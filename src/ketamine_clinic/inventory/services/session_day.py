"""The session day's use of stock, called by the treatments services inside their own transaction:
the dose is drawn from a chosen container (its lot and expiry become the administration's), what
the administration record says was given is administered against the session's draws, and the
session closes only when every draw is accounted for (the remainder wasted or returned)."""

import datetime as dt
from decimal import Decimal

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Container, Draw, LedgerEvent
from ..rules import ledger
from ..rules.quantities import Quantity, fit_remainder
from . import draws, reads
from ._common import audit, invalid, lock_container, qty_detail


def container_for_dose(ctx, raw) -> Container:
    """The chosen container (id or label) of the clinic; its lot and expiry become the
    administration's. Not locked here: the draw locks it and checks its balance and dates."""
    public_id = uuid_or_none(raw)
    containers = Container.objects.filter(organization=ctx.user.organization).select_related("product")
    found = containers.filter(public_id=public_id).first() if public_id else containers.filter(label=str(raw).strip().upper()).first()
    if found is None:
        raise invalid("container", "No container of your clinic has this id or label.")
    return found


def draw_for_dose(ctx, session, container: Container, *, quantity_ml: Decimal | None = None, now: dt.datetime) -> Draw:
    """Draw the dose for ``session`` (a device is taken whole; a vial gives ``quantity_ml``)."""
    data = {"container": container.public_id}
    if not container.product.is_device:
        if quantity_ml is None:
            raise invalid("container", "The drawn volume is not known for this route; draw from the Inventory page.")
        data["quantity_ml"] = str(quantity_ml)
    return draws.draw(ctx, data, session=session, now=now)


def session_draws(session) -> list[Draw]:
    return list(Draw.objects.filter(session=session).select_related("container__product", "event").order_by("drawn_at", "id"))


def open_draws(session) -> list[tuple[Draw, Quantity]]:
    return [(d, q) for d in session_draws(session) if (q := draws.draw_open_quantity(d)).mg > 0]


def given_recorded_mg(session) -> Decimal:
    events = LedgerEvent.objects.filter(draw__session=session, event_type=ledger.EventType.ADMINISTER, correction__isnull=True)
    return sum((e.quantity_mg for e in events), Decimal(0))


def record_given(ctx, session, given_mg: Decimal, *, now: dt.datetime) -> list[LedgerEvent]:
    """Bring the session's administered total up to ``given_mg`` (from the administration record),
    taken from its draws in order. Never more than was drawn."""
    missing = given_mg - given_recorded_mg(session)
    if missing <= 0:
        return []
    made = []
    for drawn, left in open_draws(session):
        if missing <= 0:
            break
        container = lock_container(ctx.user.organization, drawn.container.public_id)
        take = left if missing >= left.mg else Quantity(missing, (missing / container.product.concentration_mg_per_ml).quantize(Decimal("0.0001")))
        take = fit_remainder(take, left)
        event = draws._account(ctx, drawn, container, ledger.EventType.ADMINISTER, take, now,
                               reference=f"session {session.public_id}")
        audit(ctx, Action.INVENTORY_ADMINISTER, event, {"draw": str(drawn.public_id), "container": container.label, **qty_detail(take)},
              patient=drawn.patient)
        made.append(event)
        missing -= take.mg
    if missing > 0:
        raise ValidationFailed({"container": [f"{missing.normalize():f} mg more were given than were drawn from stock; "
                                              "record the draw of every container used."]})
    return made


def open_draws_message(session) -> str | None:
    """Why the session may not close yet (drug drawn but not given, wasted or returned), or None."""
    still = open_draws(session)
    if not still:
        return None
    names = "; ".join(f"{d.container.label}: {q.mg.normalize():f} mg ({q.ml.normalize():f} mL)" for d, q in still)
    return f"Waste or return the rest of each draw first ({names})"


def require_draws_closed(session) -> None:
    message = open_draws_message(session)
    if message:
        raise Conflict("The session cannot close yet.", {"inventory": [message + "."]})


def session_stock(user, session) -> dict:
    """For the session screen: the session's draws with what is still open, and the containers in
    stock at its location (offered in the dose form's container field)."""
    if not has_permission(user, "inventory.view"):
        return {"visible": False, "draws": [], "in_stock": []}
    draws_now = [(d, draws.draw_open_quantity(d)) for d in session_draws(session)]
    in_stock = reads.containers_for(user, location=session.location) if has_permission(user, "inventory.administer") else []
    return {"visible": True, "draws": draws_now, "in_stock": in_stock}
