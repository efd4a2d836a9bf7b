"""Coded concepts the clinic uses, each as (system, code, display), and code-format checks."""

import re
from dataclasses import dataclass

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str


# ICD-10-CM: a letter, two characters (digit, digit-or-letter), then optionally a dot and 1-4
# more characters, e.g. F33.1, F32.A, G89.29, R45.851. Format only, not that the code exists.
# (source: icd10cm)
_ICD10CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def icd10cm_or_none(code: object) -> str | None:
    """The code in canonical dotted upper-case form (``"f3340"`` -> ``"F33.40"``), or None when it
    is not in ICD-10-CM format."""
    if not isinstance(code, str):
        return None
    text = code.strip().upper()
    if len(text) > 3 and "." not in text:
        text = text[:3] + "." + text[3:]
    return text if _ICD10CM_RE.match(text) else None


def normalize_icd10cm(code: str) -> str:
    """Canonical form when valid; otherwise the trimmed upper-case input (for the error message)."""
    return icd10cm_or_none(code) or (code or "").strip().upper()


def is_valid_icd10cm(code: str) -> bool:
    return icd10cm_or_none(code) is not None


# Indications seen in ketamine practice (shared/CLINICAL.md s.2; source: icd10cm).
KNOWN_ICD10CM: dict[str, str] = {
    "F32.0": "Major depressive disorder, single episode, mild",
    "F32.1": "Major depressive disorder, single episode, moderate",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F32.3": "Major depressive disorder, single episode, severe with psychotic features",
    "F32.4": "Major depressive disorder, single episode, in partial remission",
    "F32.5": "Major depressive disorder, single episode, in full remission",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F32.A": "Depression, unspecified",
    "F33.0": "Major depressive disorder, recurrent, mild",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent severe without psychotic features",
    "F33.3": "Major depressive disorder, recurrent, severe with psychotic symptoms",
    "F33.40": "Major depressive disorder, recurrent, in remission, unspecified",
    "F33.41": "Major depressive disorder, recurrent, in partial remission",
    "F33.42": "Major depressive disorder, recurrent, in full remission",
    "F33.8": "Other recurrent depressive disorders",
    "F33.9": "Major depressive disorder, recurrent, unspecified",
    "F31.30": "Bipolar disorder, current episode depressed, mild or moderate severity, unspecified",
    "F31.31": "Bipolar disorder, current episode depressed, mild",
    "F31.32": "Bipolar disorder, current episode depressed, moderate",
    "F31.4": "Bipolar disorder, current episode depressed, severe, without psychotic features",
    "F31.5": "Bipolar disorder, current episode depressed, severe, with psychotic features",
    "F31.81": "Bipolar II disorder",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F43.11": "Post-traumatic stress disorder, acute",
    "F43.12": "Post-traumatic stress disorder, chronic",
    "F41.1": "Generalized anxiety disorder",
    "F40.10": "Social phobia, unspecified",
    "F40.11": "Social phobia, generalized",
    "F42.2": "Mixed obsessional thoughts and acts",
    "F42.3": "Hoarding disorder",
    "F42.4": "Excoriation (skin-picking) disorder",
    "F42.8": "Other obsessive-compulsive disorder",
    "F42.9": "Obsessive-compulsive disorder, unspecified",
    "R45.851": "Suicidal ideations",
    "G89.21": "Chronic pain due to trauma",
    "G89.29": "Other chronic pain",
    "G89.4": "Chronic pain syndrome",
}


def icd10cm_display(code: str) -> str:
    return KNOWN_ICD10CM.get(normalize_icd10cm(code), "")


# Reporting groups of the outcomes dashboard: ICD-10-CM code prefixes of a patient's active
# diagnoses (shared/CLINICAL.md s.2; source: icd10cm). Chronic pain is the G89 category, which
# CLINICAL.md marks *(verify)* for G89.21/G89.29/G89.4.
OUTCOME_INDICATION_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("depression", "Depression (F32/F33)", ("F32", "F33")),
    ("bipolar", "Bipolar disorder (F31)", ("F31",)),
    ("ptsd", "PTSD (F43.1)", ("F43.1",)),
    ("gad", "Generalized anxiety (F41.1)", ("F41.1",)),
    ("social_anxiety", "Social anxiety (F40.1)", ("F40.1",)),
    ("ocd", "OCD (F42)", ("F42",)),
    ("pain", "Chronic pain (G89)", ("G89",)),
)
