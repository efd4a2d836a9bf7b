"""Writing and checking the audit trail. Every service write calls ``record`` inside its transaction."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def client_ip(request) -> str | None:
    if request is None:
        return None
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
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    patient=None,
    organization=None,
    detail: dict | None = None,
) -> AuditEvent:
    user = ctx.user if ctx and getattr(ctx.user, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", obj.pk))
    if organization is None:
        organization = getattr(obj, "organization", None) or getattr(user, "organization", None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            actor=user,
            actor_username=user.username if user else "",
            actor_roles=",".join(sorted(user.role_set)) if user else "",
            organization=organization,
            action=action,
            object_type=object_type,
            object_id=object_id,
            patient_id=str(patient.public_id) if patient is not None else "",
            source_ip=ctx.source_ip if ctx else None,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify_chain(batch_size: int = 2000) -> VerifyResult:
    """Recompute every hash in order; name the first altered, missing or extra event."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(False, checked, f"event {expected_seq} is missing", expected_seq)
            if event.prev_hash != expected_prev:
                return VerifyResult(False, checked, f"event {event.seq} does not follow event {event.seq - 1}", event.seq)
            if event.compute_hash() != event.hash:
                return VerifyResult(False, checked, f"event {event.seq} was altered", event.seq)
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
        last_seq = batch[-1].seq
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_seq != checked:
        missing = checked + 1
        return VerifyResult(False, checked, f"event {missing} is missing (chain head is at {head.last_seq})", missing)
    if head and checked and head.last_hash != expected_prev:
        return VerifyResult(False, checked, f"event {checked} was altered (chain head hash differs)", checked)
    return VerifyResult(True, checked)
