"""CADSS: Clinician-Administered Dissociative States Scale, and its 6-item subset CADSS-6.

Terms of use unknown: scores only, no item text. 23 items x 0-4, total 0-92. CADSS-6 = items
1, 2, 6, 7, 15, 22 (total 0-24); its items share the CADSS linkIds so a CADSS-6 response is a
subset of a full CADSS response. "Total > 4 = dissociation present" is from shared/CLINICAL.md
s.3-4 and marked *(verify)* (source "seeds"; no dedicated CADSS source key exists yet). No band
is defined for the CADSS-6 total: CLINICAL.md gives none.
"""

from ..model import Band, Instrument, Respondent, Subscale, scores_only_items

CADSS6_ITEM_NUMBERS = (1, 2, 6, 7, 15, 22)  # source "seeds" (shared/CLINICAL.md s.4)
CADSS6_LINK_IDS = tuple(f"cadss-{n}" for n in CADSS6_ITEM_NUMBERS)

_ALL_ITEMS = scores_only_items("cadss", count=23, minimum=0, maximum=4)

CADSS = Instrument(
    key="cadss",
    name="Clinician-Administered Dissociative States Scale (CADSS)",
    version="scores-only definition 1",
    recall_period="current state (rated during or after the session)",
    respondent=Respondent.CLINICIAN,
    items=_ALL_ITEMS,
    licence_note="Terms of use unknown: record item scores and totals only; no item text.",
    source="seeds",
    loinc_panel=None,
    loinc_total=None,
    bands=(
        Band("below_threshold", "No dissociation above threshold", 0, 4, "seeds", verify=True),
        Band("dissociation", "Dissociation present", 5, 92, "seeds", verify=True),
    ),
    subscales=(Subscale("cadss6", "CADSS-6", CADSS6_LINK_IDS, "seeds"),),
    has_item_text=False,
)

CADSS6 = Instrument(
    key="cadss6",
    name="CADSS-6 (6-item subset of the CADSS)",
    version="scores-only definition 1",
    recall_period="current state (rated during or after the session)",
    respondent=Respondent.CLINICIAN,
    items=tuple(it for it in _ALL_ITEMS if it.link_id in CADSS6_LINK_IDS),
    licence_note="Terms of use unknown: record item scores and totals only; no item text.",
    source="seeds",
    loinc_panel=None,
    loinc_total=None,
    bands=(),
    has_item_text=False,
)
