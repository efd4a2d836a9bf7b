"""A live look-up in the CMS NPI Registry API (v2.1, PRACTICE.md §3.1), off unless the deployment sets
``NPI_REGISTRY_URL`` (e.g. ``https://npiregistry.cms.hhs.gov/api/``): these machines have no network,
so nothing here runs by default. Only the NPI leaves the clinic (no patient data).

The answer is read with a timeout and a size cap and parsed by ``rules/nppes.py``; every failure is a
``RegistryUnavailable`` whose message says what went wrong, never an unhandled exception."""

import socket
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from ketamine_clinic.core.errors import ServiceError

from .rules import nppes

# Technical limits, not clinic policy: one NPI's answer is a few kilobytes.
TIMEOUT_SECONDS = 5.0
MAX_ANSWER_BYTES = 256 * 1024


class RegistryUnavailable(ServiceError):
    """The registry could not be asked or gave no usable answer (502: the fault is upstream)."""

    status = 502


def registry_url() -> str:
    return (getattr(settings, "NPI_REGISTRY_URL", "") or "").strip()


def enabled() -> bool:
    return bool(registry_url())


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "ketamine-clinic"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            body = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise RegistryUnavailable(f"The NPI Registry answered HTTP {exc.code}; try again later.") from None
    except (TimeoutError, socket.timeout):
        raise RegistryUnavailable(f"The NPI Registry did not answer within {TIMEOUT_SECONDS:g} seconds; try again later.") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise RegistryUnavailable(f"The NPI Registry did not answer within {TIMEOUT_SECONDS:g} seconds; try again later.") from None
        raise RegistryUnavailable(f"The NPI Registry could not be reached ({reason}).") from None
    if len(body) > MAX_ANSWER_BYTES:
        raise RegistryUnavailable(f"The NPI Registry's answer was over {MAX_ANSWER_BYTES // 1024} KB: not read.")
    return body


def lookup(npi: str) -> nppes.NppesRecord | None:
    """The registry's record of ``npi`` (an individual or an organization), None when it has none."""
    base = registry_url()
    if not base:
        raise RegistryUnavailable("The NPI Registry look-up is off: the deployment has not set NPI_REGISTRY_URL.")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise RegistryUnavailable("NPI_REGISTRY_URL must be an http or https URL.")
    query = urllib.parse.urlencode({"version": "2.1", "number": npi})
    body = _get(f"{base}{'&' if '?' in base else '?'}{query}")
    try:
        records = nppes.parse_registry_json(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, nppes.NppesFormatError) as exc:
        detail = str(exc) if isinstance(exc, nppes.NppesFormatError) else "not UTF-8 text"
        raise RegistryUnavailable(f"The NPI Registry's answer could not be read: {detail}") from None
    return next((r for r in records if r.npi == npi), None)
