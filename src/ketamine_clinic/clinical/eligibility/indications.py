"""Presenting indications, their suggested ICD-10-CM codes, and an ICD-10-CM format check.

Codes are those listed in shared/CLINICAL.md s.2 (source ``icd10cm``). Treatment-resistant
depression has no ICD-10-CM code: code the depressive episode and record the failed trials as data
(SNOMED CT 1153570009 may be added, source ``snomed-ct``).
"""

from dataclasses import dataclass
from enum import StrEnum

from ..codes import ICD10CM as ICD10CM_SYSTEM
from ..codes import SNOMED as SNOMED_CT_SYSTEM
from ..codes import icd10cm_or_none


class Indication(StrEnum):
    TREATMENT_RESISTANT_DEPRESSION = "treatment_resistant_depression"
    MDD_WITH_SUICIDAL_IDEATION = "mdd_with_suicidal_ideation"
    BIPOLAR_DEPRESSION = "bipolar_depression"
    PTSD = "ptsd"
    GAD = "gad"
    SOCIAL_ANXIETY = "social_anxiety"
    OCD = "ocd"
    CHRONIC_PAIN = "chronic_pain"  # including complex regional pain syndrome (CRPS)
    OTHER = "other"

    @property
    def label(self) -> str:
        return INDICATION_LABELS[self]


INDICATION_LABELS = {
    Indication.TREATMENT_RESISTANT_DEPRESSION: "Treatment-resistant depression",
    Indication.MDD_WITH_SUICIDAL_IDEATION: "Major depressive disorder with suicidal ideation",
    Indication.BIPOLAR_DEPRESSION: "Bipolar depression",
    Indication.PTSD: "Post-traumatic stress disorder",
    Indication.GAD: "Generalized anxiety disorder",
    Indication.SOCIAL_ANXIETY: "Social anxiety disorder",
    Indication.OCD: "Obsessive-compulsive disorder",
    Indication.CHRONIC_PAIN: "Chronic pain / CRPS",
    Indication.OTHER: "Other",
}

DEPRESSIVE_INDICATIONS = frozenset({
    Indication.TREATMENT_RESISTANT_DEPRESSION,
    Indication.MDD_WITH_SUICIDAL_IDEATION,
    Indication.BIPOLAR_DEPRESSION,
})


@dataclass(frozen=True)
class Coding:
    """A code with its system, as FHIR writes it: (system, code, display)."""

    system: str
    code: str
    display: str
    source: str = "icd10cm"  # key of sources.SOURCES
    verify: bool = False  # True where shared/CLINICAL.md marks the code "(verify)"


def _icd(code: str, display: str, verify: bool = False) -> Coding:
    return Coding(ICD10CM_SYSTEM, code, display, "icd10cm", verify)


# source: icd10cm, code list from shared/CLINICAL.md s.2
MDD_SINGLE_EPISODE_CODES = (
    _icd("F32.0", "Major depressive disorder, single episode, mild"),
    _icd("F32.1", "Major depressive disorder, single episode, moderate"),
    _icd("F32.2", "Major depressive disorder, single episode, severe without psychotic features"),
    _icd("F32.3", "Major depressive disorder, single episode, severe with psychotic features"),
    _icd("F32.4", "Major depressive disorder, single episode, in partial remission"),
    _icd("F32.5", "Major depressive disorder, single episode, in full remission"),
    _icd("F32.9", "Major depressive disorder, single episode, unspecified"),
    _icd("F32.A", "Depression, unspecified"),
)
MDD_RECURRENT_CODES = (
    _icd("F33.0", "Major depressive disorder, recurrent, mild"),
    _icd("F33.1", "Major depressive disorder, recurrent, moderate"),
    _icd("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
    _icd("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms"),
    _icd("F33.40", "Major depressive disorder, recurrent, in remission, unspecified"),
    _icd("F33.41", "Major depressive disorder, recurrent, in partial remission"),
    _icd("F33.42", "Major depressive disorder, recurrent, in full remission"),
    _icd("F33.8", "Other recurrent depressive disorders"),
    _icd("F33.9", "Major depressive disorder, recurrent, unspecified"),
)
BIPOLAR_DEPRESSION_CODES = (
    _icd("F31.30", "Bipolar disorder, current episode depressed, mild or moderate severity, unspecified"),
    _icd("F31.31", "Bipolar disorder, current episode depressed, mild"),
    _icd("F31.32", "Bipolar disorder, current episode depressed, moderate"),
    _icd("F31.4", "Bipolar disorder, current episode depressed, severe, without psychotic features"),
    _icd("F31.5", "Bipolar disorder, current episode depressed, severe, with psychotic features"),
    _icd("F31.81", "Bipolar II disorder"),
)
SUICIDAL_IDEATION_CODE = _icd("R45.851", "Suicidal ideations")

SUGGESTED_CODES: dict[Indication, tuple[Coding, ...]] = {
    Indication.TREATMENT_RESISTANT_DEPRESSION: MDD_SINGLE_EPISODE_CODES + MDD_RECURRENT_CODES,
    Indication.MDD_WITH_SUICIDAL_IDEATION: (SUICIDAL_IDEATION_CODE,) + MDD_SINGLE_EPISODE_CODES + MDD_RECURRENT_CODES,
    Indication.BIPOLAR_DEPRESSION: BIPOLAR_DEPRESSION_CODES,
    Indication.PTSD: (
        _icd("F43.10", "Post-traumatic stress disorder, unspecified"),
        _icd("F43.11", "Post-traumatic stress disorder, acute"),
        _icd("F43.12", "Post-traumatic stress disorder, chronic"),
    ),
    Indication.GAD: (_icd("F41.1", "Generalized anxiety disorder"),),
    Indication.SOCIAL_ANXIETY: (
        _icd("F40.10", "Social phobia, unspecified"),
        _icd("F40.11", "Social phobia, generalized"),
    ),
    Indication.OCD: (  # CLINICAL.md lists the range F42.2-F42.9
        _icd("F42.2", "Mixed obsessional thoughts and acts"),
        _icd("F42.3", "Hoarding disorder"),
        _icd("F42.4", "Excoriation (skin-picking) disorder"),
        _icd("F42.8", "Other obsessive-compulsive disorder"),
        _icd("F42.9", "Obsessive-compulsive disorder, unspecified"),
    ),
    Indication.CHRONIC_PAIN: (  # marked (verify) in CLINICAL.md s.2
        _icd("G89.21", "Chronic pain due to trauma", verify=True),
        _icd("G89.29", "Other chronic pain", verify=True),
        _icd("G89.4", "Chronic pain syndrome", verify=True),
    ),
    Indication.OTHER: (),
}

# Treatment-resistant depression has no ICD-10-CM code; this SNOMED CT concept may be added.
TRD_SNOMED_CT = Coding(SNOMED_CT_SYSTEM, "1153570009", "Treatment resistant depression", "snomed-ct")

# Episode codes that say "with psychotic features/symptoms": the engine treats them as active
# psychosis even when the psychosis field says otherwise.
PSYCHOTIC_FEATURES_CODES = frozenset({"F32.3", "F33.3", "F31.5"})

# The format check is the one in clinical/codes.py (A00..Z99, also e.g. M1A, Z3A; optional dot and
# 1-4 more letters or digits).
def normalize_icd10cm_code(code: object) -> str | None:
    """The code in canonical dotted upper-case form (``"f3340"`` -> ``"F33.40"``), or ``None``
    when it is not in ICD-10-CM format. Checks format only, not that the code exists."""
    return icd10cm_or_none(code)


def is_valid_icd10cm_code(code: object) -> bool:
    """True when ``code`` has ICD-10-CM format: ``A00``..``Z99``, optional ``.`` and 1-4 more."""
    return icd10cm_or_none(code) is not None
