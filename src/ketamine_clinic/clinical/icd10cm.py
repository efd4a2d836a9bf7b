"""The whole ICD-10-CM code set (CMS, April 2026 release, as bundled by the simple-icd-10-cm
package): look a code up by its description or its first characters, and tell a real code from a
well-formed but non-existent one.

The code set is parsed on first use (about a second), never at start-up.
"""

import functools
import re
import threading
from dataclasses import dataclass

from .codes import KNOWN_ICD10CM, icd10cm_or_none

RELEASE = "ICD-10-CM April 2026 (CMS), via simple-icd-10-cm"
_CODE_PREFIX_RE = re.compile(r"^[A-Z][0-9][0-9A-Z]?\.?[0-9A-Z]{0,4}$")


@dataclass(frozen=True)
class Icd10cmCode:
    code: str  # dotted: "F33.1"
    display: str
    billable: bool  # a leaf code: the level a claim or a problem list should use


# simple-icd-10-cm builds its tables lazily and not thread-safely: two requests parsing at once
# saw a half-built table (a real code reported unknown). One thread parses; the others wait.
_LOAD_LOCK = threading.Lock()


def _codes() -> dict[str, Icd10cmCode]:
    with _LOAD_LOCK:
        return _parsed()


@functools.cache
def _parsed() -> dict[str, Icd10cmCode]:
    import simple_icd_10_cm as cm  # a pure-Python package; imported here so start-up stays fast

    out = {}
    for raw in cm.get_all_codes(False):
        if not cm.is_category_or_subcategory(raw):
            continue
        dotted = icd10cm_or_none(raw)
        if dotted:
            out[dotted] = Icd10cmCode(dotted, cm.get_description(raw), cm.is_leaf(raw))
    return out


def lookup(code: str) -> Icd10cmCode | None:
    dotted = icd10cm_or_none(code)
    return _codes().get(dotted) if dotted else None


def exists(code: str) -> bool:
    return lookup(code) is not None


def search(query: str, limit: int = 15) -> list[Icd10cmCode]:
    """Codes whose code starts with ``query`` or whose description holds every word of it.

    The indications seen in ketamine practice come first, then billable codes, each by code.
    """
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return []
    codes = _codes()
    upper = text.upper()
    if _CODE_PREFIX_RE.match(upper):
        prefix = upper if "." in upper or len(upper) <= 3 else upper[:3] + "." + upper[3:]
        hits = [c for key, c in codes.items() if key.startswith(prefix)]
    else:
        words = text.casefold().split()
        hits = [c for c in codes.values() if all(w in c.display.casefold() for w in words)]
    hits.sort(key=lambda c: (c.code not in KNOWN_ICD10CM, not c.billable, c.code))
    return hits[:limit]
