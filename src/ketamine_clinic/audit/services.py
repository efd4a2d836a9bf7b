"""Writing the audit trail. Every service write calls ``record`` inside its transaction.

``record`` inserts the event and a pending marker and takes no lock that other requests share, so
concurrent writers never wait on each other here and no write can deadlock on the audit trail.
``seal_pending`` (run by the worker every few seconds) links pending events into the chain.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from . import chain, checkpoints
from .actions import Action
from .models import AuditChainHead, AuditEvent, AuditPending, AuditSeal

log = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address, as the audit trail and per-address limits record it.

    Behind ``ALLAUTH_TRUSTED_PROXY_COUNT`` reverse proxies (the same setting the login lockouts use),
    each appending the address it saw to X-Forwarded-For, only the last N entries were written by
    proxies we trust; the N-th from the right is the client. Anything before it is what the client
    claimed and is ignored. With no trusted proxy, or a header shorter than N, the connecting
    address is used.
    """
    if request is None:
        return None
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies][:45] or None  # 45: the longest textual IPv6 address
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class Context:
    """Who is acting and from where; built once per request and passed to services."""

    user: object
    source_ip: str | None = None

    @classmethod
    def from_request(cls, request) -> "Context":
        return cls(user=request.user, source_ip=client_ip(request))


def record(
    ctx: Context | None,
    action: Action,
    *,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    patient=None,
    organization=None,
    detail: dict | None = None,
) -> AuditEvent:
    action = Action(action)  # an action not in the enumeration is a bug: ValueError, nothing written
    user = ctx.user if ctx and getattr(ctx.user, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", obj.pk))
    if organization is None:
        organization = getattr(obj, "organization", None) or getattr(user, "organization", None)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_username=user.username if user else "",
        actor_roles=",".join(sorted(user.role_set)) if user else "",
        organization=organization,
        action=action.value,
        object_type=object_type,
        object_id=object_id,
        patient_id=str(patient.public_id) if patient is not None else "",
        source_ip=ctx.source_ip if ctx else None,
        detail=detail or {},
    )
    event.mac = event.compute_mac()
    _insert_with_pending_marker(event)
    return event


def _insert_with_pending_marker(event: AuditEvent) -> None:
    """Insert ``event`` and its pending marker, both or neither.

    On PostgreSQL as one statement (the event's INSERT in a CTE that feeds the marker's): atomic by
    itself, so a read that is audited (every chart view) costs one round trip instead of four
    (BEGIN, two INSERTs, COMMIT). SQLite has no INSERT inside a WITH: a transaction there. Inside
    a caller's transaction there is no savepoint of its own: a failed audit write fails the whole
    write, which must not go on unaudited."""
    using = router.db_for_write(AuditEvent)
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            event.save(using=using)
            AuditPending.objects.using(using).create(event=event)
        return
    fields = [f for f in AuditEvent._meta.local_concrete_fields if not f.primary_key]
    query = InsertQuery(AuditEvent)
    query.insert_values(fields, [event])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [AuditEvent._meta.pk]
    [(insert_sql, params)] = compiler.as_sql()
    quote = connection.ops.quote_name
    marker, event_id, pk = quote(AuditPending._meta.db_table), quote(AuditPending._meta.pk.column), quote(AuditEvent._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f'WITH "event" AS ({insert_sql}) INSERT INTO {marker} ({event_id}) SELECT {pk} FROM "event" '
                       f'RETURNING {event_id}', params)
        (event.pk,) = cursor.fetchone()
    event._state.adding, event._state.db = False, using


def _locked_head() -> AuditChainHead:
    """The chain head, locked for this transaction (only sealers ever lock it)."""
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(id=1)
        except IntegrityError:
            pass  # another sealer created it first
        head = AuditChainHead.objects.select_for_update().get(id=1)
    return head


def seal_pending(batch_size: int = 5000) -> int:
    """Seal every pending event, oldest row first; returns how many were sealed. Safe to run twice
    or concurrently: sealers queue on the chain head, and a sealed event is no longer pending."""
    sealed_total = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            pending = list(
                AuditPending.objects.order_by("event_id").values_list("event_id", "event__mac")[:batch_size]
            )
            if not pending:
                break
            seq, prev = head.last_seq, head.last_mac
            seals = []
            for event_id, mac in pending:
                seq += 1
                link = chain.link_mac(settings.AUDIT_KEY, seq, event_id, mac, prev)
                seals.append(AuditSeal(seq=seq, event_id=event_id, prev_mac=prev, mac=link))
                prev = link
            AuditSeal.objects.bulk_create(seals)
            AuditPending.objects.filter(event_id__in=[p[0] for p in pending]).delete()
            AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_mac=prev)
            if settings.AUDIT_CHECKPOINT_DIR:
                transaction.on_commit(lambda s=seq, m=prev: checkpoints.write(settings.AUDIT_CHECKPOINT_DIR, s, m))
        sealed_total += len(pending)
        if len(pending) < batch_size:
            break
    return sealed_total
