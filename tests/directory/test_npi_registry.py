"""The live NPI Registry look-up, behind NPI_REGISTRY_URL (off by default), against a fake registry on
127.0.0.1 serving the API's JSON shape; timeouts, garbage, oversize answers and HTTP errors become a
clear message (502 upstream, 409 when off, 422 for a missing NPI or record), never a 500."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.directory import npi_registry, services
from ketamine_clinic.directory.models import ProviderProfile

from tests.support.api import assert_error
from tests.support.people import ctx_for

SAMPLE = (Path(__file__).parent / "data" / "npi_registry_sample.json").read_bytes()
NPI = "1234567893"  # the sample's NPI
EMPTY = json.dumps({"result_count": 0, "results": []}).encode()
ERRORS = json.dumps({"Errors": [{"description": "Field number must be 10 digits", "field": "number"}]}).encode()


class FakeRegistry(BaseHTTPRequestHandler):
    """Answers per the ``mode`` the test sets on the server; records the queries it was sent."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.queries.append(parse_qs(urlsplit(self.path).query))
        mode = self.server.mode
        if mode == "slow":
            time.sleep(1.0)
        status, body = {"ok": (200, SAMPLE), "empty": (200, EMPTY), "errors": (200, ERRORS), "garbage": (200, b"<html>oops"),
                        "oversize": (200, b"{" + b" " * (npi_registry.MAX_ANSWER_BYTES + 10) + b"}"),
                        "http500": (500, b"down"), "slow": (200, SAMPLE)}[mode]
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, size cap)

    def log_message(self, *args):
        pass


@pytest.fixture
def registry(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRegistry)
    server.mode, server.queries = "ok", []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NPI_REGISTRY_URL = f"http://127.0.0.1:{server.server_address[1]}/api/"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def with_npi(prescriber):
    services.save_profile(ctx_for(prescriber), prescriber.public_id, {"npi": NPI})
    return prescriber


def test_off_by_default(with_npi, settings):
    assert settings.NPI_REGISTRY_URL == "" and not npi_registry.enabled()
    with pytest.raises(Conflict) as exc:
        services.registry_lookup(ctx_for(with_npi), with_npi.public_id)
    assert "NPI_REGISTRY_URL" in exc.value.message


def test_a_lookup_stores_the_record_prefills_taxonomy_and_lists_mismatches(registry, with_npi):
    result = services.registry_lookup(ctx_for(with_npi), with_npi.public_id)
    assert registry.queries == [{"version": ["2.1"], "number": [NPI]}]  # only the NPI leaves the clinic
    assert result["found"]["last_name"] == "RAMAN-SHAH" and result["prefilled"] is True
    profile = ProviderProfile.objects.get(user=with_npi)
    assert profile.nppes_snapshot["npi"] == NPI and profile.primary_taxonomy == "207L00000X"
    assert any(m.startswith("Name: NPPES has first name PRIYA") for m in result["mismatches"])
    event = AuditEvent.objects.get(action="directory.nppes_lookup")
    assert event.detail == {"npi": NPI, "prefilled": True, "entity_type": "NPI-1"}


@pytest.mark.parametrize("mode, message", [
    ("garbage", "could not be read: Not valid JSON"),
    ("errors", "Field number must be 10 digits"),
    ("oversize", "answer was over 256 KB"),
    ("http500", "answered HTTP 500"),
    ("slow", "did not answer within 0.2 seconds"),
])
def test_registry_failures_are_a_clear_502_and_nothing_is_stored(registry, with_npi, monkeypatch, mode, message):
    registry.mode = mode
    monkeypatch.setattr(npi_registry, "TIMEOUT_SECONDS", 0.2)
    with pytest.raises(npi_registry.RegistryUnavailable) as exc:
        services.registry_lookup(ctx_for(with_npi), with_npi.public_id)
    assert exc.value.status == 502 and message in exc.value.message
    assert ProviderProfile.objects.get(user=with_npi).nppes_snapshot is None
    assert not AuditEvent.objects.filter(action="directory.nppes_lookup").exists()


def test_unreachable_registry_and_bad_urls(with_npi, settings):
    settings.NPI_REGISTRY_URL = "http://127.0.0.1:9/api/"  # discard port: nothing listens
    with pytest.raises(npi_registry.RegistryUnavailable, match="could not be reached"):
        services.registry_lookup(ctx_for(with_npi), with_npi.public_id)
    settings.NPI_REGISTRY_URL = "file:///etc/passwd"
    with pytest.raises(npi_registry.RegistryUnavailable, match="http or https"):
        services.registry_lookup(ctx_for(with_npi), with_npi.public_id)


def test_no_valid_npi_or_no_record_is_422(registry, prescriber):
    with pytest.raises(ValidationFailed) as exc:
        services.registry_lookup(ctx_for(prescriber), prescriber.public_id)
    assert "Record a valid NPI" in exc.value.errors["npi"][0] and registry.queries == []
    services.save_profile(ctx_for(prescriber), prescriber.public_id, {"npi": "1245319599"})
    registry.mode = "empty"
    with pytest.raises(ValidationFailed) as exc:
        services.registry_lookup(ctx_for(prescriber), prescriber.public_id)
    assert "has no record of NPI 1245319599" in exc.value.errors["npi"][0]


def test_only_who_may_edit_the_profile_looks_it_up(registry, with_npi, nurse, clinic_admin):
    with pytest.raises(PermissionDenied):
        services.registry_lookup(ctx_for(nurse), with_npi.public_id)
    assert registry.queries == []
    assert services.registry_lookup(ctx_for(clinic_admin), with_npi.public_id)["found"]["npi"] == NPI


def test_the_profile_page_button_and_the_api(registry, with_npi, client_for, api, outsider, settings):
    client = client_for(with_npi)
    page = client.get(f"/directory/providers/{with_npi.public_id}/").content.decode()
    assert "Look up this NPI in the NPI Registry now" in page
    response = client.post(f"/directory/providers/{with_npi.public_id}/npi-registry", follow=True)
    assert response.status_code == 200 and "NPI Registry record of PRIYA RAMAN-SHAH (NPI 1234567893) stored" in response.content.decode()
    registry.mode = "garbage"
    refused = client.post(f"/directory/providers/{with_npi.public_id}/npi-registry")
    assert refused.status_code == 502 and "could not be read" in refused.content.decode()
    registry.mode = "ok"
    body = api(with_npi, "post", f"/providers/{with_npi.public_id}/npi-registry").json()
    assert body["found"]["taxonomies"][0]["code"] == "207L00000X" and body["prefilled"] is False
    assert_error(api(outsider, "post", f"/providers/{with_npi.public_id}/npi-registry"), 404)
    settings.NPI_REGISTRY_URL = ""
    assert "Look up this NPI" not in client.get(f"/directory/providers/{with_npi.public_id}/").content.decode()
    assert_error(api(with_npi, "post", f"/providers/{with_npi.public_id}/npi-registry"), 409)
