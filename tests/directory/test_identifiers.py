"""Check digits of NPI (Luhn over 80840 + NPI) and DEA numbers, and the shipped taxonomy data (no database)."""

import pytest

from ketamine_clinic.directory.rules.identifiers import dea_check_digit, dea_problem, npi_check_digit, npi_problem
from ketamine_clinic.directory.rules.taxonomy import BY_CODE, TAXONOMIES


@pytest.mark.parametrize("npi, ok", [
    ("1234567893", True),    # the CMS check-digit example
    ("1234567890", False),   # same digits, wrong check digit
    ("1245319599", True),
    ("123456789", False),    # 9 digits
    ("12345678931", False),  # 11 digits
    ("123456789X", False),
    ("3234567893", False),   # must start with 1 or 2
    ("", False),
])
def test_npi_check_digit(npi, ok):
    assert (npi_problem(npi) is None) is ok


def test_npi_check_digit_completes_nine_digits():
    assert npi_check_digit("123456789") == "3"
    assert npi_problem("198765432" + npi_check_digit("198765432")) is None


@pytest.mark.parametrize("dea, last_name, ok", [
    ("AB1234563", "", True),      # 1+3+5 + 2*(2+4+6) = 33 -> 3
    ("AB1234563", "Brown", True),
    ("AB1234563", "Smith", False),  # second letter is not the last-name initial
    ("A91234563", "Smith", True),   # 9 in place of the initial
    ("AB1234567", "", False),     # wrong check digit
    ("AB123456", "", False),      # too short
    ("1B1234563", "", False),
    ("ab1234563", "brown", True),  # case does not matter
])
def test_dea_check_digit(dea, last_name, ok):
    assert (dea_problem(dea, last_name) is None) is ok


def test_dea_check_digit_arithmetic():
    assert dea_check_digit("123456") == "3"
    assert dea_check_digit("000000") == "0"


def test_taxonomy_data_has_the_practice_codes_once_each():
    codes = [t.code for t in TAXONOMIES]
    assert len(codes) == len(set(codes))
    assert BY_CODE["367500000X"].display.startswith("Nurse Anesthetist")
    assert BY_CODE["2084P0800X"].verify is False and BY_CODE["106H00000X"].verify is True
    assert all(len(c) == 10 and c.endswith("X") for c in codes)


@pytest.mark.parametrize("dea", ["BB1388568", "AP5836727"])
def test_dea_check_digit_matches_the_published_worked_examples(dea):
    # Oracle Siebel ePharma Handheld Guide, Table 12 (BB1388568); takerx.com verify page (AP5836727).
    assert dea_check_digit(dea[2:8]) == dea[8] and dea_problem(dea) is None
