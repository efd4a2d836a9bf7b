"""Every URL pattern and API operation belongs to one app's outsider sweep (``tests/<app>/test_outsider.py``,
see ``tests/support/outsider.py``), and each of its path parameters has a sample value from our clinic."""

import re
from pathlib import Path

from tests.support import outsider

TESTS = Path(__file__).resolve().parents[1]


def test_every_url_and_api_operation_belongs_to_an_app_sweep():
    requests = outsider.all_requests()
    assert requests
    apps = {app for app, _, _, _ in requests}
    swept = {path.parent.name for path in TESTS.glob("*/test_outsider.py")
             if re.search(rf'outsider_sweep\("{path.parent.name}"\)', path.read_text())}
    orphans = sorted(f"{app}: {name} {method} {template}" for app, name, template, method in requests if app not in swept)
    assert orphans == [], "add tests/<app>/test_outsider.py calling outsider_sweep(\"<app>\") for:\n" + "\n".join(orphans)
    assert swept - apps == set(), "an app sweep with no URL or operation left"


def test_the_api_object_and_the_resolver_agree():
    assert outsider.api_urls_outside_the_api_object() == []


def test_every_path_parameter_has_a_sample_value():
    assert outsider.unfilled() == [], "add sample values (one of our clinic's objects) to tests/support/outsider.py"
