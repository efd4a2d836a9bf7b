"""SMART system scopes: ``system/<Type|*>.<read|write|*>`` (v1) and ``system/<Type|*>.<cruds>`` (v2).

A scope grants interaction letters per resource type: v1 ``read`` is v2 ``rs``, ``write`` is ``cud``.
Scopes narrow what a token may do; the permission matrix (the client's service user's roles) still
applies underneath.
"""

import re

from ..errors import FhirError

SCOPE = re.compile(r"^system/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$")
V1 = {"read": "rs", "write": "cud", "*": "cruds"}


def parse(text: str) -> frozenset[tuple[str, str]]:
    """{(type or '*', letter)} from a space-separated scope string; ValueError naming a bad scope."""
    grants = set()
    for scope in text.split():
        match = SCOPE.match(scope)
        if not match or not match.group(2):
            raise ValueError(f"Not a SMART system scope: {scope!r} (e.g. system/Patient.read or system/*.rs).")
        kind, access = match.groups()
        grants |= {(kind, letter) for letter in V1.get(access, access)}
    return frozenset(grants)


def allows(grants, resource_type: str, letter: str) -> bool:
    return (resource_type, letter) in grants or ("*", letter) in grants


def granted(user, resource_type: str, letter: str) -> bool:
    """True for a user without SMART scopes (a personal API token or a session): the matrix decides."""
    grants = getattr(user, "smart_scopes", None)
    return grants is None or allows(grants, resource_type, letter)


def require(user, resource_type: str, letter: str) -> None:
    if not granted(user, resource_type, letter):
        need = {"r": "read", "s": "search", "c": "create", "u": "update", "d": "delete"}[letter]
        raise FhirError(403, f"The token's scopes do not allow {need} of {resource_type}.", "forbidden")


def require_bundle(user, bundle) -> None:
    """Every entry of a transaction Bundle within the token's write scopes (create or update)."""
    if getattr(user, "smart_scopes", None) is None or not isinstance(bundle, dict):
        return
    for entry in bundle.get("entry") or []:
        resource = (entry or {}).get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            method = ((entry.get("request") or {}).get("method") or "POST").upper()
            require(user, resource["resourceType"], "u" if method == "PUT" else "c")
