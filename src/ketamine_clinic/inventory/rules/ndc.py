"""National Drug Code format (source: ``fda-ndc``): 10 digits as 4-4-2, 5-3-2 or 5-4-1 with
hyphens, or the 11-digit 5-4-2 billing form. Returned normalized to 11-digit 5-4-2."""

import re

_SEGMENTS = {(4, 4, 2): (1, 0, 0), (5, 3, 2): (0, 1, 0), (5, 4, 1): (0, 0, 1), (5, 4, 2): (0, 0, 0)}


def normalize_ndc(value: str) -> str:
    """The NDC as 11 digits in 5-4-2 ("12345-6789-01"); raises ValueError with a message."""
    text = (value or "").strip()
    parts = text.split("-")
    if len(parts) != 3 or not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise ValueError("Enter the NDC with its hyphens as printed on the package, e.g. 0409-2051-05 or 12345-678-90.")
    shape = tuple(len(p) for p in parts)
    pad = _SEGMENTS.get(shape)
    if pad is None:
        raise ValueError("An NDC is 4-4-2, 5-3-2, 5-4-1 or 5-4-2 digits.")
    return "-".join("0" * z + p for z, p in zip(pad, parts))
