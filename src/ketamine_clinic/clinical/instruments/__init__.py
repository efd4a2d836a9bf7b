"""Measurement-based care: instruments as data, validation, scoring, FHIR export, outcomes, measures due (`due`).

Pure Python (no Django, no I/O, no clock). The web layer calls:

- ``get_instrument(key)`` / ``INSTRUMENTS``: the definitions (items, options, bands, codes);
- ``validate_answers(key, answers, partial)``: per-item errors as ``AnswerValidationError.errors``;
- ``score(key, answers, settings=None)``: a ``Score`` with total, band, flags and suicide risk;
- ``to_fhir_questionnaire(key)``: a FHIR R4 Questionnaire dict;
- ``summarize_outcomes(ScoreSeries, ...)``: response, remission, relapse over time;
- ``measures_due(rules, sessions, completed, now)``: which measures are due, overdue or done.

``SETTINGS`` gathers every clinic-configurable number declared by the modules of this package.
"""

from .definitions import INSTRUMENTS
from .errors import (
    AnswerValidationError,
    InstrumentError,
    SettingValueError,
    UnknownInstrumentError,
)
from .fhir import to_fhir_questionnaire
from .names import ABBREVIATIONS, abbreviation
from .model import (
    AnswerOption,
    AnswerType,
    Band,
    Instrument,
    Item,
    Respondent,
    RiskLevel,
)
from .outcomes import (
    OutcomeEvent,
    OutcomeInputError,
    OutcomePolicy,
    OutcomeSummary,
    PointOutcome,
    ScorePoint,
    ScoreSeries,
    meets_response,
    percent_change,
    summarize_outcomes,
)
from .outcomes import SETTINGS as _OUTCOME_SETTINGS
from .due import (
    PHQ9_ITEM9_POSITIVE,
    AfterEachSession,
    BeforeEachSession,
    DueMeasure,
    DueStatus,
    Every,
    ScheduleInputError,
    WhenTriggered,
    measures_due,
)
from .risk_answers import RiskAnswer, risk_answers
from .due import SETTINGS as _DUE_SETTINGS
from .scoring import SETTINGS as _SCORING_SETTINGS
from .scoring import ItemFlag, Score, bands_for, score
from .validation import get_instrument, validate_answers

SETTINGS = _SCORING_SETTINGS + _OUTCOME_SETTINGS + _DUE_SETTINGS

__all__ = [
    "ABBREVIATIONS", "INSTRUMENTS", "abbreviation", "SETTINGS", "PHQ9_ITEM9_POSITIVE",
    "AfterEachSession", "AnswerOption", "AnswerType", "AnswerValidationError", "Band",
    "BeforeEachSession", "DueMeasure", "DueStatus", "Every", "Instrument", "InstrumentError",
    "Item", "ItemFlag", "OutcomeEvent", "OutcomeInputError", "OutcomePolicy", "OutcomeSummary",
    "PointOutcome", "Respondent", "RiskAnswer", "RiskLevel", "ScheduleInputError", "Score", "ScorePoint",
    "ScoreSeries", "SettingValueError", "UnknownInstrumentError", "WhenTriggered",
    "bands_for", "get_instrument", "measures_due", "meets_response", "percent_change", "risk_answers", "score",
    "summarize_outcomes", "to_fhir_questionnaire", "validate_answers",
]
