"""Helpers shared by the inventory services: input checks, the container lock, the derived
balance, the witness check and the audit row."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketamine_clinic.accounts import lockout
from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.ids import uuid_or_none

from ..models import Container, LedgerEvent
from ..rules import ledger
from ..rules.quantities import Quantity, QuantityError, quantity_from

MAX_REASON_CHARS = 300


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


def text(data: dict, field: str, *, required: bool = True, max_chars: int = MAX_REASON_CHARS, label: str = "") -> str:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise invalid(field, f"Enter {label or field.replace('_', ' ')}.")
    if len(value) > max_chars:
        raise invalid(field, f"At most {max_chars} characters (this has {len(value)}).")
    return value


def date_field(data: dict, field: str, *, required: bool = True) -> dt.date | None:
    raw = data.get(field)
    if raw in (None, ""):
        if required:
            raise invalid(field, "Enter a date (YYYY-MM-DD).")
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise invalid(field, "Enter a date (YYYY-MM-DD).") from None


def local_today(location: Location, now: dt.datetime) -> dt.date:
    return now.astimezone(location.tz).date()


def quantity(data: dict, concentration_mg_per_ml: Decimal) -> Quantity:
    try:
        return quantity_from(mg=data.get("quantity_mg"), ml=data.get("quantity_ml"), concentration_mg_per_ml=concentration_mg_per_ml)
    except QuantityError as exc:
        raise invalid(exc.field, str(exc)) from None


def our_location(org, raw, field: str) -> Location:
    """One of the organization's active locations (another clinic's is 'not found', never used)."""
    public_id = uuid_or_none(raw)
    found = Location.objects.filter(organization=org, public_id=public_id, is_active=True).first() if public_id else None
    if found is None:
        raise invalid(field, "Choose one of your clinic's locations.")
    return found


def lock_container(org, raw, field: str = "container") -> Container:
    """The organization's container, locked for this transaction: two draws from one vial queue here."""
    public_id = uuid_or_none(raw)
    query = Container.objects.select_for_update().filter(organization=org)
    found = query.filter(public_id=public_id).first() if public_id else query.filter(label=str(raw or "").strip().upper()).first()
    if found is None:
        raise invalid(field, "No container of your clinic has this id or label.")
    return Container.objects.select_related("product", "location").get(pk=found.pk)


def entries(events) -> list[ledger.Entry]:
    """Ledger rows as the arithmetic sees them (``events``: LedgerEvent rows or value dicts)."""
    rows = events.values("event_type", "quantity_mg", "quantity_ml", "corrects__event_type") if hasattr(events, "values") else events
    return [ledger.Entry(ledger.EventType(r["event_type"]), Quantity(r["quantity_mg"], r["quantity_ml"]),
                         ledger.EventType(r["corrects__event_type"]) if r["corrects__event_type"] else None) for r in rows]


def container_balance(container: Container) -> Quantity:
    return ledger.balance(entries(LedgerEvent.objects.filter(container=container)))


def add_event(ctx, container: Container, event_type: ledger.EventType, qty: Quantity, *, now: dt.datetime,
              location: Location | None = None, field: str = "quantity_mg", **fields) -> LedgerEvent:
    """Append one ledger event; call with the container locked. Refuses any balance below zero."""
    corrects = fields.get("corrects")
    entry = ledger.Entry(event_type, qty, ledger.EventType(corrects.event_type) if corrects else None)
    received = LedgerEvent.objects.filter(container=container, event_type=ledger.EventType.RECEIVE).values_list("occurred_at", flat=True).first()
    if received is not None and now < received:
        local = received.astimezone(container.location.tz)
        raise invalid("container", f"{container.label} was received on {local:%Y-%m-%d %H:%M}; nothing can be recorded for it earlier.")
    try:
        ledger.check_change(container_balance(container), entry)
    except ledger.Overdraw as exc:
        raise invalid(field, f"More than the container holds: {exc}.") from None
    return LedgerEvent.objects.create(
        organization_id=container.organization_id, container=container, location=location or container.location,
        event_type=event_type, quantity_mg=qty.mg, quantity_ml=qty.ml, occurred_at=now, actor=ctx.user, **fields)


def audit(ctx, action: Action, obj, detail: dict, patient=None) -> None:
    record(ctx, action, obj=obj, organization=ctx.user.organization, patient=patient, detail=detail)


def qty_detail(qty: Quantity) -> dict:
    return {"quantity_mg": str(qty.mg), "quantity_ml": str(qty.ml)}


class WitnessAuthFailed(Exception):
    """Raised before any write; the failure is counted and audited by the caller's wrapper."""


def witness_for(ctx, data: dict, *, field: str = "witness") -> User:
    """The witness named in ``data[field]``: another active clinician of the clinic who may witness,
    who re-entered a password (or, with an authenticator app, a current code) in ``{field}_secret``."""
    username = text(data, field, max_chars=150, label="the witness's username")
    secret = str(data.get(f"{field}_secret") or "")
    if not secret:
        raise invalid(f"{field}_secret", "The witness must re-enter their password or authenticator code.")
    user = User.objects.filter(organization=ctx.user.organization, username__iexact=username, is_active=True,
                               kind=User.Kind.STAFF).first()
    if user is None or not has_permission(user, "inventory.witness"):
        raise invalid(field, "No clinician of this clinic who may witness has this username.")
    if user.pk == ctx.user.pk:
        raise invalid(field, "The witness must be a different clinician from you.")
    if lockout.cosign_locked(user):  # wrong secrets count like sign-in failures (accounts/lockout.py)
        raise invalid(f"{field}_secret", lockout.COSIGN_LOCKED)
    if not (user.check_password(secret) or _totp_ok(user, secret)):
        raise WitnessAuthFailed(user, field)
    return user


def _totp_ok(user: User, code: str) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and TOTP(authenticator).validate_code(code)


def witness_failed(ctx, exc: WitnessAuthFailed) -> ValidationFailed:
    """Count and audit a wrong witness secret (outside the refused write's transaction)."""
    user, field = exc.args
    lockout.record_cosign_failure(user)
    record(ctx, Action.INVENTORY_WITNESS_FAILED, object_type="accounts.user", object_id=str(user.public_id),
           organization=ctx.user.organization, detail={"witness": user.username})
    return invalid(f"{field}_secret", "The witness's password or code is not correct.")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
