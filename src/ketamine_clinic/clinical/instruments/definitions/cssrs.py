"""C-SSRS screener: Columbia-Suicide Severity Rating Scale, Screen Version (past month).

Free to use under the Columbia Lighthouse Project terms, ONLY unmodified and with the Columbia
attribution. The question wording below is the screener's bold "ask" text; check it against the
current Columbia form before clinical use (source "cssrs" is marked verify).

Flow (shared/CLINICAL.md s.4): Q1 and Q2 always; Q3-Q5 only if Q2 is yes; Q6 always, and if Q6
is yes, "Was this within the past three months?" (linkId cssrs-6a).

Triage (shared/CLINICAL.md s.4, *(verify)* against the triage card): Q1 or Q2 yes -> low; Q3 yes
-> moderate; Q4 or Q5 yes, or suicidal behaviour in the past 3 months -> high. The triage card's
"behaviour more than 3 months ago -> moderate" is included as data, also marked verify.
The rules are data so that a reviewer can change them without touching the scoring code.
"""

from ..model import (
    AnswerOption,
    AnswerType,
    Instrument,
    Item,
    Respondent,
    RiskLevel,
    SkipRule,
    TriageRule,
)

YES_NO = (AnswerOption(value=True, label="Yes"), AnswerOption(value=False, label="No"))

# (linkId, LOINC item code from shared/CLINICAL.md s.4 in the order listed there, label, text)
_ITEMS = (
    ("cssrs-1", "93246-7", "1. Wish to be dead",
     "Have you wished you were dead or wished you could go to sleep and not wake up?"),
    ("cssrs-2", "93247-5", "2. Non-specific active suicidal thoughts",
     "Have you actually had any thoughts of killing yourself?"),
    ("cssrs-3", "93248-3", "3. Active suicidal ideation with any methods (not plan) without intent to act",
     "Have you been thinking about how you might do this?"),
    ("cssrs-4", "93249-1", "4. Active suicidal ideation with some intent to act, without specific plan",
     "Have you had these thoughts and had some intention of acting on them?"),
    ("cssrs-5", "93250-9", "5. Active suicidal ideation with specific plan and intent",
     "Have you started to work out or worked out the details of how to kill yourself? "
     "Do you intend to carry out this plan?"),
    ("cssrs-6", "93267-3", "6. Suicidal behavior (lifetime)",
     "Have you ever done anything, started to do anything, or prepared to do anything to end "
     "your life?"),
    ("cssrs-6a", "93269-9", "6a. Suicidal behavior in the past 3 months",
     "Was this within the past three months?"),
)

_CONDITIONAL = {"cssrs-3", "cssrs-4", "cssrs-5", "cssrs-6a"}

CSSRS = Instrument(
    key="cssrs",
    name="Columbia-Suicide Severity Rating Scale, Screen Version (C-SSRS screener)",
    version="Screen Version, past month; definition 1",
    recall_period="past month (Q1-Q5); lifetime and past 3 months (Q6)",
    respondent=Respondent.CLINICIAN,  # asked by staff; may also be self-reported
    instructions="Ask questions 1 and 2. If YES to 2, ask questions 3, 4, 5 and 6. If NO to 2, go directly to question 6.",
    items=tuple(
        Item(
            link_id=link_id,
            text=text,
            label=label,
            loinc=loinc,
            options=YES_NO,
            answer_type=AnswerType.BOOLEAN,
            required=link_id not in _CONDITIONAL,
        )
        for link_id, loinc, label, text in _ITEMS
    ),
    licence_note=(
        "Free to use under the Columbia Lighthouse Project terms: reproduce unmodified and keep "
        "the Columbia attribution."
    ),
    attribution=(
        "Columbia-Suicide Severity Rating Scale (C-SSRS), Screen Version. Posner K, Brent D, "
        "Lucas C, Gould M, Stanley B, Brown G, Fisher P, Zelazny J, Burke A, Oquendo M, Mann J. "
        "\u00a9 The Research Foundation for Mental Hygiene, Inc. The Columbia Lighthouse Project."
    ),
    source="cssrs",
    loinc_panel="93373-9",  # source "loinc"
    loinc_total=None,  # the screener triages; it has no total
    bands=(),
    has_total=False,
    skip_rules=(
        SkipRule(("cssrs-3", "cssrs-4", "cssrs-5"), depends_on="cssrs-2", equals=True, source="cssrs"),
        SkipRule(("cssrs-6a",), depends_on="cssrs-6", equals=True, source="cssrs"),
    ),
    triage_rules=(
        TriageRule(("cssrs-1",), RiskLevel.LOW, "Wish to be dead (Q1)", "cssrs", verify=True),
        TriageRule(("cssrs-2",), RiskLevel.LOW, "Suicidal thoughts (Q2)", "cssrs", verify=True),
        TriageRule(("cssrs-3",), RiskLevel.MODERATE, "Suicidal thoughts with method (Q3)", "cssrs", verify=True),
        TriageRule(("cssrs-4",), RiskLevel.HIGH, "Suicidal intent (Q4)", "cssrs", verify=True),
        TriageRule(("cssrs-5",), RiskLevel.HIGH, "Suicidal intent with plan (Q5)", "cssrs", verify=True),
        TriageRule(("cssrs-6", "cssrs-6a"), RiskLevel.HIGH, "Suicidal behaviour in the past 3 months (Q6)", "cssrs", verify=True),
        TriageRule(
            ("cssrs-6",), RiskLevel.MODERATE, "Suicidal behaviour more than 3 months ago (Q6)", "cssrs",
            when_no=("cssrs-6a",), verify=True,
        ),
    ),
)
