"""The session day's link to the controlled-substance record (``inventory``): the dose is drawn
from a chosen container, whose lot and expiry become the administration's; what the
administration record says was given is recorded against the draw; the rest must be wasted or
returned before discharge. Without a container the lot and expiry are typed in (no stock kept)."""

import datetime as dt
from decimal import Decimal

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.inventory.services import session_day


def product_from_stock(ctx, cleaned: dict):
    """The chosen container, with ``cleaned``'s lot and expiry taken from it; None when the lot and
    expiry are typed in (both then required)."""
    raw = (cleaned.get("container") or "").strip()
    if not raw:
        missing = {f: ["Choose the container from stock, or enter the lot number and expiry date."]
                   for f in ("lot_number", "expiry_date") if not cleaned.get(f)}
        if missing:
            raise ValidationFailed(missing)
        return None
    container = session_day.container_for_dose(ctx, raw)
    cleaned["lot_number"], cleaned["expiry_date"] = container.lot_number, container.expiry_date
    return container


def draw_dose(ctx, session, container, *, draw_volume_ml: Decimal | None, given_now_mg: Decimal | None, now: dt.datetime) -> None:
    """Inside the dosing transaction: draw from the container for this session. A nasal device is
    given whole at once; a bolus (``given_now_mg``) is given at once, never more than was drawn; an
    infusion's given quantity is recorded when it stops."""
    if container is None:
        return
    session_day.draw_for_dose(ctx, session, container, quantity_ml=draw_volume_ml, now=now)
    if container.product.is_device or given_now_mg is not None:
        open_mg = _open_mg(session)
        given = open_mg if container.product.is_device else min(given_now_mg, open_mg)
        session_day.record_given(ctx, session, session_day.given_recorded_mg(session) + given, now=now)


def _open_mg(session) -> Decimal:
    return sum((q.mg for _, q in session_day.open_draws(session)), Decimal(0))


def record_infusion_given(ctx, session, given_mg: Decimal | None, *, now: dt.datetime) -> None:
    """When an infusion stops: the total the pump delivered is the administered quantity."""
    if given_mg is not None and session_day.session_draws(session):
        drawn_mg = session_day.given_recorded_mg(session) + _open_mg(session)
        session_day.record_given(ctx, session, min(given_mg, drawn_mg), now=now)  # rounding never exceeds the draw


def open_draws_message(session) -> str | None:
    return session_day.open_draws_message(session)


def session_stock(user, session) -> dict:
    return session_day.session_stock(user, session)
