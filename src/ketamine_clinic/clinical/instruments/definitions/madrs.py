"""MADRS: Montgomery-Asberg Depression Rating Scale, clinician-rated.

Copyrighted: the clinic stores item scores and totals only, no item or anchor wording.
10 items x 0-6, total 0-60; band edges 7 / 20 / 35 from shared/CLINICAL.md s.4 (source "seeds";
no dedicated MADRS source key exists yet).
"""

from ..model import Band, Instrument, Respondent, scores_only_items

MADRS = Instrument(
    key="madrs",
    name="Montgomery-\u00c5sberg Depression Rating Scale (MADRS)",
    version="scores-only definition 1",
    recall_period="past week",
    respondent=Respondent.CLINICIAN,
    items=scores_only_items("madrs", count=10, minimum=0, maximum=6),
    licence_note="Copyrighted: record item scores and totals only; do not reproduce item text.",
    source="seeds",
    loinc_panel=None,  # none found (shared/CLINICAL.md s.4)
    loinc_total=None,
    bands=(
        Band("normal", "Normal / symptom absent", 0, 6, "seeds"),
        Band("mild", "Mild", 7, 19, "seeds"),
        Band("moderate", "Moderate", 20, 34, "seeds"),
        Band("severe", "Severe", 35, 60, "seeds"),
    ),
    has_item_text=False,
)
