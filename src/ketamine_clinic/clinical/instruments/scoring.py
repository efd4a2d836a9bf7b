"""Score a validated set of answers: total, severity band, item alerts and suicide-risk triage.

``score("phq9", answers)`` validates the answers first (complete, in range, skip logic obeyed),
so a ``Score`` is only ever built from a full, correct form.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..clinic_policy import Setting
from .definitions.pcl5 import PROBABLE_PTSD_MIN_TOTAL_DEFAULT
from .clinic_policy import setting_value
from .model import Band, Instrument, RiskLevel
from .validation import get_instrument, validate_answers

PCL5_CUTOFF = Setting(
    key="instruments.pcl5.probable_ptsd_min_total",
    default=PROBABLE_PTSD_MIN_TOTAL_DEFAULT,
    unit="{score}",
    source="pcl5",
    description=(
        "PCL-5 total at or above which the result reads 'probable PTSD'. The source gives a "
        "cut-point of 31-33; the clinic picks one within that range."
    ),
    minimum=31,
    maximum=33,
)

SETTINGS: tuple[Setting, ...] = (PCL5_CUTOFF,)


@dataclass(frozen=True)
class ItemFlag:
    flag: str  # "phq9_item9_positive"
    link_id: str
    value: int | bool
    message: str
    source: str


@dataclass(frozen=True)
class Score:
    instrument_key: str
    total: int | None  # None for the C-SSRS screener, which triages instead
    band: str | None  # band key, None where the instrument has no bands
    band_label: str | None
    band_source: str | None
    band_verify: bool  # the band edges are marked (verify) in shared/CLINICAL.md
    item_flags: tuple[ItemFlag, ...]
    suicide_risk: bool  # True: the patient needs a same-day suicide-risk assessment / plan
    risk_level: RiskLevel | None  # C-SSRS triage level; None for other instruments
    risk_reasons: tuple[str, ...]
    recall_period: str
    loinc_total: str | None
    answers: Mapping[str, int | bool]  # the validated answers, item order
    subscores: Mapping[str, int] = field(default_factory=dict)  # "cadss6" -> 7, QIDS domains


def bands_for(instrument: Instrument, settings: Mapping[str, object] | None = None) -> tuple[Band, ...]:
    """The instrument's bands with any clinic-chosen edges applied (PCL-5 cut-point)."""
    if instrument.key != "pcl5":
        return instrument.bands
    cutoff = int(setting_value(settings, PCL5_CUTOFF))
    below, probable = instrument.bands
    return (replace(below, maximum=cutoff - 1), replace(probable, minimum=cutoff))


def score(
    instrument_key: str,
    answers: Mapping[str, object],
    *,
    settings: Mapping[str, object] | None = None,
) -> Score:
    """Validate and score a complete set of answers; raises AnswerValidationError."""
    instrument = get_instrument(instrument_key)
    clean = validate_answers(instrument_key, answers, partial=False)

    total, subscores = _total(instrument, clean)
    band = None
    if total is not None:
        band = next((b for b in bands_for(instrument, settings) if b.minimum <= total <= b.maximum), None)

    flags = tuple(
        ItemFlag(alert.flag, alert.link_id, clean[alert.link_id], alert.message, alert.source)
        for alert in instrument.item_alerts
        if alert.link_id in clean and clean[alert.link_id] >= alert.min_value
    )
    alert_risk = any(
        alert.suicide_risk for alert in instrument.item_alerts for f in flags if f.flag == alert.flag
    )

    risk_level, reasons = _triage(instrument, clean)
    return Score(
        instrument_key=instrument.key,
        total=total,
        band=band.key if band else None,
        band_label=band.label if band else None,
        band_source=band.source if band else None,
        band_verify=band.verify if band else False,
        item_flags=flags,
        suicide_risk=alert_risk or (risk_level is not None and risk_level is not RiskLevel.NONE),
        risk_level=risk_level,
        risk_reasons=reasons + tuple(f.message for f in flags),
        recall_period=instrument.recall_period,
        loinc_total=instrument.loinc_total,
        answers=clean,
        subscores=subscores,
    )


def _total(instrument: Instrument, clean: Mapping[str, int | bool]) -> tuple[int | None, dict[str, int]]:
    if not instrument.has_total:
        return None, {}
    subscores: dict[str, int] = {}
    if instrument.domains:
        total = 0
        for domain in instrument.domains:
            values = [int(clean[link_id]) for link_id in domain.link_ids]
            domain_score = max(values) if domain.rule == "max" else sum(values)
            subscores[domain.key] = domain_score
            total += domain_score
    else:
        total = sum(int(clean[it.link_id]) for it in instrument.scored_items)
    for subscale in instrument.subscales:
        subscores[subscale.key] = sum(int(clean[link_id]) for link_id in subscale.link_ids)
    return total, subscores


def _triage(instrument: Instrument, clean: Mapping[str, int | bool]) -> tuple[RiskLevel | None, tuple[str, ...]]:
    if not instrument.triage_rules:
        return None, ()
    level = RiskLevel.NONE
    reasons: list[str] = []
    for rule in instrument.triage_rules:
        if all(clean.get(k) is True for k in rule.when_yes) and all(clean.get(k) is False for k in rule.when_no):
            reasons.append(f"{rule.reason}: {rule.level.value} risk")
            if rule.level.rank > level.rank:
                level = rule.level
    return level, tuple(reasons)
