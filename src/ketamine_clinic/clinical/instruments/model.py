"""The shape of a measurement instrument, as plain frozen data.

An ``Instrument`` says what is asked (items and their answer options), who answers it, over what
recall period, how the total maps to severity bands, and which LOINC codes identify it. Scales
whose item wording is copyrighted or under unknown terms carry ``text=None`` on every item: the
clinic records item scores and totals only.

Every number that comes from the literature names its source key (``sources.SOURCES``) in a
``source`` field next to it.
"""

from dataclasses import dataclass, field
from enum import StrEnum

LOINC_SYSTEM = "http://loinc.org"


class Respondent(StrEnum):
    PATIENT = "patient"  # self-report
    CLINICIAN = "clinician"  # clinician-rated


class AnswerType(StrEnum):
    ORDINAL = "ordinal"  # integer score chosen from answer options
    BOOLEAN = "boolean"  # yes / no


@dataclass(frozen=True)
class AnswerOption:
    value: int | bool  # what is stored and scored
    label: str | None  # shown to the respondent; None for scores-only scales
    loinc: str | None = None  # LOINC answer code ("LA6568-5") where one is published


@dataclass(frozen=True)
class Item:
    link_id: str  # stable id, also the FHIR Questionnaire item.linkId: "phq9-1"
    text: str | None  # exact published wording, or None where the licence does not allow it
    label: str  # short label always shown to staff: "Item 1" or a neutral domain name
    loinc: str | None  # LOINC item code or None
    options: tuple[AnswerOption, ...]
    answer_type: AnswerType = AnswerType.ORDINAL
    scored: bool = True  # PHQ-9 item 10 (difficulty) is asked but not part of the total
    required: bool = True  # False: may be left blank (unscored items, skip-logic items)
    help_text: str | None = None  # published examples printed under the question

    @property
    def values(self) -> tuple[int | bool, ...]:
        return tuple(o.value for o in self.options)

    @property
    def min_value(self) -> int:
        return int(min(self.values))

    @property
    def max_value(self) -> int:
        return int(max(self.values))


@dataclass(frozen=True)
class Band:
    """Totals from ``minimum`` to ``maximum`` inclusive fall in this band."""

    key: str  # "mild"
    label: str  # "Mild depression"
    minimum: int
    maximum: int
    source: str  # key of sources.SOURCES
    verify: bool = False  # True where shared/CLINICAL.md marks the edge "(verify)"


@dataclass(frozen=True)
class ScoringDomain:
    """Items scored together as one domain: QIDS-SR16 scores sleep as the highest of items 1-4."""

    key: str
    label: str
    link_ids: tuple[str, ...]
    rule: str  # "max" or "sum"


@dataclass(frozen=True)
class Subscale:
    """A published subset of items summed on its own (CADSS-6 inside the CADSS)."""

    key: str
    label: str
    link_ids: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ItemAlert:
    """An item answer that needs action on its own, whatever the total."""

    link_id: str
    min_value: int  # fires when the item's value >= min_value
    flag: str  # "phq9_item9_positive"
    message: str
    suicide_risk: bool
    source: str


class RiskLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


@dataclass(frozen=True)
class TriageRule:
    """All of ``when_yes`` answered yes (and all of ``when_no`` answered no) -> ``level``."""

    when_yes: tuple[str, ...]
    level: RiskLevel
    reason: str
    source: str
    when_no: tuple[str, ...] = ()
    verify: bool = False


@dataclass(frozen=True)
class SkipRule:
    """``link_ids`` are asked only when ``depends_on`` was answered ``equals``."""

    link_ids: tuple[str, ...]
    depends_on: str
    equals: int | bool
    source: str


@dataclass(frozen=True)
class Instrument:
    key: str  # "phq9"
    name: str  # "Patient Health Questionnaire-9 (PHQ-9)"
    version: str  # version of this definition or of the published form
    recall_period: str  # "past 2 weeks": stored with every score, recall windows overlap
    respondent: Respondent
    items: tuple[Item, ...]
    licence_note: str
    source: str  # key of sources.SOURCES for the instrument itself
    loinc_panel: str | None
    loinc_total: str | None
    bands: tuple[Band, ...]
    lower_is_better: bool = True
    instructions: str | None = None  # the form's own lead-in text (None for scores-only scales)
    attribution: str | None = None  # required copyright / attribution line, shown unmodified
    has_total: bool = True  # False for the C-SSRS screener: it triages, it does not add up
    has_item_text: bool = True
    domains: tuple[ScoringDomain, ...] = ()  # empty: total = sum of scored items
    subscales: tuple[Subscale, ...] = ()
    item_alerts: tuple[ItemAlert, ...] = ()
    skip_rules: tuple[SkipRule, ...] = ()
    triage_rules: tuple[TriageRule, ...] = ()  # C-SSRS: risk level from the yes answers
    notes: tuple[str, ...] = field(default=())

    def item(self, link_id: str) -> Item:
        for it in self.items:
            if it.link_id == link_id:
                return it
        raise KeyError(link_id)

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(it.link_id for it in self.items)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(it for it in self.items if it.scored)

    @property
    def total_min(self) -> int:
        return self._total_bound(lambda it: it.min_value)

    @property
    def total_max(self) -> int:
        return self._total_bound(lambda it: it.max_value)

    def _total_bound(self, bound) -> int:
        if not self.domains:
            return sum(bound(it) for it in self.scored_items)
        total = 0
        for domain in self.domains:
            values = [bound(self.item(link_id)) for link_id in domain.link_ids]
            total += max(values) if domain.rule == "max" else sum(values)
        return total

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.minimum <= total <= band.maximum:
                return band
        return None


def ordinal_options(
    labels_and_codes: tuple[tuple[str | None, str | None], ...], start: int = 0
) -> tuple[AnswerOption, ...]:
    """Answer options scored ``start``, ``start + 1``, ... in order."""
    return tuple(
        AnswerOption(value=start + i, label=label, loinc=code)
        for i, (label, code) in enumerate(labels_and_codes)
    )


def unlabelled_options(minimum: int, maximum: int) -> tuple[AnswerOption, ...]:
    """Bare integer scores for scales whose anchor wording we may not reproduce."""
    return tuple(AnswerOption(value=v, label=None) for v in range(minimum, maximum + 1))


def scores_only_items(prefix: str, count: int, minimum: int, maximum: int) -> tuple[Item, ...]:
    """Items 1..count labelled "Item n", no text, no LOINC code."""
    options = unlabelled_options(minimum, maximum)
    return tuple(
        Item(link_id=f"{prefix}-{n}", text=None, label=f"Item {n}", loinc=None, options=options)
        for n in range(1, count + 1)
    )
