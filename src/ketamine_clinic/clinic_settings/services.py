"""Read and change an organization's clinic settings (defaults from clinical/ SETTINGS)."""

import math
from decimal import Decimal, InvalidOperation

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core import request_memo
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.core.models import ClinicSettingValue

from .registry import all_settings, validators


STRING_SETTING_MAX_CHARS = 200


def _coerce(setting, raw):
    """The value in the default's type, within the setting's bounds; raises ValueError with a message."""
    kind = type(setting.default)
    if kind is bool:
        return _as_bool(raw)
    if kind is str:
        return _as_text(raw)
    value = _as_number(kind, raw)
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(f"At least {setting.minimum:g} {setting.unit}".strip() + ".")
    if setting.maximum is not None and value > setting.maximum:
        raise ValueError(f"At most {setting.maximum:g} {setting.unit}".strip() + ".")
    return value


def _as_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "on", "1", "yes"):
        return True
    if text in ("false", "off", "0", "no", ""):
        return False
    raise ValueError("Choose yes or no.")


def _as_text(raw) -> str:
    value = str(raw).strip()
    if not value or len(value) > STRING_SETTING_MAX_CHARS:
        raise ValueError(f"Enter 1 to {STRING_SETTING_MAX_CHARS} characters.")
    return value


def _as_number(kind, raw):
    """An int, Decimal or float from a form or JSON value; a boolean is not a number."""
    if isinstance(raw, bool):
        raise ValueError("Enter a number.")
    try:
        if kind is int:
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
            return int(str(raw).strip()) if not isinstance(raw, (int, float)) else int(raw)
        value = Decimal(str(raw).strip()) if kind is Decimal else float(raw)
        if not (value.is_finite() if kind is Decimal else math.isfinite(value)):
            raise ValueError
        return value
    except (ValueError, TypeError, InvalidOperation):
        raise ValueError(f"Enter a {'whole ' if kind is int else ''}number.") from None


def _to_json(value):
    return str(value) if isinstance(value, Decimal) else value


def _from_json(setting, stored):
    return Decimal(stored) if isinstance(setting.default, Decimal) else stored


def policy_for(organization, prefix: str = "") -> dict:
    """Every setting (or those under ``prefix``) with the organization's value or the default.

    ``organization`` may be an Organization, its primary key, or None (defaults only). One query;
    inside a page's ``request_memo`` scope, one query per organization for the whole page.
    """
    org_id = getattr(organization, "pk", organization)
    if org_id is not None and request_memo.active():
        every = request_memo.remember(("clinic_settings.policy", org_id), lambda: _policy(org_id, ""))
        return {k: v for k, v in every.items() if k.startswith(prefix)}
    return _policy(org_id, prefix)


# Every stored value of a clinic, each key's versions oldest first, so the newest is read last
# (compiled once per process: most pages read the policy). A clinic changes a setting a few times a
# year, so its rows stay few.
_STORED_VALUES = Prepared(lambda org_id: ClinicSettingValue.objects.filter(organization_id=org_id)
                          .order_by("key", "version").values("key", "value"))


def _policy(org_id, prefix: str) -> dict:
    settings = {k: s for k, s in all_settings().items() if k.startswith(prefix)}
    values = {k: s.default for k, s in settings.items()}
    if org_id is not None:
        for row in _STORED_VALUES(org_id).fetch():
            if row["key"] in settings:
                values[row["key"]] = _from_json(settings[row["key"]], row["value"])
    return values


def setting_value(organization, setting):
    """One setting's value (a ``Setting`` or its key) for the organization: its own, else the default."""
    key = getattr(setting, "key", setting)
    return policy_for(organization, key)[key]


def change_setting(ctx: Context, key: str, raw_value, reason: str) -> ClinicSettingValue:
    require(ctx.user, "org.manage")
    setting = all_settings().get(key)
    if setting is None:
        raise NotFound(f"No setting {key!r}.")
    errors = {}
    try:
        value = _coerce(setting, raw_value)
        check = validators().get(key)
        if check is not None:
            check(value)
    except ValueError as exc:
        errors["value"] = [str(exc)]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the clinic changes this setting."]
    elif len(reason) > 300:
        errors["reason"] = ["At most 300 characters."]
    if errors:
        raise ValidationFailed(errors)
    org = ctx.user.organization
    with transaction.atomic():
        last = ClinicSettingValue.objects.select_for_update().filter(organization=org, key=key).order_by("-version").first()
        row = ClinicSettingValue.objects.create(
            organization=org, key=key, value=_to_json(value), version=(last.version + 1) if last else 1,
            reason=reason.strip(), changed_by=ctx.user,
        )
        record(ctx, Action.ORG_SETTING_CHANGE, object_type="core.clinicsettingvalue", object_id=key, organization=org,
               detail={"key": key, "value": _to_json(value), "version": row.version})
    request_memo.forget(("clinic_settings.policy", org.pk))
    return row


def history(organization, key: str):
    return ClinicSettingValue.objects.filter(organization=organization, key=key).select_related("changed_by").order_by("-version")
