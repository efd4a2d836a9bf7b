"""The suite's shared fixtures live in ``tests/support`` (see its ``__init__``), loaded here as plugins.
Tests import helpers from ``tests.support``, never from a conftest."""

import os

os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")

from hypothesis import settings as hypothesis_settings  # noqa: E402

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.api",
    "tests.support.plans",
    "tests.support.treatments",
    "tests.support.inventory",
    "tests.support.assessments",
    "tests.support.billing",
    "tests.support.referrals",
    "tests.support.outsider",
]

# Property tests assert behaviour, not speed: on a loaded 2-core CI machine Hypothesis's default
# 200 ms per-example deadline fails tests at random. Speed is measured in bench/.
hypothesis_settings.register_profile("clinic", deadline=None)
hypothesis_settings.load_profile("clinic")
