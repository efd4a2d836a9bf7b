"""QIDS-SR16: Quick Inventory of Depressive Symptomatology, self-report, 16 items.

Licence unclear: scores only, no item text. 16 items x 0-3 scored as 9 domains (total 0-27):
sleep = highest of items 1-4; weight/appetite = highest of items 6-9; psychomotor = highest of
items 15-16; items 5 and 10-14 count on their own. Band edges 6 / 11 / 16 / 21 from
shared/CLINICAL.md s.4, marked *(verify)* (source "seeds"; no dedicated key yet).
"""

from ..model import Band, Instrument, Respondent, ScoringDomain, scores_only_items


def _ids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"qids_sr16-{n}" for n in numbers)


QIDS_SR16 = Instrument(
    key="qids_sr16",
    name="Quick Inventory of Depressive Symptomatology, Self-Report (QIDS-SR16)",
    version="scores-only definition 1",
    recall_period="past 7 days",
    respondent=Respondent.PATIENT,
    items=scores_only_items("qids_sr16", count=16, minimum=0, maximum=3),
    licence_note="Licence unclear: record item scores and totals only; no item text.",
    source="seeds",
    loinc_panel=None,
    loinc_total=None,
    bands=(
        Band("none", "None", 0, 5, "seeds", verify=True),
        Band("mild", "Mild", 6, 10, "seeds", verify=True),
        Band("moderate", "Moderate", 11, 15, "seeds", verify=True),
        Band("severe", "Severe", 16, 20, "seeds", verify=True),
        Band("very_severe", "Very severe", 21, 27, "seeds", verify=True),
    ),
    domains=(
        ScoringDomain("sleep", "Sleep (items 1-4, highest)", _ids(1, 2, 3, 4), "max"),
        ScoringDomain("sad_mood", "Item 5", _ids(5), "sum"),
        ScoringDomain("appetite_weight", "Appetite / weight (items 6-9, highest)", _ids(6, 7, 8, 9), "max"),
        ScoringDomain("concentration", "Item 10", _ids(10), "sum"),
        ScoringDomain("self_view", "Item 11", _ids(11), "sum"),
        ScoringDomain("death_suicide", "Item 12", _ids(12), "sum"),
        ScoringDomain("interest", "Item 13", _ids(13), "sum"),
        ScoringDomain("energy", "Item 14", _ids(14), "sum"),
        ScoringDomain("psychomotor", "Psychomotor (items 15-16, highest)", _ids(15, 16), "max"),
    ),
    has_item_text=False,
)
