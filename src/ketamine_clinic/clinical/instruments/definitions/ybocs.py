"""Y-BOCS: Yale-Brown Obsessive Compulsive Scale (severity items 1-10), clinician-rated.

Copyrighted: scores only, no item text. 10 items x 0-4, total 0-40. Band edges 8 / 16 / 24 / 32
from shared/CLINICAL.md s.4, marked *(verify)* (source "seeds"; no dedicated key yet).
"""

from ..model import Band, Instrument, Respondent, scores_only_items

YBOCS = Instrument(
    key="ybocs",
    name="Yale-Brown Obsessive Compulsive Scale (Y-BOCS)",
    version="scores-only definition 1",
    recall_period="past week",
    respondent=Respondent.CLINICIAN,
    items=scores_only_items("ybocs", count=10, minimum=0, maximum=4),
    licence_note="Copyrighted: record item scores and totals only; do not reproduce item text.",
    source="seeds",
    loinc_panel=None,
    loinc_total=None,
    bands=(
        Band("subclinical", "Subclinical", 0, 7, "seeds", verify=True),
        Band("mild", "Mild", 8, 15, "seeds", verify=True),
        Band("moderate", "Moderate", 16, 23, "seeds", verify=True),
        Band("severe", "Severe", 24, 31, "seeds", verify=True),
        Band("extreme", "Extreme", 32, 40, "seeds", verify=True),
    ),
    has_item_text=False,
)
