"""The intake evaluation: the structured, versioned record the eligibility engine reads.

``Evaluation.from_dict`` is the door for outside data: it checks every field and raises
``EvaluationInvalid`` with *all* field errors; ``to_dict`` gives the JSON-ready form back.

The numeric ranges checked here are data-entry plausibility bounds that catch typing errors
(a weight of 700 kg, a systolic pressure of 400); they are not clinical thresholds.
"""

import dataclasses
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from ..plausibility import PLAUSIBLE_WEIGHT_KG
from ._reading import BAD, Reader, join
from .errors import EvaluationInvalid
from .indications import Indication, normalize_icd10cm_code

SCHEMA_VERSION = 1

# Data-entry plausibility bounds (not clinical thresholds): (low, high).
WEIGHT_KG_BOUNDS = PLAUSIBLE_WEIGHT_KG  # one definition, with its source: clinical/plausibility.py
SYSTOLIC_MMHG_BOUNDS = (50, 300)
DIASTOLIC_MMHG_BOUNDS = (20, 200)
HEART_RATE_PER_MIN_BOUNDS = (20, 250)
EPISODE_DURATION_WEEKS_BOUNDS = (0, 5200)  # up to 100 years
TRIAL_WEEKS_BOUNDS = (0, 520)  # a trial lasts more than 0 and at most 10 years
TRIAL_DOSE_MG_PER_DAY_BOUNDS = (0, 5000)  # more than 0
PHQ9_ITEM_BOUNDS = (0, 3)  # PHQ-9 items score 0-3 (kroenke-2001)
AGE_YEARS_BOUNDS = (0, 130)
MAX_DRUG_NAME_LENGTH = 100


class Status(StrEnum):
    """Whether a condition is absent, in the past only, or current."""

    NONE = "none"
    HISTORY = "history"
    ACTIVE = "active"


class LiverDisease(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class TrialOutcome(StrEnum):
    NO_RESPONSE = "no_response"
    PARTIAL_RESPONSE = "partial_response"
    RESPONSE = "response"
    REMISSION = "remission"
    NOT_TOLERATED = "not_tolerated"  # stopped for side effects
    ONGOING = "ongoing"
    UNKNOWN = "unknown"


FAILED_OUTCOMES = frozenset({TrialOutcome.NO_RESPONSE, TrialOutcome.PARTIAL_RESPONSE})


class MedicationClass(StrEnum):
    """Interacting drug classes, as recorded in the patient's medication list."""

    BENZODIAZEPINE = "benzodiazepine"
    OPIOID = "opioid"
    Z_DRUG = "z_drug"  # non-benzodiazepine sedative hypnotic (zolpidem, zopiclone, ...)
    PSYCHOSTIMULANT = "psychostimulant"
    MAOI = "maoi"
    LAMOTRIGINE = "lamotrigine"
    SSRI = "ssri"
    SNRI = "snri"
    OTHER = "other"


@dataclass(frozen=True)
class PresentingIndication:
    indication: Indication
    icd10cm_codes: tuple[str, ...] = ()  # canonical dotted form, e.g. "F33.2"


@dataclass(frozen=True)
class AntidepressantTrial:
    drug: str
    dose_mg_per_day: float
    weeks: float
    adequate: bool  # the clinician judged dose and duration adequate
    outcome: TrialOutcome
    in_current_episode: bool


@dataclass(frozen=True)
class PriorTreatments:
    antidepressant_trials: tuple[AntidepressantTrial, ...] = ()
    psychotherapy: bool = False
    ect: bool = False
    tms: bool = False


@dataclass(frozen=True)
class PsychiatricHistory:
    psychosis: Status = Status.NONE
    mania: Status = Status.NONE


@dataclass(frozen=True)
class SubstanceUse:
    substance_use_disorder: Status = Status.NONE
    ketamine_or_pcp_misuse: Status = Status.NONE
    regular_alcohol_use: bool = False


@dataclass(frozen=True)
class MedicalHistory:
    hypertension: bool = False
    hypertension_controlled: bool | None = None  # required when hypertension, else None
    cardiovascular_disease: bool = False
    cardiovascular_disease_poorly_controlled: bool | None = None  # required when cardiovascular_disease
    aneurysmal_vascular_disease_or_avm: bool = False
    intracerebral_hemorrhage_history: bool = False
    raised_intracranial_pressure: bool = False
    raised_intraocular_pressure: bool = False
    liver_disease: LiverDisease = LiverDisease.NONE
    seizures: bool = False
    hyperthyroidism: bool = False
    bladder_symptoms: bool = False
    sleep_apnea: bool = False
    pregnant: bool = False
    breastfeeding: bool = False
    hypersensitivity_to_ketamine_or_esketamine: bool = False


@dataclass(frozen=True)
class BaselineVitals:
    systolic_mmhg: int
    diastolic_mmhg: int
    heart_rate_per_min: int


@dataclass(frozen=True)
class Evaluation:
    """One version of a patient's intake evaluation."""

    indications: tuple[PresentingIndication, ...]
    prior_treatments: PriorTreatments = field(default_factory=PriorTreatments)
    psychiatric_history: PsychiatricHistory = field(default_factory=PsychiatricHistory)
    substance_use: SubstanceUse = field(default_factory=SubstanceUse)
    medical_history: MedicalHistory = field(default_factory=MedicalHistory)
    interacting_medications: tuple[MedicationClass, ...] = ()
    baseline_vitals: BaselineVitals | None = None
    weight_kg: float | None = None
    ride_home_arranged: bool | None = None  # None: not yet asked
    phq9_item9_baseline: int | None = None  # 0-3, None when not known
    episode_duration_weeks: float | None = None
    age_years: int | None = None  # on the day evaluated; from the chart's date of birth when a patient is named
    # Pre-treatment tests recorded on the chart recently enough to count (the web layer applies the
    # clinic's window): "ecg", "liver_tests". Filled from the chart, never trusted from a body alone.
    tests_on_file: tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION

    # -- conveniences for rules ---------------------------------------------------------------

    @property
    def indication_set(self) -> frozenset[Indication]:
        return frozenset(p.indication for p in self.indications)

    @property
    def icd10cm_codes(self) -> frozenset[str]:
        return frozenset(code for p in self.indications for code in p.icd10cm_codes)

    def takes(self, *classes: MedicationClass) -> bool:
        return any(c in self.interacting_medications for c in classes)

    # -- conversion -------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """JSON-ready dict; ``Evaluation.from_dict(e.to_dict()) == e``."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: object) -> "Evaluation":
        """Parse and validate; raises ``EvaluationInvalid`` listing every bad field.

        The same content always parses to the same (immutable) evaluation, so a parse is kept by
        its content: the chart reads the stored evaluation, and validates it merged with the chart,
        on every view."""
        try:
            content = json.dumps(data, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError):  # not plain JSON (built in code): parsed as it is
            return _parse(data)
        return _parse_content(content)

    def validate(self) -> "Evaluation":
        """Check an evaluation built in code as strictly as ``from_dict`` would.

        Returns the normalized equivalent (enum members, tuples, dotted ICD codes), which is what
        the engine reads; raises ``EvaluationInvalid`` listing every bad field.
        """
        return Evaluation.from_dict(self.to_dict())


def _parse(data: object) -> "Evaluation":
    reader = Reader()
    evaluation = _read_evaluation(reader, data)
    if reader.errors:
        raise EvaluationInvalid(reader.errors)
    return evaluation


@functools.lru_cache(maxsize=512)
def _parse_content(content: str) -> "Evaluation":
    return _parse(json.loads(content))  # an invalid one raises, and is not kept


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    return value


# -- reading ------------------------------------------------------------------------------------

_TOP_REQUIRED = ("indications", "prior_treatments", "psychiatric_history", "substance_use",
                 "medical_history", "interacting_medications")
_TOP_OPTIONAL = ("schema_version", "baseline_vitals", "weight_kg", "ride_home_arranged",
                 "phq9_item9_baseline", "episode_duration_weeks", "age_years", "tests_on_file")
PRETREATMENT_TESTS = ("ecg", "liver_tests")


def _read_evaluation(r: Reader, data: object) -> Evaluation | None:
    d = r.obj(data, "", _TOP_REQUIRED, _TOP_OPTIONAL)
    if d is None:
        return None
    version = d.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        r.error("schema_version", f"unsupported schema version {version!r}; this code reads version {SCHEMA_VERSION}")
    values = dict(
        indications=_read_indications(r, d),
        prior_treatments=_read_prior_treatments(r, d.get("prior_treatments"), "prior_treatments")
        if "prior_treatments" in d else BAD,
        psychiatric_history=_read_psychiatric(r, d.get("psychiatric_history"), "psychiatric_history")
        if "psychiatric_history" in d else BAD,
        substance_use=_read_substance_use(r, d.get("substance_use"), "substance_use")
        if "substance_use" in d else BAD,
        medical_history=_read_medical(r, d.get("medical_history"), "medical_history")
        if "medical_history" in d else BAD,
        interacting_medications=_read_medications(r, d),
        baseline_vitals=_read_vitals(r, d.get("baseline_vitals"), "baseline_vitals"),
        weight_kg=r.number(d, "weight_kg", "", *WEIGHT_KG_BOUNDS, low_inclusive=True, nullable=True, unit="kg"),
        ride_home_arranged=r.boolean(d, "ride_home_arranged", "", nullable=True),
        phq9_item9_baseline=r.number(d, "phq9_item9_baseline", "", *PHQ9_ITEM_BOUNDS, whole=True, nullable=True),
        episode_duration_weeks=r.number(d, "episode_duration_weeks", "", *EPISODE_DURATION_WEEKS_BOUNDS,
                                        nullable=True, unit="weeks"),
        age_years=r.number(d, "age_years", "", *AGE_YEARS_BOUNDS, whole=True, nullable=True, unit="years"),
        tests_on_file=_read_tests_on_file(r, d),
    )
    if r.errors or any(v is BAD or v is None and k in _TOP_REQUIRED for k, v in values.items()):
        return None
    return Evaluation(**values)


def _read_indications(r: Reader, d: Mapping) -> tuple[PresentingIndication, ...]:
    items = r.list_(d, "indications", "")
    if items is None:
        return BAD
    if not items:
        return r.error("indications", "at least one presenting indication is required")
    result, seen = [], set()
    for i, item in enumerate(items):
        path = join("indications", i)
        obj = r.obj(item, path, ("indication",), ("icd10cm_codes",))
        if obj is None:
            continue
        indication = r.enum(obj, "indication", path, Indication)
        if indication is not BAD:
            if indication in seen:
                r.error(join(path, "indication"), f"{indication.value!r} is listed more than once")
            seen.add(indication)
        codes = []
        raw_codes = r.list_(obj, "icd10cm_codes", path) if "icd10cm_codes" in obj else []
        for j, raw in enumerate(raw_codes or ()):
            code = normalize_icd10cm_code(raw)
            if code is None:
                r.error(join(join(path, "icd10cm_codes"), j),
                        f"{raw!r} is not an ICD-10-CM code (expected a letter, two characters, then "
                        "optionally '.' and 1-4 more, e.g. F33.2)")
            elif code in codes:
                r.error(join(join(path, "icd10cm_codes"), j), f"{code} is listed more than once")
            else:
                codes.append(code)
        result.append(PresentingIndication(indication, tuple(codes)))
    return tuple(result)


def _read_trial(r: Reader, item: object, path: str) -> AntidepressantTrial | None:
    fields_ = ("drug", "dose_mg_per_day", "weeks", "adequate", "outcome", "in_current_episode")
    obj = r.obj(item, path, fields_)
    if obj is None:
        return None
    values = dict(
        drug=r.text(obj, "drug", path, MAX_DRUG_NAME_LENGTH),
        dose_mg_per_day=r.number(obj, "dose_mg_per_day", path, *TRIAL_DOSE_MG_PER_DAY_BOUNDS,
                                 low_inclusive=False, unit="mg/day"),
        weeks=r.number(obj, "weeks", path, *TRIAL_WEEKS_BOUNDS, low_inclusive=False, unit="weeks"),
        adequate=r.boolean(obj, "adequate", path),
        outcome=r.enum(obj, "outcome", path, TrialOutcome),
        in_current_episode=r.boolean(obj, "in_current_episode", path),
    )
    if any(v is BAD for v in values.values()):
        return None
    return AntidepressantTrial(**values)


def _read_prior_treatments(r: Reader, data: object, path: str) -> PriorTreatments:
    obj = r.obj(data, path, ("antidepressant_trials", "psychotherapy", "ect", "tms"))
    if obj is None:
        return BAD
    trials = r.list_(obj, "antidepressant_trials", path)
    parsed = [_read_trial(r, t, join(join(path, "antidepressant_trials"), i)) for i, t in enumerate(trials or ())]
    values = dict(psychotherapy=r.boolean(obj, "psychotherapy", path), ect=r.boolean(obj, "ect", path),
                  tms=r.boolean(obj, "tms", path))
    if trials is None or None in parsed or BAD in values.values():
        return BAD
    return PriorTreatments(antidepressant_trials=tuple(parsed), **values)


def _read_psychiatric(r: Reader, data: object, path: str) -> PsychiatricHistory:
    obj = r.obj(data, path, ("psychosis", "mania"))
    if obj is None:
        return BAD
    values = {k: r.enum(obj, k, path, Status) for k in ("psychosis", "mania")}
    return BAD if BAD in values.values() else PsychiatricHistory(**values)


def _read_substance_use(r: Reader, data: object, path: str) -> SubstanceUse:
    obj = r.obj(data, path, ("substance_use_disorder", "ketamine_or_pcp_misuse", "regular_alcohol_use"))
    if obj is None:
        return BAD
    values = {k: r.enum(obj, k, path, Status) for k in ("substance_use_disorder", "ketamine_or_pcp_misuse")}
    values["regular_alcohol_use"] = r.boolean(obj, "regular_alcohol_use", path)
    return BAD if BAD in values.values() else SubstanceUse(**values)


_MEDICAL_BOOLEANS = tuple(f.name for f in dataclasses.fields(MedicalHistory)
                          if f.type is bool or f.type == "bool")
# condition -> the follow-up question that must be answered when the condition is present
_MEDICAL_FOLLOW_UPS = {"hypertension": "hypertension_controlled",
                       "cardiovascular_disease": "cardiovascular_disease_poorly_controlled"}


def _read_medical(r: Reader, data: object, path: str) -> MedicalHistory:
    obj = r.obj(data, path, _MEDICAL_BOOLEANS + ("liver_disease",), tuple(_MEDICAL_FOLLOW_UPS.values()))
    if obj is None:
        return BAD
    values = {k: r.boolean(obj, k, path) for k in _MEDICAL_BOOLEANS}
    values["liver_disease"] = r.enum(obj, "liver_disease", path, LiverDisease)
    for condition, follow_up in _MEDICAL_FOLLOW_UPS.items():
        answer = r.boolean(obj, follow_up, path, nullable=True)
        if values[condition] is True and answer is None:
            answer = r.error(join(path, follow_up), f"required (true or false) when {condition} is true")
        elif values[condition] is False and answer is not None and answer is not BAD:
            answer = r.error(join(path, follow_up), f"must be null when {condition} is false")
        values[follow_up] = answer
    return BAD if BAD in values.values() else MedicalHistory(**values)


def _read_medications(r: Reader, d: Mapping) -> tuple[MedicationClass, ...]:
    items = r.list_(d, "interacting_medications", "")
    if items is None:
        return BAD
    result = []
    for i, item in enumerate(items):
        value = r.enum_value(item, join("interacting_medications", i), MedicationClass)
        if value is BAD:
            continue
        if value in result:
            r.error(join("interacting_medications", i), f"{value.value!r} is listed more than once")
        else:
            result.append(value)
    return tuple(result)


def _read_tests_on_file(r: Reader, d: Mapping) -> tuple[str, ...]:
    items = d.get("tests_on_file", [])
    if not isinstance(items, list):
        r.error("tests_on_file", "must be a list")
        return ()
    for i, item in enumerate(items):
        if item not in PRETREATMENT_TESTS:
            r.error(join("tests_on_file", i), f"must be one of {', '.join(PRETREATMENT_TESTS)}")
    return tuple(sorted({i for i in items if i in PRETREATMENT_TESTS}))


def _read_vitals(r: Reader, data: object, path: str) -> BaselineVitals | None:
    if data is None:
        return None
    obj = r.obj(data, path, ("systolic_mmhg", "diastolic_mmhg", "heart_rate_per_min"))
    if obj is None:
        return BAD
    values = dict(
        systolic_mmhg=r.number(obj, "systolic_mmhg", path, *SYSTOLIC_MMHG_BOUNDS, whole=True, unit="mmHg"),
        diastolic_mmhg=r.number(obj, "diastolic_mmhg", path, *DIASTOLIC_MMHG_BOUNDS, whole=True, unit="mmHg"),
        heart_rate_per_min=r.number(obj, "heart_rate_per_min", path, *HEART_RATE_PER_MIN_BOUNDS, whole=True,
                                    unit="/min"),
    )
    if BAD in values.values():
        return BAD
    if values["diastolic_mmhg"] >= values["systolic_mmhg"]:
        return r.error(join(path, "diastolic_mmhg"), "must be lower than the systolic pressure")
    return BaselineVitals(**values)
