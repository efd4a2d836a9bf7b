"""DEA registration number format and check digit (source: ``dea-number-check-digit``, marked
*verify* in PRACTICE.md §1.6: it is a typing-error check, never proof that a registration is valid)."""

import re

DEA_NUMBER = re.compile(r"^[A-Z][A-Z9][0-9]{7}$")


def dea_number_problem(value: str) -> str | None:
    """None when ``value`` is a well-formed DEA number with a correct check digit, else why not."""
    text = (value or "").strip().upper()
    if not DEA_NUMBER.match(text):
        return "A DEA number is 2 letters and 7 digits, e.g. AB1234563."
    d = [int(c) for c in text[2:]]
    total = (d[0] + d[2] + d[4]) + 2 * (d[1] + d[3] + d[5])
    if total % 10 != d[6]:
        return f"The check digit of {text} is wrong (expected {total % 10}); look for a typing error."
    return None


def normalize_dea_number(value: str) -> str:
    return (value or "").strip().upper()
