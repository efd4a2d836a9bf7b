"""Clinic settings: each organization's own values for the settings that clinical/ and the apps declare.

``registry``: the declarations. clinical/ contributes its own; each app registers its ``SETTINGS`` (and
optional ``VALIDATORS``) from its ``AppConfig.ready()``. ``services``: read them (``policy_for``) and change
them (``change_setting``: permission, validation, one transaction, audit event). The rows live in
``core.ClinicSettingValue`` (table ``core_clinicsettingvalue``), a model that imports nothing.
This package sits above accounts and audit, below every app that reads a setting.
"""

from .registry import all_settings, register
from .services import change_setting, history, policy_for

__all__ = ["all_settings", "change_setting", "history", "policy_for", "register"]
