"""The address the audit trail records: the connecting one, or behind trusted proxies the one the
outermost trusted proxy saw; a client cannot choose it by sending its own X-Forwarded-For."""

import pytest
from django.test import RequestFactory

from ketamine_clinic.audit.services import client_ip


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (0, "", "10.0.0.9"),
    (0, "203.0.113.7", "10.0.0.9"),  # no trusted proxy: the header is the client's claim, ignored
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client prepended a fake address
    (2, "198.51.100.1, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
    (2, "203.0.113.7", "10.0.0.9"),  # fewer entries than proxies: not from our proxies
])
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
