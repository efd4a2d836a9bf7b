"""Every clinic setting the clinical core declares, in one place (keys are unique)."""

from functools import cache

from . import eligibility, instruments, pk, protocols, session
from .policy import Setting


@cache
def all_settings() -> dict[str, Setting]:
    found: dict[str, Setting] = {}
    for module in (eligibility, instruments, protocols, session, pk):
        for setting in module.SETTINGS:
            if setting.key in found:
                raise ValueError(f"setting {setting.key} declared twice")
            found[setting.key] = setting
    return dict(sorted(found.items()))
