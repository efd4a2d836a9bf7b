"""The protocols a clinic can use: the shipped library (read-only, with the clinic's settings) and
the clinic's own versioned copies.

A shipped protocol is built from the clinical core's defaults. Where a clinic changed one of the
``protocols.*`` settings, the copy it sees carries the clinic's number: ``SETTING_PATHS`` says which
field of which protocol each setting fills (a test checks every path holds the setting's default
in the shipped protocol, so this table cannot drift from ``clinical/protocols/library.py``).
A clinic's own protocol is a row per version; editing makes a new version; plans keep a snapshot
of the version they were made from.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction

from ketamine_clinic.accounts.models import Organization
from ketamine_clinic.accounts.permissions import denied, has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.clinical.protocols.library import KAP_INTEGRATION_WINDOW_KEY, integration_window_days
from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from ..models import ClinicProtocol

LIBRARY, CLINIC = "library", "clinic"

# setting key -> [(protocol key, dotted path in protocol_to_dict output; "*" = every item)]
SETTING_PATHS: dict[str, list[tuple[str, str]]] = {
    "protocols.iv_induction.sessions_per_week": [("iv-racemic-induction", "phases.0.spacing.sessions_per_week")],
    "protocols.iv.min_days_between": [("iv-racemic-induction", "phases.0.spacing.min_days_between"),
                                      ("iv-racemic-maintenance", "phases.*.spacing.min_days_between")],
    "protocols.iv_induction.max_span_days": [("iv-racemic-induction", "phases.0.spacing.max_span_days")],
    "protocols.maintenance.monthly_interval_days": [("iv-racemic-maintenance", "phases.2.spacing.interval_days")],
    "protocols.esketamine.min_days_between": [("esketamine-trd", "phases.*.spacing.min_days_between"),
                                              ("esketamine-mdd-suicidal-ideation", "phases.*.spacing.min_days_between")],
    "protocols.esketamine.continuation_interval_days": [("esketamine-trd", "phases.2.spacing.interval_days")],
    "protocols.im.default_dose_mg_per_kg": [("im-series", "dose_rule.default")],
    "protocols.im.min_dose_mg_per_kg": [("im-series", "dose_rule.minimum")],
    "protocols.im.max_dose_mg_per_kg": [("im-series", "dose_rule.maximum")],
    "protocols.im.series_sessions": [("im-series", "phases.0.session_count")],
    "protocols.im.sessions_per_week": [("im-series", "phases.0.spacing.sessions_per_week")],
    "protocols.im.min_days_between": [("im-series", "phases.0.spacing.min_days_between")],
    "protocols.oral.default_dose_mg": [("oral-sublingual-in-clinic", "dose_rule.default"),
                                       ("sublingual-lozenges-at-home", "dose_rule.default")],
    "protocols.oral.sessions_per_week": [("oral-sublingual-in-clinic", "phases.0.spacing.sessions_per_week"),
                                         ("sublingual-lozenges-at-home", "phases.0.spacing.sessions_per_week")],
    "protocols.oral.min_days_between": [("oral-sublingual-in-clinic", "phases.0.spacing.min_days_between"),
                                        ("sublingual-lozenges-at-home", "phases.0.spacing.min_days_between")],
    "protocols.pain.default_rate_mg_per_kg_per_h": [("iv-chronic-pain", "dose_rule.default")],
    "protocols.pain.min_days_between": [("iv-chronic-pain", "phases.0.spacing.min_days_between")],
    "protocols.kap.dosing_sessions": [("ketamine-assisted-psychotherapy", "phases.0.session_count")],
    "protocols.kap.sessions_per_week": [("ketamine-assisted-psychotherapy", "phases.0.spacing.sessions_per_week")],
    "protocols.kap.min_days_between": [("ketamine-assisted-psychotherapy", "phases.0.spacing.min_days_between")],
    "protocols.kap.default_dose_mg_per_kg": [("ketamine-assisted-psychotherapy", "dose_rule.default")],
    "protocols.kap.preparation_within_days": [("ketamine-assisted-psychotherapy", "linked_sessions.0.within_days")],
    KAP_INTEGRATION_WINDOW_KEY: [("ketamine-assisted-psychotherapy", "linked_sessions.1.within_days")],
}
# Settings whose unit differs from the protocol field they fill: setting value -> field value.
SETTING_TO_FIELD = {KAP_INTEGRATION_WINDOW_KEY: integration_window_days}

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,78}$")


@dataclass
class ProtocolEntry:
    """A protocol as one clinic sees it."""

    source: str  # library | clinic
    key: str
    version: int
    protocol: cp.Protocol
    data: dict
    row: ClinicProtocol | None = None
    clinic_settings: list[str] = field(default_factory=list)  # setting keys that changed a shipped value
    settings_problem: str = ""

    @property
    def title(self) -> str:
        return self.protocol.title

    @property
    def route(self):
        return self.protocol.route


def _to_json_value(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    return value


def paths_in(data: dict, path: str) -> list[tuple[object, object]]:
    """(container, key) pairs that ``path`` names in ``data`` ("*" expands to every list item)."""
    targets = [data]
    parts = path.split(".")
    for part in parts[:-1]:
        nxt = []
        for t in targets:
            if part == "*":
                nxt.extend(t)
            else:
                nxt.append(t[int(part)] if isinstance(t, list) else t[part])
        targets = nxt
    last = parts[-1]
    out = []
    for t in targets:
        if last == "*":
            out.extend((t, i) for i in range(len(t)))
        else:
            out.append((t, int(last) if isinstance(t, list) else last))
    return out


def _same(a, b) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except Exception:
        return a == b


def library_entry(organization, key: str, policy: dict | None = None) -> ProtocolEntry:
    """The shipped protocol ``key`` with this clinic's ``protocols.*`` settings applied."""
    base = cp.PROTOCOLS[key]
    data = cp.protocol_to_dict(base)
    policy = policy if policy is not None else policy_for(organization, "protocols.")
    changed = []
    for setting_key, targets in SETTING_PATHS.items():
        value = policy.get(setting_key)
        if value is not None and setting_key in SETTING_TO_FIELD:
            value = SETTING_TO_FIELD[setting_key](value)
        for protocol_key, path in targets:
            if protocol_key != key or value is None:
                continue
            for container, name in paths_in(data, path):
                if not _same(container[name], value):
                    container[name] = _to_json_value(value)
                    if setting_key not in changed:
                        changed.append(setting_key)
    if not changed:
        return ProtocolEntry(LIBRARY, key, base.version, base, data)
    try:
        protocol = cp.protocol_from_dict(data)
    except cp.ProtocolError as exc:
        # The clinic's numbers do not fit together for this protocol: use the shipped one and say so.
        problem = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
        return ProtocolEntry(LIBRARY, key, base.version, base, cp.protocol_to_dict(base), settings_problem=problem)
    return ProtocolEntry(LIBRARY, key, base.version, protocol, data, clinic_settings=changed)


def clinic_entry(row: ClinicProtocol) -> ProtocolEntry:
    return ProtocolEntry(CLINIC, row.key, row.version, cp.protocol_from_dict(row.data), row.data, row=row)


def _require_read(user) -> None:
    if not (has_permission(user, "plan.view") or has_permission(user, "protocol.manage")):
        raise denied("plan.view")


# --- reads ------------------------------------------------------------------------------------
def protocols_for(ctx: Context) -> list[ProtocolEntry]:
    """The shipped library (with the clinic's settings) and the latest version of each clinic protocol."""
    _require_read(ctx.user)
    org = ctx.user.organization
    policy = policy_for(org, "protocols.")
    entries = [library_entry(org, key, policy) for key in cp.PROTOCOLS]
    latest: dict[str, ClinicProtocol] = {}
    for row in ClinicProtocol.objects.filter(organization=org).select_related("created_by").order_by("key", "-version"):
        latest.setdefault(row.key, row)
    entries += [clinic_entry(row) for row in latest.values()]
    return entries


def get_protocol_for(ctx: Context, key: str, version: int | None = None) -> ProtocolEntry:
    """One protocol by key (the clinic's latest version, or ``version``); NotFound otherwise."""
    _require_read(ctx.user)
    return entry_for_org(ctx.user.organization, key, version)


def entry_for_org(org, key: str, version: int | None = None) -> ProtocolEntry:
    if key in cp.PROTOCOLS:
        entry = library_entry(org, key)
        if version is not None and version != entry.version:
            raise NotFound(f"The shipped protocol {key} has only version {entry.version}.")
        return entry
    rows = ClinicProtocol.objects.filter(organization=org, key=key).select_related("created_by")
    row = rows.filter(version=version).first() if version is not None else rows.order_by("-version").first()
    if row is None:
        raise NotFound(f"No protocol {key!r}" + (f" version {version}." if version is not None else "."))
    return clinic_entry(row)


def protocol_versions(ctx: Context, key: str) -> list[ClinicProtocol]:
    _require_read(ctx.user)
    return list(ClinicProtocol.objects.filter(organization=ctx.user.organization, key=key)
                .select_related("created_by").order_by("-version"))


# --- writes -----------------------------------------------------------------------------------
def _check_new_key(key: str, org, errors: dict) -> None:
    if not KEY_RE.match(key):
        errors["key"] = ["Use 2-79 lowercase letters, digits, '-' or '_', starting with a letter or digit."]
    elif key in cp.PROTOCOLS:
        errors["key"] = [f"{key!r} is a shipped protocol, which stays as published: give your copy its own key, "
                         f"e.g. {key}-{org.slug}."]


def _optional_version(value, errors: dict) -> int | None:
    """``based_on_version``: blank for the newest, else a whole number."""
    if value in ("", None):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors["based_on_version"] = ["A whole number is required."]
        return None


def _base_entry(org, based_on: str, based_on_version: int | None, errors: dict):
    """The protocol copied or edited (shipped or the clinic's), or None with an error."""
    if not based_on:
        errors["based_on"] = ["Say which protocol this copies or edits."]
        return None
    try:
        return entry_for_org(org, based_on, based_on_version)
    except NotFound as exc:
        errors["based_on"] = [exc.message]
        return None


def _protocol_dict(raw, base, errors: dict) -> dict | None:
    """The protocol sent (a dict or JSON text); nothing sent means a copy of the base unchanged."""
    if raw is None or raw == "":
        protocol_dict = copy.deepcopy(base.data) if base else None
    elif isinstance(raw, str):
        try:
            protocol_dict = json.loads(raw)
        except ValueError as exc:
            errors["protocol"] = [f"Not valid JSON: {exc}."]
            protocol_dict = None
    else:
        protocol_dict = raw
    if protocol_dict is not None and not isinstance(protocol_dict, dict):
        errors["protocol"] = ["A JSON object is required."]
    return protocol_dict


def save_clinic_protocol(ctx: Context, data: dict) -> ClinicProtocol:
    """Copy a protocol under a new key, or save a new version of a clinic protocol.

    ``data``: ``based_on`` (a protocol key), optional ``based_on_version``, ``key`` (the clinic
    protocol's key: new for a copy, the same to edit), ``protocol`` (a dict or JSON text as
    ``protocol_to_dict`` writes; ``key`` and ``version`` inside are set here) and ``reason``.
    """
    require(ctx.user, "protocol.manage")
    org = ctx.user.organization
    errors: dict[str, list[str]] = {}
    key = str(data.get("key") or "").strip().lower()
    based_on = str(data.get("based_on") or "").strip()
    reason = str(data.get("reason") or "").strip()
    _check_new_key(key, org, errors)
    if not reason:
        errors["reason"] = ["Say why this version is made (it is kept with the version)."]
    elif len(reason) > 300:
        errors["reason"] = ["At most 300 characters."]
    based_on_version = _optional_version(data.get("based_on_version"), errors)
    base = _base_entry(org, based_on, based_on_version, errors)
    protocol_dict = _protocol_dict(data.get("protocol"), base, errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        last = ClinicProtocol.objects.filter(organization=org, key=key).order_by("-version").first()
        version = (last.version + 1) if last else 1
        if last is not None and base.source == CLINIC and base.key == key and base.version != last.version:
            raise Conflict(f"{key} is now at version {last.version}; you edited version {base.version}. Reload and try again.")
        protocol_dict = dict(protocol_dict, key=key, version=version)
        try:
            protocol = cp.protocol_from_dict(protocol_dict)
        except cp.ProtocolError as exc:
            raise ValidationFailed({f"protocol.{k}": v for k, v in exc.errors.items()},
                                   "The protocol has problems; nothing was saved.") from None
        try:
            row = ClinicProtocol.objects.create(
                organization=org, key=key, version=version, title=protocol.title, route=protocol.route.value,
                data=cp.protocol_to_dict(protocol), based_on_key=base.key, based_on_version=base.version,
                based_on_source=base.source, reason=reason, created_by=ctx.user,
            )
        except IntegrityError:
            raise Conflict("Someone saved this protocol at the same moment; reload and try again.") from None
        record(ctx, Action.PROTOCOL_VERSION, obj=row, organization=org,
               detail={"key": key, "version": version, "based_on": f"{base.source}:{base.key}@{base.version}"})
    return row
