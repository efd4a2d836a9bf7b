"""Pain intensity numeric rating scale, 0-10 (one item).

Free to use. The NRS has no single canonical wording; the text below is the usual verbal form with
the 0 and 10 anchors. LOINC 72514-3 (shared/CLINICAL.md s.4, source "loinc"). No severity bands
are listed in shared/CLINICAL.md, so none are defined.
"""

from ..model import AnswerOption, Instrument, Item, Respondent

_ANCHORS = {0: "0 \u2014 No pain", 10: "10 \u2014 Worst pain imaginable"}

PAIN_NRS = Instrument(
    key="pain_nrs",
    name="Pain numeric rating scale (NRS 0-10)",
    version="definition 1",
    recall_period="now",
    respondent=Respondent.PATIENT,
    instructions=None,
    items=(
        Item(
            link_id="pain_nrs-1",
            text=(
                "On a scale from 0 to 10, where 0 is no pain and 10 is the worst pain "
                "imaginable, how much pain do you have right now?"
            ),
            label="Pain now (0-10)",
            loinc="72514-3",  # source "loinc"
            options=tuple(AnswerOption(value=v, label=_ANCHORS.get(v, str(v))) for v in range(11)),
        ),
    ),
    licence_note="Free to use.",
    source="asra-2018",  # pain intensity as an outcome of ketamine for chronic pain
    loinc_panel=None,
    loinc_total="72514-3",  # the single item is the score; source "loinc"
    bands=(),
)
