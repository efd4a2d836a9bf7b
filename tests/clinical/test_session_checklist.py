"""Pre-dose checklist: every hard stop fires when its fact is missing or wrong, and not otherwise."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import (
    ChecklistFacts, ChecklistInputError, ItemStatus, MeasureDue, PregnancyTest, SuicideScreen, VitalSigns,
    evaluate_checklist,
)
from ketamine_clinic.clinical.sources import SOURCES

NOW = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)
GOOD_VITALS = VitalSigns(systolic_mmhg=124, diastolic_mmhg=78, heart_rate_per_min=72, spo2_percent=98,
                         respiratory_rate_per_min=14)


def good_facts(**changes) -> ChecklistFacts:
    facts = ChecklistFacts(
        checked_at=NOW,
        may_treat_today=True,
        rems_enrolled=True,
        dose_is_weight_based=True,
        weight_today_kg=D("70.2"),
        predose_vitals=GOOD_VITALS,
        last_food_at=NOW - timedelta(hours=6),
        last_liquid_at=NOW - timedelta(hours=3),
        ride_home_confirmed=True,
        can_become_pregnant=True,
        pregnancy_test=PregnancyTest.NEGATIVE,
        measures_due=(MeasureDue("phq9", "PHQ-9", done=True), MeasureDue("cssrs", "C-SSRS", done=True)),
    )
    return replace(facts, **changes)


def status(result, key):
    return next(i for i in result.items if i.key == key).status


@pytest.mark.parametrize("route", list(Route))
def test_all_good_facts_may_dose(route):
    result = evaluate_checklist(route, good_facts())
    assert result.may_dose
    assert not result.blocking
    assert all(i.source in SOURCES for i in result.items)


HARD_STOPS = [
    ("may_treat_today", dict(may_treat_today=False, may_treat_reasons=("eligibility expired",))),
    ("may_treat_today", dict(may_treat_today=None)),
    ("weight_today", dict(weight_today_kg=None)),
    ("blood_pressure", dict(predose_vitals=replace(GOOD_VITALS, systolic_mmhg=181, diastolic_mmhg=90))),
    ("blood_pressure", dict(predose_vitals=replace(GOOD_VITALS, systolic_mmhg=150, diastolic_mmhg=101))),
    ("blood_pressure", dict(predose_vitals=VitalSigns(heart_rate_per_min=72, spo2_percent=98,
                                                      respiratory_rate_per_min=14))),
    ("heart_rate", dict(predose_vitals=replace(GOOD_VITALS, heart_rate_per_min=111))),
    ("heart_rate", dict(predose_vitals=replace(GOOD_VITALS, heart_rate_per_min=None))),
    ("spo2", dict(predose_vitals=replace(GOOD_VITALS, spo2_percent=91))),
    ("spo2", dict(predose_vitals=replace(GOOD_VITALS, spo2_percent=None))),
    ("respiratory_rate", dict(predose_vitals=replace(GOOD_VITALS, respiratory_rate_per_min=9))),
    ("respiratory_rate", dict(predose_vitals=replace(GOOD_VITALS, respiratory_rate_per_min=25))),
    ("respiratory_rate", dict(predose_vitals=replace(GOOD_VITALS, respiratory_rate_per_min=None))),
    ("fasting_food", dict(last_food_at=None)),
    ("fasting_liquids", dict(last_liquid_at=None)),
    ("ride_home", dict(ride_home_confirmed=False)),
    ("ordering_prescriber", dict(ordering_prescriber_block="Dr A cannot sign orders: DEA registration expired")),
    ("measure:phq9", dict(measures_due=(MeasureDue("phq9", "PHQ-9"),))),
    ("measure:cssrs", dict(measures_due=(MeasureDue("cssrs", "C-SSRS", deferred_reason="  "),))),
]


@pytest.mark.parametrize("route", [Route.IV, Route.ESKETAMINE_NASAL])
@pytest.mark.parametrize("key, changes", HARD_STOPS)
def test_hard_stop_fires_and_blocks_dosing(route, key, changes):
    result = evaluate_checklist(route, good_facts(**changes))
    assert status(result, key) is ItemStatus.HARD_STOP
    assert not result.may_dose
    assert next(i for i in result.items if i.key == key).message


def test_not_cleared_shows_the_reasons():
    result = evaluate_checklist("iv", good_facts(may_treat_today=False, may_treat_reasons=("eligibility expired",)))
    assert "eligibility expired" in next(i for i in result.items if i.key == "may_treat_today").message


@pytest.mark.parametrize("enrolled, expected", [(True, ItemStatus.OK), (False, ItemStatus.HARD_STOP),
                                                (None, ItemStatus.HARD_STOP)])
def test_rems_enrollment_hard_stop_for_esketamine(enrolled, expected):
    result = evaluate_checklist(Route.ESKETAMINE_NASAL, good_facts(rems_enrolled=enrolled))
    assert status(result, "rems_enrollment") is expected
    assert result.may_dose is (expected is ItemStatus.OK)


def test_rems_enrollment_not_applicable_for_iv():
    result = evaluate_checklist(Route.IV, good_facts(rems_enrolled=None))
    assert status(result, "rems_enrollment") is ItemStatus.NOT_APPLICABLE
    assert result.may_dose


def test_weight_not_needed_for_fixed_dose():
    result = evaluate_checklist(Route.ESKETAMINE_NASAL, good_facts(dose_is_weight_based=False, weight_today_kg=None))
    assert status(result, "weight_today") is ItemStatus.NOT_APPLICABLE
    assert result.may_dose


@pytest.mark.parametrize(
    "sbp, dbp, documented, expected",
    [
        (140, 90, False, ItemStatus.OK),
        (141, 88, False, ItemStatus.NEEDS_DECISION),
        (138, 91, False, ItemStatus.NEEDS_DECISION),
        (150, 95, True, ItemStatus.OK),
        (180, 100, True, ItemStatus.OK),
        (181, 95, True, ItemStatus.HARD_STOP),  # over the clinic hold limit: a decision does not help
    ],
)
def test_esketamine_bp_above_140_90_needs_documented_decision(sbp, dbp, documented, expected):
    facts = good_facts(predose_vitals=replace(GOOD_VITALS, systolic_mmhg=sbp, diastolic_mmhg=dbp),
                       bp_risk_benefit_documented=documented)
    result = evaluate_checklist(Route.ESKETAMINE_NASAL, facts)
    assert status(result, "blood_pressure") is expected
    assert result.may_dose is (expected is ItemStatus.OK)


def test_iv_bp_150_95_needs_no_decision():
    facts = good_facts(predose_vitals=replace(GOOD_VITALS, systolic_mmhg=150, diastolic_mmhg=95))
    assert evaluate_checklist(Route.IV, facts).may_dose


def test_clinic_hold_limit_is_configurable():
    facts = good_facts(predose_vitals=replace(GOOD_VITALS, systolic_mmhg=170, diastolic_mmhg=85))
    result = evaluate_checklist(Route.IV, facts, policy={"session.predose.hold_systolic_mmhg": 160})
    assert status(result, "blood_pressure") is ItemStatus.HARD_STOP
    item = next(i for i in result.items if i.key == "blood_pressure")
    assert item.source == "clinic-policy" and "clinic policy" not in item.message  # the source is shown once, beside it
    assert "systolic is above the clinic hold limit of 160 mmHg" in item.message


@pytest.mark.parametrize(
    "food_min_ago, liquid_min_ago, food, liquids",
    [
        (120, 30, ItemStatus.OK, ItemStatus.OK),  # Spravato PI: 2 h food, 30 min liquids
        (119, 30, ItemStatus.HARD_STOP, ItemStatus.OK),
        (120, 29, ItemStatus.OK, ItemStatus.HARD_STOP),
    ],
)
def test_esketamine_fasting_edges(food_min_ago, liquid_min_ago, food, liquids):
    facts = good_facts(last_food_at=NOW - timedelta(minutes=food_min_ago),
                       last_liquid_at=NOW - timedelta(minutes=liquid_min_ago))
    result = evaluate_checklist(Route.ESKETAMINE_NASAL, facts)
    assert status(result, "fasting_food") is food
    assert status(result, "fasting_liquids") is liquids
    assert next(i for i in result.items if i.key == "fasting_food").source == "spravato-pi"


def test_esketamine_fasting_wait_message_says_how_long():
    result = evaluate_checklist(Route.ESKETAMINE_NASAL, good_facts(last_food_at=NOW - timedelta(minutes=100)))
    assert "wait 20 more min" in next(i for i in result.items if i.key == "fasting_food").message


def test_iv_fasting_is_clinic_policy_and_configurable():
    facts = good_facts(last_food_at=NOW - timedelta(minutes=180))
    assert status(evaluate_checklist(Route.IV, facts), "fasting_food") is ItemStatus.HARD_STOP  # default 240 min
    relaxed = evaluate_checklist(Route.IV, facts, policy={"session.fasting.iv.food_min": 120})
    assert status(relaxed, "fasting_food") is ItemStatus.OK
    assert next(i for i in relaxed.items if i.key == "fasting_food").source == "clinic-policy"


def test_oral_fasting_not_required_by_default():
    result = evaluate_checklist(Route.ORAL_SUBLINGUAL, good_facts(last_food_at=None, last_liquid_at=None))
    assert status(result, "fasting_food") is ItemStatus.NOT_APPLICABLE
    assert result.may_dose


def test_esketamine_fasting_cannot_be_shortened_below_label():
    from ketamine_clinic.clinical.session import PolicyValueError
    with pytest.raises(PolicyValueError):
        evaluate_checklist(Route.ESKETAMINE_NASAL, good_facts(),
                           policy={"session.fasting.esketamine_nasal.food_min": 60})


REQUIRE_TEST = {"session.predose.pregnancy_test_required": True}


@pytest.mark.parametrize(
    "policy, can_become_pregnant, test, expected",
    [
        (None, True, None, ItemStatus.NOT_APPLICABLE),
        (REQUIRE_TEST, False, None, ItemStatus.NOT_APPLICABLE),
        (REQUIRE_TEST, True, PregnancyTest.NEGATIVE, ItemStatus.OK),
        (REQUIRE_TEST, True, None, ItemStatus.HARD_STOP),
        (REQUIRE_TEST, True, PregnancyTest.POSITIVE, ItemStatus.HARD_STOP),
        (REQUIRE_TEST, None, None, ItemStatus.HARD_STOP),
    ],
)
def test_pregnancy_test_where_clinic_requires_it(policy, can_become_pregnant, test, expected):
    facts = good_facts(can_become_pregnant=can_become_pregnant, pregnancy_test=test)
    result = evaluate_checklist(Route.IV, facts, policy=policy)
    assert status(result, "pregnancy_test") is expected


def test_measure_deferred_with_reason_does_not_block():
    facts = good_facts(measures_due=(MeasureDue("phq9", "PHQ-9", deferred_reason="patient too distressed; clinician "
                                                                                  "interview instead"),))
    result = evaluate_checklist(Route.IV, facts)
    assert status(result, "measure:phq9") is ItemStatus.OK
    assert "deferred" in next(i for i in result.items if i.key == "measure:phq9").message


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(checked_at=datetime(2025, 3, 10, 14, 0)), "checked_at"),
        (dict(weight_today_kg=D(-70)), "weight_today_kg"),
        (dict(weight_today_kg=D(700)), "weight_today_kg"),
        (dict(last_food_at=NOW + timedelta(minutes=5)), "last_food_at"),
        (dict(last_liquid_at=datetime(2025, 3, 10, 12, 0)), "last_liquid_at"),
        (dict(pregnancy_test="maybe"), "pregnancy_test"),
        (dict(may_treat_today="yes"), "may_treat_today"),
        (dict(may_treat_reasons=None), "may_treat_reasons"),
        (dict(measures_due=None), "measures_due"),
        (dict(predose_vitals={"systolic_mmhg": 120}), "predose_vitals"),
    ],
)
def test_malformed_facts_refused_with_field(changes, field):
    with pytest.raises(ChecklistInputError) as err:
        evaluate_checklist(Route.IV, good_facts(**changes), policy=REQUIRE_TEST)
    assert err.value.field == field


DEFERRED_CSSRS = (MeasureDue("cssrs", "C-SSRS", deferred_reason="Asked verbally"),)


@pytest.mark.parametrize("screen, expected", [
    (SuicideScreen(), {}),
    (SuicideScreen(positive_screen="PHQ-9 item 9"),
     {"suicide_risk_assessment": ItemStatus.HARD_STOP, "suicide_risk_alert": ItemStatus.OK}),
    (SuicideScreen(positive_screen="PHQ-9 item 9", open_alerts=1),
     {"suicide_risk_assessment": ItemStatus.HARD_STOP, "suicide_risk_alert": ItemStatus.HARD_STOP}),
    (SuicideScreen(open_alerts=2), {"suicide_risk_alert": ItemStatus.HARD_STOP}),
    (SuicideScreen(cssrs_positive=True, cssrs_risk_level="low"),
     {"suicide_risk_assessment": ItemStatus.OK, "suicide_risk_alert": ItemStatus.OK}),
    (SuicideScreen(cssrs_positive=True, cssrs_risk_level="high", high_risk_pending=True),
     {"suicide_risk_assessment": ItemStatus.OK, "suicide_risk_alert": ItemStatus.OK,
      "cssrs_high_risk": ItemStatus.NEEDS_DECISION}),
    (SuicideScreen(cssrs_positive=True, cssrs_risk_level="high", high_risk_cleared=True),
     {"suicide_risk_assessment": ItemStatus.OK, "suicide_risk_alert": ItemStatus.OK,
      "cssrs_high_risk": ItemStatus.OK}),
], ids=["none", "screen-positive", "screen-positive-alert-open", "old-alert-open", "cssrs-low", "cssrs-high",
        "cssrs-high-cleared"])
def test_a_positive_suicide_screen_replaces_the_deferrable_cssrs_with_hard_stops(screen, expected):
    result = evaluate_checklist(Route.IV, good_facts(measures_due=DEFERRED_CSSRS, suicide_screen=screen))
    items = {i.key: i.status for i in result.items}
    suicide = {k: v for k, v in items.items() if k in ("suicide_risk_assessment", "suicide_risk_alert", "cssrs_high_risk")}
    assert suicide == expected
    # The deferral counts only while nothing screened positive.
    assert ("measure:cssrs" in items) is (not screen.requires_cssrs)
    assert result.may_dose is all(v is ItemStatus.OK for v in expected.values())


@pytest.mark.parametrize("route, systolic, diastolic, expected", [
    (Route.IV, 168, 104, "BP 168/104 mmHg: diastolic is above the clinic hold limit of 100 mmHg: do not dose"),
    (Route.IV, 190, 95, "BP 190/95 mmHg: systolic is above the clinic hold limit of 180 mmHg: do not dose"),
    (Route.IV, 190, 104, "BP 190/104 mmHg: systolic is above the clinic hold limit of 180 mmHg and diastolic above "
                         "100 mmHg: do not dose"),
    (Route.ESKETAMINE_NASAL, 132, 94, "BP 132/94 mmHg: diastolic is above the esketamine decision limit of 90 mmHg: "
                                      "the prescriber must document a risk–benefit decision before dosing"),
])
def test_a_bp_hold_message_names_the_value_over_its_limit_once(route, systolic, diastolic, expected):
    facts = good_facts(predose_vitals=replace(GOOD_VITALS, systolic_mmhg=systolic, diastolic_mmhg=diastolic))
    item = next(i for i in evaluate_checklist(route, facts).items if i.key == "blood_pressure")
    assert item.message == expected
