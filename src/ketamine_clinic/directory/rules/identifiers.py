"""Check digits of the identifiers a provider profile carries. A valid check digit says the number
was typed right, not that it belongs to this person or is current (NPPES is self-reported)."""

import re

NPI_PREFIX = "80840"  # ISO issuer prefix for US health identifiers; Luhn runs over it + the NPI
# Source: PRACTICE.md §3.1 (frankfarach/npi is_valid_npi, citing CMS NPIcheckdigit.pdf). [verified in source]

DEA_PATTERN = re.compile(r"^[A-Z][A-Z9][0-9]{7}$")
# DEA registration number: registrant-type letter, the registrant's last-name initial (or 9), six
# digits, one check digit = last digit of (d1+d3+d5) + 2*(d2+d4+d6). Sources (checked 2026-12):
# Oracle, Siebel ePharma Handheld Guide, "Validating the DEA Number", Table 12 (worked example
# BB1388568: 1+8+5=14, 2*(3+8+6)=34, 48 -> 8), https://docs.oracle.com/cd/E05554_01/books/HHPharmWIN/HHSalesWINAppsAdmin21.html;
# the same scheme in Datadog's sensitive-data-scanner (us_dea_checksum.rs) and faker-medical
# (faker_dea.rb). [verified against these secondary sources; no DEA publication of it was found]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def npi_problem(npi: str) -> str | None:
    """None for a well-formed NPI, else what is wrong with it, in words."""
    if not re.fullmatch(r"[0-9]{10}", npi or ""):
        return "An NPI is exactly 10 digits."
    if npi[0] not in "12":
        return "An NPI starts with 1 or 2."
    if not luhn_ok(NPI_PREFIX + npi):
        return "This NPI's check digit is wrong: check for a typing error."
    return None


def npi_check_digit(first_nine: str) -> str:
    """The check digit that completes ``first_nine`` into a valid NPI (for sample data and tests)."""
    for d in "0123456789":
        if luhn_ok(NPI_PREFIX + first_nine + d):
            return d
    raise ValueError(first_nine)


def dea_check_digit(six_digits: str) -> str:
    d = [int(c) for c in six_digits]
    return str((d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10)


def dea_problem(dea: str, last_name: str = "") -> str | None:
    """None for a well-formed DEA registration number, else what is wrong with it."""
    dea = (dea or "").upper()
    if not DEA_PATTERN.fullmatch(dea):
        return "A DEA number is two letters (or a letter and 9) then 7 digits, e.g. AB1234563."
    if dea_check_digit(dea[2:8]) != dea[8]:
        return "This DEA number's check digit is wrong: check for a typing error."
    initial = (last_name or "").strip()[:1].upper()
    if initial.isalpha() and dea[1] != "9" and dea[1] != initial:
        return f"The DEA number's second letter should be the last-name initial ({initial})."
    return None


# USPS codes of the states, DC and the territories where a US licence can be issued.
US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI"
).split()
