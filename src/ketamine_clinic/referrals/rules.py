"""Pure rules of referrals: the status flow and the parsing of the free-text lists a referrer types
(no Django, no I/O), table-tested in tests/referrals/test_rules.py."""

import re
from decimal import Decimal, InvalidOperation

# Status flow: new → contacted → scheduled (for evaluation) → registered (only by accepting), or
# declined with a reason from any open state. Registered and declined are final.
OPEN = ("new", "contacted", "scheduled")
NEXT = {
    "new": ("contacted", "scheduled", "declined"),
    "contacted": ("scheduled", "declined"),
    "scheduled": ("contacted", "declined"),
}

MAX_LINES = 20  # per list (diagnoses, medications, trials): a referral, not a chart export
ICD10CM_FORMAT = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
TRIAL_OUTCOMES = {
    "no response": "no_response", "none": "no_response", "no_response": "no_response",
    "partial": "partial", "partial response": "partial",
    "response": "response", "responded": "response",
    "intolerance": "intolerance", "intolerant": "intolerance", "stopped": "intolerance",
    "ongoing": "ongoing", "current": "ongoing",
}


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in NEXT.get(from_status, ())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _too_many(lines: list[str], what: str) -> list[str]:
    return [f"At most {MAX_LINES} {what}, one per line."] if len(lines) > MAX_LINES else []


def parse_diagnoses(text: str) -> tuple[list[dict], list[str]]:
    """"F33.1 Major depressive disorder, recurrent, moderate" per line → [{code, display}], problems."""
    lines, found, problems = _lines(text), [], []
    problems += _too_many(lines, "diagnoses")
    for n, line in enumerate(lines[:MAX_LINES], 1):
        code, _, display = line.partition(" ")
        code = code.upper().rstrip(",;:")
        if len(code) > 3 and "." not in code:
            code = f"{code[:3]}.{code[3:]}"
        if not ICD10CM_FORMAT.match(code):
            problems.append(f"Line {n}: start with an ICD-10-CM code such as F33.1 (a letter, two characters, optionally a dot and up to 4 more).")
        else:
            found.append({"code": code, "display": display.strip(" -–:")[:200]})
    return found, problems


def parse_medications(text: str) -> tuple[list[dict], list[str]]:
    """"sertraline 100 mg daily" per line → [{name, dose}]: the first word is the name."""
    lines = _lines(text)
    found = []
    for line in lines[:MAX_LINES]:
        name, _, dose = line.partition(" ")
        found.append({"name": name[:150], "dose": dose.strip()[:100]})
    return found, _too_many(lines, "medications")


def parse_trials(text: str) -> tuple[list[dict], list[str]]:
    """"drug, dose in mg/day, weeks, outcome" per line, e.g. "escitalopram, 20, 8, no response"."""
    lines, found, problems = _lines(text), [], []
    problems += _too_many(lines, "antidepressant trials")
    for n, line in enumerate(lines[:MAX_LINES], 1):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 4:
            problems.append(f"Line {n}: write drug, dose in mg/day, weeks, outcome (e.g. escitalopram, 20, 8, no response).")
            continue
        drug, dose, weeks, outcome = parts
        try:
            dose_mg = Decimal(dose.lower().removesuffix("mg").strip())
        except InvalidOperation:
            dose_mg = None
        if not drug or dose_mg is None or not (0 < dose_mg <= 10000):
            problems.append(f"Line {n}: the dose is a number of mg per day (e.g. 20).")
        elif not weeks.isdigit() or int(weeks) > 520:
            problems.append(f"Line {n}: the weeks are a whole number up to 520.")
        elif outcome.lower() not in TRIAL_OUTCOMES:
            problems.append(f"Line {n}: the outcome is one of: no response, partial, response, intolerance, ongoing.")
        else:
            found.append({"drug": drug[:150], "dose_mg_per_day": str(dose_mg), "weeks": int(weeks),
                          "outcome": TRIAL_OUTCOMES[outcome.lower()]})
    return found, problems
