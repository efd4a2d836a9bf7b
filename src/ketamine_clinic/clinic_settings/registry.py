"""Which clinic settings exist: clinical/ declares its own; each app registers its own from ``AppConfig.ready()``."""

from collections.abc import Callable, Iterable

from ketamine_clinic.clinical.policy import Setting
from ketamine_clinic.clinical.registry import all_settings as clinical_settings

# Filled at start-up (AppConfig.ready), read afterwards: key -> Setting, key -> extra check.
_APP_SETTINGS: dict[str, Setting] = {}
_VALIDATORS: dict[str, Callable[[object], None]] = {}


def register(settings: Iterable[Setting], validators: dict[str, Callable[[object], None]] | None = None) -> None:
    """Declare an app's settings; ``validators`` maps a key to a callable raising ValueError with a message."""
    clinical = clinical_settings()
    for setting in settings:
        known = _APP_SETTINGS.get(setting.key) or clinical.get(setting.key)
        if known is not None and known != setting:
            raise ValueError(f"setting {setting.key} declared twice")
        _APP_SETTINGS[setting.key] = setting
    _VALIDATORS.update(validators or {})


def validators() -> dict[str, Callable[[object], None]]:
    return dict(_VALIDATORS)


def all_settings() -> dict[str, Setting]:
    found = dict(clinical_settings())
    found.update(_APP_SETTINGS)
    return dict(sorted(found.items()))
