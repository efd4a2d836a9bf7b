"""PHQ-9: Patient Health Questionnaire, 9 depression items plus the unscored difficulty item.

Public domain (Pfizer): may be reproduced without permission. Item wording as published by
Kroenke, Spitzer and Williams. LOINC codes from shared/CLINICAL.md s.4 (source "loinc").
"""

from ..model import (
    Band,
    Instrument,
    Item,
    ItemAlert,
    Respondent,
    ordinal_options,
)

# LOINC answer list for "Not at all" ... "Nearly every day" (source "loinc").
FREQUENCY_OPTIONS = ordinal_options(
    (
        ("Not at all", "LA6568-5"),
        ("Several days", "LA6569-3"),
        ("More than half the days", "LA6570-1"),
        ("Nearly every day", "LA6571-9"),
    )
)

# Item 10 answers: no LOINC answer codes in shared/CLINICAL.md, so none are given here.
DIFFICULTY_OPTIONS = ordinal_options(
    (
        ("Not difficult at all", None),
        ("Somewhat difficult", None),
        ("Very difficult", None),
        ("Extremely difficult", None),
    )
)

_ITEMS = (
    # (linkId, LOINC item code, exact published text)
    ("phq9-1", "44250-9", "Little interest or pleasure in doing things"),
    ("phq9-2", "44255-8", "Feeling down, depressed, or hopeless"),
    ("phq9-3", "44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("phq9-4", "44254-1", "Feeling tired or having little energy"),
    ("phq9-5", "44251-7", "Poor appetite or overeating"),
    (
        "phq9-6",
        "44258-2",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
        "your family down",
    ),
    (
        "phq9-7",
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "phq9-8",
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "\u2014 being so fidgety or restless that you have been moving around a lot more than "
        "usual",
    ),
    (
        "phq9-9",
        "44260-8",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
)

PHQ9 = Instrument(
    key="phq9",
    name="Patient Health Questionnaire-9 (PHQ-9)",
    version="1999 Pfizer form; definition 1",
    recall_period="past 2 weeks",
    respondent=Respondent.PATIENT,
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following "
        "problems?"
    ),
    items=tuple(
        Item(link_id=link_id, text=text, label=f"Item {n}", loinc=loinc, options=FREQUENCY_OPTIONS)
        for n, (link_id, loinc, text) in enumerate(_ITEMS, start=1)
    )
    + (
        Item(
            link_id="phq9-10",
            text=(
                "If you checked off any problems, how difficult have these problems made it for "
                "you to do your work, take care of things at home, or get along with other "
                "people?"
            ),
            label="Item 10 (difficulty, not scored)",
            loinc=None,  # not listed in shared/CLINICAL.md
            options=DIFFICULTY_OPTIONS,
            scored=False,
            required=False,
        ),
    ),
    licence_note="Public domain: no permission required to reproduce, translate, display or distribute.",
    attribution=(
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc."
    ),
    source="kroenke-2001",
    loinc_panel="44249-1",  # source "loinc"
    loinc_total="44261-6",  # source "loinc"
    bands=(
        Band("none", "None to minimal", 0, 4, "kroenke-2001"),
        Band("mild", "Mild", 5, 9, "kroenke-2001"),
        Band("moderate", "Moderate", 10, 14, "kroenke-2001"),
        Band("moderately_severe", "Moderately severe", 15, 19, "kroenke-2001"),
        Band("severe", "Severe", 20, 27, "kroenke-2001"),
    ),
    item_alerts=(
        # shared/CLINICAL.md s.4: any item 9 >= 1 -> same-day suicide-risk assessment (C-SSRS).
        ItemAlert(
            link_id="phq9-9",
            min_value=1,
            flag="phq9_item9_positive",
            message="PHQ-9 item 9 positive: same-day suicide-risk assessment (C-SSRS) needed.",
            suicide_risk=True,
            source="seeds",
        ),
    ),
)

__all__ = ["PHQ9", "FREQUENCY_OPTIONS"]
