"""GAD-7: Generalized Anxiety Disorder 7-item scale.

Public domain (Pfizer). Item wording as published by Spitzer et al. 2006. Item LOINC codes from
shared/CLINICAL.md s.4. The answer codes are the same LOINC answer list as the PHQ-9
("Not at all" LA6568-5 ... "Nearly every day" LA6571-9) *(verify: CLINICAL.md lists them under
the PHQ-9 only)*.
"""

from ..model import Band, Instrument, Item, Respondent
from .phq9 import FREQUENCY_OPTIONS

_ITEMS = (
    ("gad7-1", "69725-0", "Feeling nervous, anxious, or on edge"),
    ("gad7-2", "68509-9", "Not being able to stop or control worrying"),
    ("gad7-3", "69733-4", "Worrying too much about different things"),
    ("gad7-4", "69734-2", "Trouble relaxing"),
    ("gad7-5", "69735-9", "Being so restless that it is hard to sit still"),
    ("gad7-6", "69689-8", "Becoming easily annoyed or irritable"),
    ("gad7-7", "69736-7", "Feeling afraid, as if something awful might happen"),
)

GAD7 = Instrument(
    key="gad7",
    name="Generalized Anxiety Disorder 7-item scale (GAD-7)",
    version="2006 form; definition 1",
    recall_period="past 2 weeks",
    respondent=Respondent.PATIENT,
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=tuple(
        Item(link_id=link_id, text=text, label=f"Item {n}", loinc=loinc, options=FREQUENCY_OPTIONS)
        for n, (link_id, loinc, text) in enumerate(_ITEMS, start=1)
    ),
    licence_note="Public domain: no permission required to reproduce, translate, display or distribute.",
    attribution=(
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc."
    ),
    source="spitzer-2006",
    loinc_panel="69737-5",  # source "loinc"
    loinc_total="70274-6",  # source "loinc"
    bands=(
        Band("minimal", "Minimal", 0, 4, "spitzer-2006"),
        Band("mild", "Mild", 5, 9, "spitzer-2006"),
        Band("moderate", "Moderate", 10, 14, "spitzer-2006"),
        Band("severe", "Severe", 15, 21, "spitzer-2006"),
    ),
)
