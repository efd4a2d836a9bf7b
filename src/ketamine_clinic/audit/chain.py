"""The keyed hash chain, as plain functions over plain values (no Django models, no I/O).

Every MAC is HMAC-SHA256 under the audit key, which lives outside the database (``AUDIT_KEY`` or
``AUDIT_KEY_FILE``). Someone who can write to the database but does not hold the key can neither
forge an event nor re-seal the chain after altering one.
"""

import hashlib
import hmac
import json

GENESIS_MAC = "0" * 64


def _mac(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def canonical_event(fields: dict) -> str:
    """The sealed content of one event: every column but the row id and the MAC itself."""
    occurred_at = fields["occurred_at"]
    return json.dumps(
        {
            "occurred_at": occurred_at.isoformat(timespec="microseconds"),
            "actor": fields["actor_id"],
            "actor_username": fields["actor_username"],
            "actor_roles": fields["actor_roles"],
            "organization": fields["organization_id"],
            "action": fields["action"],
            "object_type": fields["object_type"],
            "object_id": fields["object_id"],
            "patient_id": fields["patient_id"],
            "source_ip": fields["source_ip"],
            "detail": fields["detail"],
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def event_mac(key: str, canonical: str) -> str:
    return _mac(key, "event|" + canonical)


def link_mac(key: str, seq: int, event_id: int, event_mac_hex: str, prev_mac: str) -> str:
    """Position ``seq`` of the chain: binds the event (row and content) to everything sealed before it."""
    return _mac(key, f"link|{seq}|{event_id}|{event_mac_hex}|{prev_mac}")


def checkpoint_signature(key: str, seq: int, mac: str, written_at: str) -> str:
    return _mac(key, f"checkpoint|{seq}|{mac}|{written_at}")
