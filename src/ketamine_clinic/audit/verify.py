"""Checking the audit trail: every problem found, not only the first.

Three layers: each event's own MAC (an altered or forged event), the sealed chain (a removed,
reordered or re-sealed position; a head that does not match), and, given a checkpoint directory,
the signed heads written outside the database (newest events removed and the head reset).
"""

import datetime as dt
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from . import chain, checkpoints
from .models import AuditChainHead, AuditEvent, AuditPending, AuditSeal

MAX_PROBLEMS_LISTED = 200  # beyond this, a count: a wholesale rewrite should not flood the screen
PENDING_STALE_AFTER = dt.timedelta(minutes=10)  # sealer runs every few seconds; longer means it is not running


@dataclass
class VerifyResult:
    events: int = 0  # events whose own MAC was checked
    sealed: int = 0  # chain positions checked
    pending: int = 0  # events written but not yet sealed
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not evidence of tampering
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def checked(self) -> int:
        return self.events

    @property
    def problem(self) -> str:
        return "; ".join(self.all_problems())

    def all_problems(self) -> list[str]:
        return self.problems + ([f"… and {self.more_problems} more problems"] if self.more_problems else [])

    def add(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(message)
        else:
            self.more_problems += 1


def _batches(queryset, key: str, batch_size: int):
    last = None
    while True:
        qs = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        batch = list(qs.order_by(key)[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1][key] if isinstance(batch[-1], dict) else getattr(batch[-1], key)


def verify_chain(checkpoint_dir=None, batch_size: int = 2000) -> VerifyResult:
    result = VerifyResult()
    head = AuditChainHead.objects.filter(id=1).first()  # read first: seals added after it are allowed
    pending_ids = set(AuditPending.objects.values_list("event_id", flat=True))
    sealed_ids = set(AuditSeal.objects.values_list("event_id", flat=True))
    # 1. every event's own MAC, and every event either sealed or pending
    oldest_pending = _check_events(result, pending_ids, sealed_ids, batch_size)
    # 2. the sealed chain, position by position
    by_seq = _read_checkpoints(result, checkpoint_dir)
    last_seq, last_mac = _check_chain(result, by_seq, batch_size)
    # 3. the head, and checkpoints beyond the end of the chain
    _check_head(result, head, last_seq, last_mac)
    for seq, cps_left in sorted(by_seq.items()):
        for cp in cps_left:
            result.add(f"checkpoint {cp.source} saw chain position {seq}, but the chain ends at {last_seq} (newest events removed)")
    _note_pending(result, oldest_pending)
    return result


def _check_events(result: VerifyResult, pending_ids: set, sealed_ids: set, batch_size: int):
    """Layer 1; the time of the oldest pending event (None when none is pending)."""
    oldest_pending, unaccounted = None, []
    for batch in _batches(AuditEvent.objects.all(), "id", batch_size):
        for event in batch:
            result.events += 1
            if not hmac.compare_digest(event.mac, event.compute_mac()):
                result.add(f"event #{event.id} ({event.action}) was altered or forged: its MAC does not match")
            if event.id in pending_ids:
                result.pending += 1
                oldest_pending = oldest_pending or event.occurred_at
            elif event.id not in sealed_ids:
                unaccounted.append(event)
    if unaccounted:
        _recheck_unaccounted(result, unaccounted)
    missing_pending = pending_ids - set(AuditEvent.objects.filter(id__in=pending_ids).values_list("id", flat=True))
    for event_id in sorted(missing_pending):
        result.add(f"event #{event_id} was removed before it was sealed (its pending marker remains)")
    return oldest_pending


def _recheck_unaccounted(result: VerifyResult, unaccounted: list) -> None:
    """Written or sealed while we read? Ask again before calling it a problem."""
    ids = [e.id for e in unaccounted]
    accounted = set(AuditPending.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    accounted |= set(AuditSeal.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    for event in unaccounted:
        if event.id not in accounted:
            result.add(f"event #{event.id} ({event.action}) is neither sealed nor pending")


def _read_checkpoints(result: VerifyResult, checkpoint_dir) -> dict[int, list]:
    """The checkpoints found, by chain position."""
    cps, cp_problems = checkpoints.read(checkpoint_dir) if checkpoint_dir else ([], [])
    for message in cp_problems:
        result.add(message)
    result.checkpoints = len(cps)
    if checkpoint_dir and not cps:
        result.notes.append(f"no checkpoints found in {checkpoint_dir}")
    by_seq: dict[int, list] = {}
    for cp in cps:
        by_seq.setdefault(cp.seq, []).append(cp)
    return by_seq


def _check_chain(result: VerifyResult, by_seq: dict[int, list], batch_size: int) -> tuple[int, str]:
    """Layer 2, consuming the checkpoints matched; the last position checked and its MAC."""
    key = settings.AUDIT_KEY
    expected_seq, prev = 1, chain.GENESIS_MAC
    for batch in _batches(AuditSeal.objects.values("seq", "event_id", "prev_mac", "mac"), "seq", batch_size):
        ids = [s["event_id"] for s in batch]
        macs = dict(AuditEvent.objects.filter(id__in=ids).values_list("id", "mac"))
        for seal in batch:
            _check_seal(result, key, seal, expected_seq, prev, macs)
            for cp in by_seq.pop(seal["seq"], []):
                if cp.mac != seal["mac"]:
                    result.add(f"chain position {seal['seq']} differs from checkpoint {cp.source} (the chain was rewritten)")
            result.sealed += 1
            prev, expected_seq = seal["mac"], seal["seq"] + 1
    return expected_seq - 1, prev


def _check_seal(result: VerifyResult, key, seal: dict, expected_seq: int, prev: str, macs: dict) -> None:
    """One chain position: no gap before it, linked to the previous one, its event present and its MAC right."""
    seq = seal["seq"]
    if seq != expected_seq:
        span = f"position {expected_seq} is" if seq - 1 == expected_seq else f"positions {expected_seq}–{seq - 1} are"
        result.add(f"chain {span} missing (removed)")
    if seal["prev_mac"] != prev:
        result.add(f"chain position {seq} does not follow position {seq - 1}")
    if seal["event_id"] not in macs:
        result.add(f"event #{seal['event_id']} (chain position {seq}) was removed")
        return
    expected = chain.link_mac(key, seq, seal["event_id"], macs[seal["event_id"]], seal["prev_mac"])
    if not hmac.compare_digest(seal["mac"], expected):
        result.add(f"chain position {seq} (event #{seal['event_id']}) was altered or re-sealed without the key")


def _check_head(result: VerifyResult, head, last_seq: int, last_mac: str) -> None:
    """The head read at the start against the chain's end (a head behind it may have moved on since)."""
    if head is not None and head.last_seq > last_seq:
        result.add(f"the chain ends at position {last_seq} but its head says {head.last_seq} (positions removed)")
    elif head is not None and head.last_seq and head.last_seq == last_seq and head.last_mac != last_mac:
        result.add(f"the chain head does not match position {last_seq}")
    elif head is None and last_seq:
        result.add("the chain head is missing")
    elif head is not None and head.last_seq < last_seq:
        fresh = AuditChainHead.objects.filter(id=1).first()  # the sealer may have moved on meanwhile
        if fresh is None or fresh.last_seq < last_seq:
            result.add(f"chain positions {(fresh.last_seq if fresh else 0) + 1}–{last_seq} lie beyond the head (appended outside the sealer)")


def _note_pending(result: VerifyResult, oldest_pending) -> None:
    if result.pending:
        result.notes.append(f"{result.pending} events are not sealed yet (the worker seals them within seconds)")
        if oldest_pending and timezone.now() - oldest_pending > PENDING_STALE_AFTER:
            result.notes.append("some have waited over 10 minutes: is `ketamine-clinic worker` running?")
