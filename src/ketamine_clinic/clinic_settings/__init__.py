"""Clinic settings: each organization's own values for the settings that clinical/ and the apps declare.

``registry``: the declarations. clinical/ contributes its own; each app registers its ``SETTINGS`` (and
optional ``VALIDATORS``), declared in ``<app>/clinic_policy.py``, from its ``AppConfig.ready()``. ``services``: read
them (``policy_for`` for a group by key prefix, ``setting_value`` for one) and change
them (``change_setting``: permission, validation, one transaction, audit event). The rows live in
``core.ClinicSettingValue`` (table ``core_clinicsettingvalue``), a model that imports nothing.
This package sits above accounts and audit, below every app that reads a setting.
"""

from .app_setup import register_app
from .registry import all_settings, register
from .services import change_setting, history, policy_for, setting_value

__all__ = ["all_settings", "change_setting", "history", "policy_for", "register", "register_app", "setting_value"]
