"""Instrument definitions: shape, codes, licences and cited sources."""

import pytest

from ketamine_clinic.clinical.instruments import INSTRUMENTS, SETTINGS, Respondent, get_instrument
from ketamine_clinic.clinical.instruments.errors import UnknownInstrumentError
from ketamine_clinic.clinical.sources import SOURCES

REQUIRED_KEYS = ("phq9", "gad7", "pcl5", "cssrs", "pain_nrs", "madrs", "cadss", "ybocs", "qids_sr16")
SCORES_ONLY = ("madrs", "cadss", "cadss6", "ybocs", "qids_sr16")


def test_all_required_instruments_are_defined():
    assert set(REQUIRED_KEYS) <= set(INSTRUMENTS)


@pytest.mark.parametrize(
    "key, items, item_min, item_max, total_max",
    [
        ("phq9", 9, 0, 3, 27),
        ("gad7", 7, 0, 3, 21),
        ("pcl5", 20, 0, 4, 80),
        ("pain_nrs", 1, 0, 10, 10),
        ("madrs", 10, 0, 6, 60),
        ("cadss", 23, 0, 4, 92),
        ("cadss6", 6, 0, 4, 24),
        ("ybocs", 10, 0, 4, 40),
        ("qids_sr16", 16, 0, 3, 27),
    ],
)
def test_item_count_range_and_total_range_match_clinical_reference(key, items, item_min, item_max, total_max):
    instrument = INSTRUMENTS[key]
    scored = instrument.scored_items
    assert len(scored) == items
    assert {it.min_value for it in scored} == {item_min}
    assert {it.max_value for it in scored} == {item_max}
    assert instrument.total_min == 0
    assert instrument.total_max == total_max


def test_phq9_has_unscored_optional_difficulty_item_10():
    item10 = INSTRUMENTS["phq9"].item("phq9-10")
    assert not item10.scored and not item10.required


@pytest.mark.parametrize(
    "key, loincs",
    [
        ("phq9", ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]),
        ("gad7", ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]),
        ("cssrs", ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9"]),
    ],
)
def test_item_loinc_codes_in_order(key, loincs):
    assert [it.loinc for it in INSTRUMENTS[key].items if it.loinc] == loincs


@pytest.mark.parametrize(
    "key, panel, total",
    [
        ("phq9", "44249-1", "44261-6"),
        ("gad7", "69737-5", "70274-6"),
        ("pcl5", "101697-1", "101698-9"),
        ("cssrs", "93373-9", None),
        ("pain_nrs", None, "72514-3"),
        ("madrs", None, None),
    ],
)
def test_panel_and_total_loinc_codes(key, panel, total):
    assert (INSTRUMENTS[key].loinc_panel, INSTRUMENTS[key].loinc_total) == (panel, total)


def test_phq9_answer_codes_are_the_loinc_frequency_answers():
    options = INSTRUMENTS["phq9"].item("phq9-1").options
    assert [(o.value, o.loinc) for o in options] == [
        (0, "LA6568-5"), (1, "LA6569-3"), (2, "LA6570-1"), (3, "LA6571-9"),
    ]


@pytest.mark.parametrize("key", SCORES_ONLY)
def test_licensed_scales_carry_no_item_text_or_option_wording(key):
    instrument = INSTRUMENTS[key]
    assert not instrument.has_item_text
    assert instrument.instructions is None
    for item in instrument.items:
        assert item.text is None
        assert item.label.startswith("Item ")
        assert all(o.label is None for o in item.options)


@pytest.mark.parametrize("key", ("phq9", "gad7", "pcl5", "cssrs", "pain_nrs"))
def test_free_instruments_carry_item_text(key):
    assert all(item.text for item in INSTRUMENTS[key].items)


def test_cssrs_carries_columbia_attribution():
    assert "Columbia" in INSTRUMENTS["cssrs"].attribution
    assert "unmodified" in INSTRUMENTS["cssrs"].licence_note


@pytest.mark.parametrize(
    "key, respondent, recall",
    [
        ("phq9", Respondent.PATIENT, "past 2 weeks"),
        ("gad7", Respondent.PATIENT, "past 2 weeks"),
        ("pcl5", Respondent.PATIENT, "past month"),
        ("madrs", Respondent.CLINICIAN, "past week"),
        ("qids_sr16", Respondent.PATIENT, "past 7 days"),
    ],
)
def test_respondent_and_recall_period(key, respondent, recall):
    assert INSTRUMENTS[key].respondent is respondent
    assert INSTRUMENTS[key].recall_period == recall


def test_cadss6_is_items_1_2_6_7_15_22_of_the_cadss():
    assert INSTRUMENTS["cadss6"].link_ids == ("cadss-1", "cadss-2", "cadss-6", "cadss-7", "cadss-15", "cadss-22")
    assert INSTRUMENTS["cadss"].subscales[0].link_ids == INSTRUMENTS["cadss6"].link_ids


@pytest.mark.parametrize("key", sorted(k for k, i in INSTRUMENTS.items() if i.bands))
def test_bands_are_contiguous_and_cover_the_total_range(key):
    instrument = INSTRUMENTS[key]
    edges = [(b.minimum, b.maximum) for b in instrument.bands]
    assert edges[0][0] == instrument.total_min
    assert edges[-1][1] == instrument.total_max
    for (_, prev_max), (next_min, _) in zip(edges, edges[1:]):
        assert next_min == prev_max + 1


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_every_cited_source_exists(key):
    instrument = INSTRUMENTS[key]
    cited = [instrument.source]
    cited += [b.source for b in instrument.bands]
    cited += [a.source for a in instrument.item_alerts]
    cited += [r.source for r in instrument.triage_rules + instrument.skip_rules]
    cited += [s.source for s in instrument.subscales]
    assert cited and all(c in SOURCES for c in cited)


def test_every_setting_cites_an_existing_source_and_default_is_within_bounds():
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    for s in SETTINGS:
        assert s.source in SOURCES
        assert s.minimum is None or s.default >= s.minimum
        assert s.maximum is None or s.default <= s.maximum


def test_clinic_policy_settings_say_so():
    for s in SETTINGS:
        if s.is_clinic_policy:
            assert "clinic policy" in s.description.lower()


def test_unknown_instrument_raises_with_field():
    with pytest.raises(UnknownInstrumentError) as exc:
        get_instrument("beck")
    assert exc.value.field == "instrument_key"
    assert isinstance(exc.value, ValueError)


def test_link_ids_are_unique_within_each_instrument():
    for instrument in INSTRUMENTS.values():
        assert len(set(instrument.link_ids)) == len(instrument.link_ids)
