"""Which baseline rating scales an intake needs before the first treatment.

APA 2017 asks for baseline symptom severity before ketamine treatment; the instrument follows the
indication. Any PHQ-9 item 9 of 1 or more (or suicidal ideation as an indication) calls for a
same-day C-SSRS suicide-risk assessment (shared/CLINICAL.md s.4).
"""

from collections.abc import Iterable
from typing import NamedTuple

from .errors import EligibilityInputError
from .indications import DEPRESSIVE_INDICATIONS, Indication

INSTRUMENT_KEYS = ("phq9", "gad7", "pcl5", "cssrs", "pain_nrs", "ybocs", "madrs")

# Why each instrument is asked for (key of sources.SOURCES).
REQUIREMENT_SOURCES = {
    "phq9": "apa-2017",
    "gad7": "apa-2017",
    "pcl5": "apa-2017",
    "cssrs": "cssrs",
    "pain_nrs": "asra-2018",
    "ybocs": "apa-2017",
}


class RequiredMeasure(NamedTuple):
    instrument_key: str
    reason: str


_BY_INDICATION: dict[Indication, tuple[str, str]] = {
    Indication.GAD: ("gad7", "baseline anxiety severity for generalized anxiety disorder"),
    Indication.SOCIAL_ANXIETY: ("gad7", "baseline anxiety severity for social anxiety"),
    Indication.PTSD: ("pcl5", "baseline PTSD symptom severity"),
    Indication.CHRONIC_PAIN: ("pain_nrs", "baseline pain intensity for chronic pain"),
    Indication.OCD: ("ybocs", "baseline obsessive-compulsive symptom severity"),
}


def baseline_measures_required(indications: Iterable[Indication | str],
                               phq9_item9: int | None = None) -> list[RequiredMeasure]:
    """(instrument_key, reason) pairs, in ``INSTRUMENT_KEYS`` order, one per instrument."""
    parsed = _parse_indications(indications)
    if phq9_item9 is not None and (isinstance(phq9_item9, bool) or not isinstance(phq9_item9, int)
                                   or not 0 <= phq9_item9 <= 3):
        raise EligibilityInputError("phq9_item9", "must be a whole number from 0 to 3, or None")
    reasons: dict[str, list[str]] = {}
    depressive = sorted((i for i in parsed if i in DEPRESSIVE_INDICATIONS), key=list(Indication).index)
    if depressive:
        reasons.setdefault("phq9", []).append(
            "baseline depression severity for " + ", ".join(i.label.lower() for i in depressive))
    if phq9_item9 is not None and phq9_item9 >= 1:
        reasons.setdefault("cssrs", []).append(f"PHQ-9 item 9 is {phq9_item9}: same-day suicide-risk assessment")
    if Indication.MDD_WITH_SUICIDAL_IDEATION in parsed:
        reasons.setdefault("cssrs", []).append("suicidal ideation is an indication: suicide-risk assessment")
    for indication in Indication:
        if indication in parsed and indication in _BY_INDICATION:
            key, reason = _BY_INDICATION[indication]
            reasons.setdefault(key, []).append(reason)
    return [RequiredMeasure(key, "; ".join(reasons[key])) for key in INSTRUMENT_KEYS if key in reasons]


def _parse_indications(indications: Iterable[Indication | str]) -> set[Indication]:
    if isinstance(indications, (str, bytes)) or not isinstance(indications, Iterable):
        raise EligibilityInputError("indications", "must be a list of indications")
    parsed = set()
    for i, value in enumerate(indications):
        try:
            parsed.add(Indication(value))
        except ValueError:
            raise EligibilityInputError(f"indications[{i}]", f"unknown indication {value!r}") from None
    return parsed
