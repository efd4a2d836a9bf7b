"""Scoring: totals, band edges, item flags, C-SSRS triage, domain scoring."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.instruments import INSTRUMENTS, AnswerValidationError, RiskLevel, score
from ketamine_clinic.clinical.instruments.errors import SettingValueError


def answers_with_total(key: str, total: int, avoid: tuple[str, ...] = ()) -> dict[str, int]:
    """Fill scored items up to their maximum, in order, until ``total`` is reached (sum-scored)."""
    instrument = INSTRUMENTS[key]
    answers = {}
    items = sorted(instrument.scored_items, key=lambda it: it.link_id in avoid)
    remaining = total
    for item in items:
        value = min(item.max_value, remaining)
        answers[item.link_id] = value
        remaining -= value
    assert remaining == 0
    return answers


BAND_EDGES = [
    ("phq9", 0, "none"), ("phq9", 4, "none"), ("phq9", 5, "mild"), ("phq9", 9, "mild"),
    ("phq9", 10, "moderate"), ("phq9", 14, "moderate"), ("phq9", 15, "moderately_severe"),
    ("phq9", 19, "moderately_severe"), ("phq9", 20, "severe"), ("phq9", 27, "severe"),
    ("gad7", 4, "minimal"), ("gad7", 5, "mild"), ("gad7", 9, "mild"), ("gad7", 10, "moderate"),
    ("gad7", 14, "moderate"), ("gad7", 15, "severe"), ("gad7", 21, "severe"),
    ("pcl5", 32, "below_cutpoint"), ("pcl5", 33, "probable_ptsd"), ("pcl5", 80, "probable_ptsd"),
    ("madrs", 6, "normal"), ("madrs", 7, "mild"), ("madrs", 19, "mild"), ("madrs", 20, "moderate"),
    ("madrs", 34, "moderate"), ("madrs", 35, "severe"), ("madrs", 60, "severe"),
    ("cadss", 4, "below_threshold"), ("cadss", 5, "dissociation"), ("cadss", 92, "dissociation"),
    ("ybocs", 7, "subclinical"), ("ybocs", 8, "mild"), ("ybocs", 15, "mild"), ("ybocs", 16, "moderate"),
    ("ybocs", 23, "moderate"), ("ybocs", 24, "severe"), ("ybocs", 31, "severe"), ("ybocs", 32, "extreme"),
    ("ybocs", 40, "extreme"),
]


@pytest.mark.parametrize("key, total, band", BAND_EDGES)
def test_total_falls_in_band_at_each_edge(key, total, band):
    result = score(key, answers_with_total(key, total, avoid=("phq9-9",)))
    assert result.total == total
    assert result.band == band


@pytest.mark.parametrize(
    "total, band",
    [(5, "none"), (6, "mild"), (10, "mild"), (11, "moderate"), (15, "moderate"), (16, "severe"),
     (20, "severe"), (21, "very_severe"), (27, "very_severe")],
)
def test_qids_band_edges(total, band):
    # Nine domains, max 3 each: give domain items their share, one item per domain.
    answers = {f"qids_sr16-{n}": 0 for n in range(1, 17)}
    remaining = total
    for first_item in (1, 5, 6, 10, 11, 12, 13, 14, 15):
        value = min(3, remaining)
        answers[f"qids_sr16-{first_item}"] = value
        remaining -= value
    result = score("qids_sr16", answers)
    assert (result.total, result.band) == (total, band)


def test_qids_domains_take_the_highest_item_not_the_sum():
    answers = {f"qids_sr16-{n}": 0 for n in range(1, 17)}
    answers.update({"qids_sr16-1": 2, "qids_sr16-3": 3, "qids_sr16-4": 1, "qids_sr16-6": 1, "qids_sr16-9": 2,
                    "qids_sr16-15": 1, "qids_sr16-16": 1, "qids_sr16-5": 2})
    result = score("qids_sr16", answers)
    assert result.subscores["sleep"] == 3
    assert result.subscores["appetite_weight"] == 2
    assert result.subscores["psychomotor"] == 1
    assert result.total == 3 + 2 + 2 + 1


def test_cadss_reports_cadss6_subscore():
    answers = {f"cadss-{n}": 1 for n in range(1, 24)}
    answers["cadss-22"] = 4
    result = score("cadss", answers)
    assert result.total == 26
    assert result.subscores["cadss6"] == 9


def test_cadss6_alone_scores_0_to_24_without_band():
    result = score("cadss6", {link_id: 4 for link_id in INSTRUMENTS["cadss6"].link_ids})
    assert result.total == 24 and result.band is None


def test_pain_nrs_scores_the_single_item():
    result = score("pain_nrs", {"pain_nrs-1": 7})
    assert result.total == 7 and result.band is None and result.loinc_total == "72514-3"


def test_phq9_item9_positive_raises_flag_and_suicide_risk():
    answers = answers_with_total("phq9", 0)
    answers["phq9-9"] = 1
    result = score("phq9", answers)
    assert result.suicide_risk is True
    assert [f.flag for f in result.item_flags] == ["phq9_item9_positive"]
    assert result.item_flags[0].value == 1
    assert result.risk_level is None  # the level comes from the C-SSRS that must follow


def test_phq9_item9_zero_raises_no_flag_even_at_severe_total():
    result = score("phq9", answers_with_total("phq9", 24, avoid=("phq9-9",)))
    assert result.band == "severe"
    assert result.suicide_risk is False and result.item_flags == ()


def test_phq9_item10_is_not_added_to_the_total():
    answers = answers_with_total("phq9", 3, avoid=("phq9-9",))
    answers["phq9-10"] = 3
    assert score("phq9", answers).total == 3


def test_score_carries_recall_period_and_loinc_total():
    result = score("gad7", answers_with_total("gad7", 3))
    assert result.recall_period == "past 2 weeks"
    assert result.loinc_total == "70274-6"


def cssrs(**yes: bool) -> dict[str, bool]:
    answers = {"cssrs-1": False, "cssrs-2": False, "cssrs-6": False}
    answers.update({f"cssrs-{k.removeprefix('q')}": v for k, v in yes.items()})
    if answers["cssrs-2"]:
        for n in (3, 4, 5):
            answers.setdefault(f"cssrs-{n}", False)
    return answers


@pytest.mark.parametrize(
    "answers, level",
    [
        (cssrs(), RiskLevel.NONE),
        (cssrs(q1=True), RiskLevel.LOW),
        (cssrs(q1=True, q2=True), RiskLevel.LOW),
        (cssrs(q2=True, q3=True), RiskLevel.MODERATE),
        (cssrs(q2=True, q4=True), RiskLevel.HIGH),
        (cssrs(q2=True, q5=True), RiskLevel.HIGH),
        (cssrs(q2=True, q3=True, q4=True, q5=True), RiskLevel.HIGH),
        (cssrs(q6=True, q6a=True), RiskLevel.HIGH),
        (cssrs(q6=True, q6a=False), RiskLevel.MODERATE),
        (cssrs(q1=True, q6=True, q6a=True), RiskLevel.HIGH),
    ],
)
def test_cssrs_triage_level(answers, level):
    result = score("cssrs", answers)
    assert result.risk_level is level
    assert result.total is None and result.band is None
    assert result.suicide_risk is (level is not RiskLevel.NONE)


def test_cssrs_any_yes_means_suicide_risk():
    for link_id in ("cssrs-1", "cssrs-2", "cssrs-6"):
        answers = cssrs()
        answers[link_id] = True
        if link_id == "cssrs-2":
            answers.update({"cssrs-3": False, "cssrs-4": False, "cssrs-5": False})
        if link_id == "cssrs-6":
            answers["cssrs-6a"] = False
        assert score("cssrs", answers).suicide_risk is True


def test_cssrs_reasons_name_the_answers():
    result = score("cssrs", cssrs(q2=True, q4=True))
    assert any("Q4" in r and "high" in r for r in result.risk_reasons)


@pytest.mark.parametrize("cutoff, total, band", [(31, 31, "probable_ptsd"), (31, 30, "below_cutpoint"), (33, 32, "below_cutpoint")])
def test_pcl5_cutoff_is_a_clinic_setting(cutoff, total, band):
    settings = {"instruments.pcl5.probable_ptsd_min_total": cutoff}
    assert score("pcl5", answers_with_total("pcl5", total), settings=settings).band == band


@pytest.mark.parametrize("bad", [30, 34, "33", None, float("nan")])
def test_pcl5_cutoff_outside_published_range_is_rejected(bad):
    with pytest.raises(SettingValueError) as exc:
        score("pcl5", answers_with_total("pcl5", 10), settings={"instruments.pcl5.probable_ptsd_min_total": bad})
    assert exc.value.field == "instruments.pcl5.probable_ptsd_min_total"


def test_score_refuses_incomplete_answers():
    with pytest.raises(AnswerValidationError) as exc:
        score("phq9", {"phq9-1": 1})
    assert "phq9-2" in exc.value.errors


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_phq9_total_is_sum_of_items_and_always_banded(values):
    answers = {f"phq9-{n}": v for n, v in enumerate(values, start=1)}
    result = score("phq9", answers)
    assert result.total == sum(values)
    band = INSTRUMENTS["phq9"].band_for(result.total)
    assert result.band == band.key
    assert result.suicide_risk is (values[8] >= 1)


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=16, max_size=16))
def test_qids_total_is_within_0_to_27(values):
    result = score("qids_sr16", {f"qids_sr16-{n}": v for n, v in enumerate(values, start=1)})
    assert 0 <= result.total <= 27
    assert result.total == sum(result.subscores.values())


@pytest.mark.parametrize(
    ("key", "answers", "expected"),
    [
        ("phq9", {f"phq9-{n}": 0 for n in range(1, 9)} | {"phq9-9": 2}, [("Item 9", "More than half the days (2)")]),
        ("phq9", {f"phq9-{n}": 3 for n in range(1, 9)} | {"phq9-9": 0}, []),
        ("cssrs", {"cssrs-1": True, "cssrs-2": False, "cssrs-6": False}, [("1. Wish to be dead", "Yes")]),
        ("cssrs", {"cssrs-1": False, "cssrs-2": False, "cssrs-6": True, "cssrs-6a": True},
         [("6. Suicidal behavior (lifetime)", "Yes"), ("6a. Suicidal behavior in the past 3 months", "Yes")]),
    ],
)
def test_risk_answers_name_the_positive_items_in_words(key, answers, expected):
    from ketamine_clinic.clinical.instruments import risk_answers

    assert [(a.label, a.answer) for a in risk_answers(key, answers)] == expected
