"""Reading the environment the same way everywhere (settings, and the console command before
Django starts): plain Python, no Django."""

import os


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
