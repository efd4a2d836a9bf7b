"""Read CMS NPPES data from a file, in either published shape, into plain records (no Django, no I/O
beyond the text given):

- the full dissemination file (``npidata_pfile_*.csv``, 330 columns; a state or NPI extract of it keeps
  the header), read by column name so an extract with fewer columns works too;
- the NPI Registry API v2.1 JSON (``{"result_count": n, "results": [...]}``), PRACTICE.md §3.1.

NPPES is self-reported: a match is a cross-check, not a credential verification (PRACTICE.md §3.1).
"""

import csv
import io
import json
from dataclasses import dataclass, field

MAX_TAXONOMIES = 15  # taxonomy slots per provider in the dissemination file (PRACTICE.md §3.1)


class NppesFormatError(ValueError):
    """The file is neither the dissemination CSV nor the Registry API JSON (message says why)."""


@dataclass(frozen=True)
class NppesTaxonomy:
    code: str
    primary: bool
    license: str = ""
    state: str = ""


@dataclass(frozen=True)
class NppesRecord:
    npi: str
    entity_type: str  # "NPI-1" individual, "NPI-2" organization
    first_name: str = ""
    last_name: str = ""
    credential: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    taxonomies: tuple[NppesTaxonomy, ...] = field(default_factory=tuple)
    last_updated: str = ""

    @property
    def primary_taxonomy(self) -> str:
        return next((t.code for t in self.taxonomies if t.primary), self.taxonomies[0].code if self.taxonomies else "")

    def as_dict(self) -> dict:
        return {"npi": self.npi, "entity_type": self.entity_type, "first_name": self.first_name,
                "last_name": self.last_name, "credential": self.credential, "address_line": self.address_line,
                "city": self.city, "state": self.state, "postal_code": self.postal_code, "phone": self.phone,
                "taxonomies": [{"code": t.code, "primary": t.primary, "license": t.license, "state": t.state}
                               for t in self.taxonomies],
                "last_updated": self.last_updated}


def parse(text: str) -> list[NppesRecord]:
    """Records from the file's text, whichever shape it is."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("{"):
        return parse_registry_json(stripped)
    return parse_dissemination_csv(stripped)


def parse_registry_json(text: str) -> list[NppesRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NppesFormatError(f"Not valid JSON (line {exc.lineno}).") from None
    if not isinstance(data, dict):
        raise NppesFormatError("Expected the NPI Registry API's JSON object with 'results'.")
    if data.get("Errors"):  # the registry answers errors with HTTP 200 and an Errors[] envelope
        raise NppesFormatError("The registry answered with errors: " + "; ".join(
            str(e.get("description", e)) if isinstance(e, dict) else str(e) for e in data["Errors"]))
    results = data.get("results")
    if not isinstance(results, list):
        raise NppesFormatError("Expected the NPI Registry API's JSON object with 'results'.")
    return [_from_api(r) for r in results if isinstance(r, dict)]


def _text(value) -> str:
    return str(value).strip() if value is not None else ""


def _from_api(r: dict) -> NppesRecord:
    basic = r.get("basic") or {}
    addresses = [a for a in r.get("addresses") or [] if isinstance(a, dict)]
    location = next((a for a in addresses if _text(a.get("address_purpose")).upper() == "LOCATION"),
                    addresses[0] if addresses else {})
    taxonomies = tuple(
        NppesTaxonomy(_text(t.get("code")), t.get("primary") is True, _text(t.get("license")), _text(t.get("state")))
        for t in r.get("taxonomies") or [] if isinstance(t, dict) and t.get("code"))
    return NppesRecord(
        npi=_text(r.get("number")), entity_type=_text(r.get("enumeration_type")),
        first_name=_text(basic.get("first_name")), last_name=_text(basic.get("last_name")),
        credential=_text(basic.get("credential")), address_line=_text(location.get("address_1")),
        city=_text(location.get("city")), state=_text(location.get("state")),
        postal_code=_text(location.get("postal_code")), phone=_text(location.get("telephone_number")),
        taxonomies=taxonomies, last_updated=_text(basic.get("last_updated")))


# Columns of the dissemination file read here (their names as published).
COL_NPI = "NPI"
COL_ENTITY = "Entity Type Code"
COL_LAST = "Provider Last Name (Legal Name)"
COL_FIRST = "Provider First Name"
COL_CREDENTIAL = "Provider Credential Text"
COL_ADDRESS = "Provider First Line Business Practice Location Address"
COL_CITY = "Provider Business Practice Location Address City Name"
COL_STATE = "Provider Business Practice Location Address State Name"
COL_POSTAL = "Provider Business Practice Location Address Postal Code"
COL_PHONE = "Provider Business Practice Location Address Telephone Number"
COL_UPDATED = "Last Update Date"
REQUIRED = (COL_NPI, COL_ENTITY, COL_LAST, COL_FIRST, "Healthcare Provider Taxonomy Code_1")


def parse_dissemination_csv(text: str) -> list[NppesRecord]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise NppesFormatError("Not the NPPES dissemination file's header: missing " + ", ".join(f'"{c}"' for c in missing) + ".")
    records = []
    try:
        for row in reader:
            records.append(_from_row(row))
    except csv.Error as exc:
        raise NppesFormatError(f"Unreadable CSV at line {reader.line_num}: {exc}") from None
    return records


def _from_row(row: dict) -> NppesRecord:
    g = lambda col: _text(row.get(col))  # noqa: E731
    taxonomies = []
    for n in range(1, MAX_TAXONOMIES + 1):
        code = g(f"Healthcare Provider Taxonomy Code_{n}")
        if code:
            taxonomies.append(NppesTaxonomy(code, g(f"Healthcare Provider Primary Taxonomy Switch_{n}").upper() == "Y",
                                            g(f"Provider License Number_{n}"), g(f"Provider License Number State Code_{n}")))
    entity = {"1": "NPI-1", "2": "NPI-2"}.get(g(COL_ENTITY), g(COL_ENTITY))
    return NppesRecord(npi=g(COL_NPI), entity_type=entity, first_name=g(COL_FIRST), last_name=g(COL_LAST),
                       credential=g(COL_CREDENTIAL), address_line=g(COL_ADDRESS), city=g(COL_CITY), state=g(COL_STATE),
                       postal_code=g(COL_POSTAL), phone=g(COL_PHONE), taxonomies=tuple(taxonomies),
                       last_updated=g(COL_UPDATED))


def _alnum(s: str) -> str:
    return "".join(ch for ch in (s or "").upper() if ch.isalnum())


def _norm(s: str) -> str:
    return " ".join((s or "").upper().split())


def _name_mismatches(snapshot: dict, first_name: str, last_name: str) -> list[str]:
    out = []
    for label, key, ours in (("last name", "last_name", last_name), ("first name", "first_name", first_name)):
        if ours and _norm(snapshot.get(key)) != _norm(ours):
            out.append(f"Name: NPPES has {label} {snapshot.get(key) or '(none)'}, the profile {ours}.")
    return out


def _taxonomy_mismatches(snapshot: dict, taxonomy_codes: list[str], primary_taxonomy: str) -> list[str]:
    out = []
    nppes_codes = [t["code"] for t in snapshot.get("taxonomies", [])]
    nppes_primary = next((t["code"] for t in snapshot.get("taxonomies", []) if t.get("primary")), "")
    if primary_taxonomy and nppes_primary and primary_taxonomy != nppes_primary:
        out.append(f"Taxonomy: NPPES primary is {nppes_primary}, the profile's {primary_taxonomy}.")
    extra = [c for c in taxonomy_codes if c not in nppes_codes]
    if extra:
        out.append("Taxonomy: not in NPPES: " + ", ".join(extra) + ".")
    return out


def _licence_mismatches(snapshot: dict, licences: dict[str, str]) -> list[str]:
    out, seen = [], set()
    for t in snapshot.get("taxonomies", []):
        key = (t.get("state"), _alnum(t.get("license", "")))
        if key in seen:
            continue
        seen.add(key)
        ours = licences.get(t.get("state", ""))
        if ours and t.get("license") and _alnum(t["license"]) != _alnum(ours):
            out.append(f"Licence: NPPES lists {t['state']} licence {t['license']}, the profile {ours}.")
    return out


def _address_mismatches(snapshot: dict, clinic_postal_codes: set[str]) -> list[str]:
    postal = (snapshot.get("postal_code") or "")[:5]
    if postal and clinic_postal_codes and postal not in clinic_postal_codes:
        return [f"Address: NPPES practice location {snapshot.get('address_line', '')}, {snapshot.get('city', '')} "
                f"{snapshot.get('state', '')} {postal} is not one of the clinic's locations."]
    return []


def mismatches(snapshot: dict, *, first_name: str, last_name: str, taxonomy_codes: list[str], primary_taxonomy: str,
               licences: dict[str, str], clinic_postal_codes: set[str]) -> list[str]:
    """What the NPPES record says differently from the profile: name, taxonomy, licence numbers, address."""
    return (_name_mismatches(snapshot, first_name, last_name)
            + _taxonomy_mismatches(snapshot, taxonomy_codes, primary_taxonomy)
            + _licence_mismatches(snapshot, licences)
            + _address_mismatches(snapshot, clinic_postal_codes))
