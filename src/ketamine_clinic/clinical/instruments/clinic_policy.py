"""Read a clinic's value for a ``policy.Setting``, falling back to the shipped default."""

import math
from collections.abc import Mapping

from ..clinic_policy import Setting
from .errors import SettingValueError


def setting_value(settings: Mapping[str, object] | None, setting: Setting) -> float | int:
    """The clinic's number for ``setting`` (or its default), checked against its bounds."""
    if settings is not None and not isinstance(settings, Mapping):
        raise SettingValueError("settings", "Settings must be a mapping of setting key to value.")
    value = setting.default if settings is None else settings.get(setting.key, setting.default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingValueError(setting.key, f"Must be a finite number, got {value!r}.")
    if setting.minimum is not None and value < setting.minimum:
        raise SettingValueError(setting.key, f"Must be at least {setting.minimum}, got {value}.")
    if setting.maximum is not None and value > setting.maximum:
        raise SettingValueError(setting.key, f"Must be at most {setting.maximum}, got {value}.")
    return value
