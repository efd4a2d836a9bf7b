"""Every eligibility rule: its levels per route, its sources, and when it fires and does not."""

import dataclasses

import pytest

from ketamine_clinic.clinical.eligibility import (
    RULES,
    RULES_BY_ID,
    SETTINGS,
    TABLE_ROWS,
    AntidepressantTrial,
    BaselineVitals,
    Evaluation,
    Indication,
    Level,
    LiverDisease,
    MedicationClass,
    PresentingIndication,
    PriorTreatments,
    Status,
    TrialOutcome,
    evaluate_eligibility,
    resolve_policy,
)
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES

IV, IM, ESK, ORAL = Route.IV, Route.IM, Route.ESKETAMINE_NASAL, Route.ORAL_SUBLINGUAL
A, R, C, P = Level.ABSOLUTE, Level.RELATIVE, Level.CAUTION, Level.PREREQUISITE


def racemic(level):
    return {IV: level, IM: level, ORAL: level}


def every_route(level):
    return {IV: level, IM: level, ORAL: level, ESK: level}


# Levels written out from shared/CLINICAL.md s.2 (esketamine column | racemic column) and the
# clinic-policy and prerequisite rules, independently of the rule data.
EXPECTED_LEVELS = {
    "aneurysmal-vascular-disease-or-avm": {ESK: A, **racemic(R)},
    "intracerebral-hemorrhage-history": {ESK: A, **racemic(R)},
    "hypersensitivity-ketamine-esketamine": every_route(A),
    "uncontrolled-hypertension-or-cardiovascular-disease": {ESK: C, **racemic(R)},
    "pregnancy": every_route(R),
    "breastfeeding": {ESK: R, **racemic(C)},
    "psychosis-active": every_route(R),
    "psychosis-history": {ESK: C, **racemic(R)},
    "substance-use-disorder-or-ketamine-misuse": {ESK: C, **racemic(R)},
    "liver-disease-severe": {ESK: R, **racemic(A)},
    "liver-disease-moderate": racemic(C),
    "raised-intracranial-or-intraocular-pressure": {ESK: C, **racemic(R)},
    "cns-depressants": every_route(C),
    "psychostimulants-or-maois": every_route(C),
    "baseline-bp-above-review-threshold": every_route(R),
    "baseline-bp-above-caution-threshold": every_route(C),
    "baseline-heart-rate-above-caution-threshold": every_route(C),
    "substance-use-disorder-history": every_route(C),
    "bladder-symptoms": every_route(C),
    "mania-history": every_route(C),
    "seizure-disorder": every_route(C),
    "hyperthyroidism": every_route(C),
    "sleep-apnea": every_route(C),
    # CLINICAL.md s.2 "Age": esketamine is labelled for adults (not eligible under 18); racemic
    # routes under 18 need prescriber review (APA 2017 covers adults).
    "under-adult-age": every_route(R),
    "esketamine-outside-labelled-indication": {ESK: R},
    "treatment-resistance-not-documented": racemic(P),
    "ecg-if-cardiovascular-risk": racemic(P),
    "liver-tests-if-hepatic-dysfunction": racemic(P),
    "rems-enrollment": {ESK: P},
    "ride-home-arranged": every_route(P),
    "baseline-bp-recorded": every_route(P),
    "weight-recorded": racemic(P),
    "suicide-risk-assessment": every_route(P),
}


def test_every_rule_has_expected_levels_written_down():
    assert set(RULES_BY_ID) == set(EXPECTED_LEVELS)
    assert len(RULES_BY_ID) == len(RULES), "rule ids must be unique"


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_LEVELS))
def test_rule_levels_per_route_match_the_clinical_reference(rule_id):
    rule = RULES_BY_ID[rule_id]
    assert {route: rl.level for route, rl in rule.levels.items()} == EXPECTED_LEVELS[rule_id]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_cites_sources_that_exist_and_explains_itself(rule):
    assert rule.sources and all(source in SOURCES for source in rule.sources)
    assert all(rl.source in SOURCES for rl in rule.levels.values())
    assert len(rule.explanation) > 20 and rule.title


@pytest.mark.parametrize("rule", [r for r in RULES if CLINIC_POLICY in r.sources], ids=lambda r: r.id)
def test_clinic_policy_rules_say_so_to_staff(rule):
    assert "Clinic policy" in rule.explanation


def test_every_row_of_the_clinical_contraindication_table_is_a_rule():
    assert len(TABLE_ROWS) == 12  # rows of the shared/CLINICAL.md s.2 table
    for row, rule_ids in TABLE_ROWS.items():
        assert rule_ids, row
        assert all(rule_id in RULES_BY_ID for rule_id in rule_ids), row


@pytest.mark.parametrize("rule_id, source", [
    ("aneurysmal-vascular-disease-or-avm", "spravato-pi"),
    ("intracerebral-hemorrhage-history", "spravato-pi"),
    ("hypersensitivity-ketamine-esketamine", "spravato-pi"),
    ("pregnancy", "spravato-pi"),
    ("rems-enrollment", "spravato-rems"),
])
def test_esketamine_level_cites_the_label(rule_id, source):
    assert RULES_BY_ID[rule_id].levels[ESK].source == source


@pytest.mark.parametrize("rule_id", ["aneurysmal-vascular-disease-or-avm", "pregnancy", "psychosis-history",
                                     "liver-disease-severe", "ecg-if-cardiovascular-risk"])
def test_racemic_level_cites_asra_or_apa(rule_id):
    assert {RULES_BY_ID[rule_id].levels[route].source for route in (IV, IM, ORAL)} <= {"asra-2018", "apa-2017"}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_settings_cite_known_sources_and_clinic_policy_says_so(setting):
    assert setting.source in SOURCES
    assert setting.key.startswith("eligibility.")
    if setting.is_clinic_policy:
        assert "clinic policy" in setting.description.lower()
    if setting.minimum is not None:
        assert setting.minimum <= setting.default <= setting.maximum


# -- firing and not firing --------------------------------------------------------------------

def baseline_patient() -> Evaluation:
    """A patient no rule objects to: documented TRD, normal vitals, everything recorded."""
    return Evaluation(
        indications=(PresentingIndication(Indication.TREATMENT_RESISTANT_DEPRESSION, ("F33.2",)),),
        prior_treatments=PriorTreatments(antidepressant_trials=(
            AntidepressantTrial("sertraline", 150, 8, True, TrialOutcome.NO_RESPONSE, True),
            AntidepressantTrial("venlafaxine", 225, 8, True, TrialOutcome.NO_RESPONSE, True),
        )),
        baseline_vitals=BaselineVitals(120, 80, 70),
        weight_kg=70.0,
        ride_home_arranged=True,
        phq9_item9_baseline=0,
    )


def change(evaluation: Evaluation, **changes) -> Evaluation:
    """``change(e, medical_history__pregnant=True)`` replaces nested fields."""
    for dotted, value in changes.items():
        *parents, name = dotted.split("__")
        chain = [evaluation]
        for parent in parents:
            chain.append(getattr(chain[-1], parent))
        new = dataclasses.replace(chain[-1], **{name: value})
        for holder, parent in zip(reversed(chain[:-1]), reversed(parents)):
            new = dataclasses.replace(holder, **{parent: new})
        evaluation = new
    return evaluation


def test_only_rems_enrollment_fires_for_the_baseline_patient():
    policy = resolve_policy()
    fired = [rule.id for rule in RULES if rule.applies(baseline_patient().validate(), policy)]
    assert fired == ["rems-enrollment"]


MH = "medical_history__"
GAD_ONLY = (PresentingIndication(Indication.GAD, ("F41.1",)),)
ONE_TRIAL = PriorTreatments(antidepressant_trials=(
    AntidepressantTrial("sertraline", 150, 8, True, TrialOutcome.NO_RESPONSE, True),))

# (rule id, changes that make it fire, changes that come close but must not make it fire)
CASES = [
    ("under-adult-age", {"age_years": 17}, {"age_years": 18}),
    ("under-adult-age", {"age_years": 0}, {"age_years": None}),
    ("aneurysmal-vascular-disease-or-avm", {MH + "aneurysmal_vascular_disease_or_avm": True}, {}),
    ("intracerebral-hemorrhage-history", {MH + "intracerebral_hemorrhage_history": True}, {}),
    ("hypersensitivity-ketamine-esketamine", {MH + "hypersensitivity_to_ketamine_or_esketamine": True}, {}),
    ("uncontrolled-hypertension-or-cardiovascular-disease",
     {MH + "hypertension": True, MH + "hypertension_controlled": False},
     {MH + "hypertension": True, MH + "hypertension_controlled": True}),
    ("uncontrolled-hypertension-or-cardiovascular-disease",
     {MH + "cardiovascular_disease": True, MH + "cardiovascular_disease_poorly_controlled": True},
     {MH + "cardiovascular_disease": True, MH + "cardiovascular_disease_poorly_controlled": False}),
    ("pregnancy", {MH + "pregnant": True}, {MH + "breastfeeding": True}),
    ("breastfeeding", {MH + "breastfeeding": True}, {MH + "pregnant": True}),
    ("psychosis-active", {"psychiatric_history__psychosis": Status.ACTIVE},
     {"psychiatric_history__psychosis": Status.HISTORY}),
    ("psychosis-active", {"indications": (PresentingIndication(Indication.TREATMENT_RESISTANT_DEPRESSION, ("F33.3",)),)},
     {"indications": (PresentingIndication(Indication.TREATMENT_RESISTANT_DEPRESSION, ("F33.2",)),)}),
    ("psychosis-history", {"psychiatric_history__psychosis": Status.HISTORY},
     {"psychiatric_history__psychosis": Status.ACTIVE}),
    ("substance-use-disorder-or-ketamine-misuse", {"substance_use__substance_use_disorder": Status.ACTIVE},
     {"substance_use__substance_use_disorder": Status.HISTORY}),
    ("substance-use-disorder-or-ketamine-misuse", {"substance_use__ketamine_or_pcp_misuse": Status.HISTORY}, {}),
    ("substance-use-disorder-history", {"substance_use__substance_use_disorder": Status.HISTORY},
     {"substance_use__substance_use_disorder": Status.ACTIVE}),
    ("liver-disease-severe", {MH + "liver_disease": LiverDisease.SEVERE}, {MH + "liver_disease": LiverDisease.MODERATE}),
    ("liver-disease-moderate", {MH + "liver_disease": LiverDisease.MODERATE}, {MH + "liver_disease": LiverDisease.MILD}),
    ("raised-intracranial-or-intraocular-pressure", {MH + "raised_intracranial_pressure": True}, {}),
    ("raised-intracranial-or-intraocular-pressure", {MH + "raised_intraocular_pressure": True}, {}),
    ("cns-depressants", {"interacting_medications": (MedicationClass.BENZODIAZEPINE,)},
     {"interacting_medications": (MedicationClass.SSRI, MedicationClass.SNRI, MedicationClass.LAMOTRIGINE)}),
    ("cns-depressants", {"interacting_medications": (MedicationClass.OPIOID,)}, {}),
    ("cns-depressants", {"interacting_medications": (MedicationClass.Z_DRUG,)}, {}),
    ("cns-depressants", {"substance_use__regular_alcohol_use": True}, {}),
    ("psychostimulants-or-maois", {"interacting_medications": (MedicationClass.MAOI,)},
     {"interacting_medications": (MedicationClass.OTHER,)}),
    ("psychostimulants-or-maois", {"interacting_medications": (MedicationClass.PSYCHOSTIMULANT,)}, {}),
    ("baseline-bp-above-review-threshold", {"baseline_vitals": BaselineVitals(181, 90, 70)},
     {"baseline_vitals": BaselineVitals(180, 100, 70)}),
    ("baseline-bp-above-review-threshold", {"baseline_vitals": BaselineVitals(150, 101, 70)}, {}),
    ("baseline-bp-above-caution-threshold", {"baseline_vitals": BaselineVitals(141, 80, 70)},
     {"baseline_vitals": BaselineVitals(140, 90, 70)}),
    ("baseline-bp-above-caution-threshold", {"baseline_vitals": BaselineVitals(130, 91, 70)},
     {"baseline_vitals": BaselineVitals(190, 95, 70)}),  # above review: the review rule fires instead
    ("baseline-heart-rate-above-caution-threshold", {"baseline_vitals": BaselineVitals(120, 80, 111)},
     {"baseline_vitals": BaselineVitals(120, 80, 110)}),
    ("bladder-symptoms", {MH + "bladder_symptoms": True}, {}),
    ("mania-history", {"psychiatric_history__mania": Status.HISTORY}, {}),
    ("seizure-disorder", {MH + "seizures": True}, {}),
    ("hyperthyroidism", {MH + "hyperthyroidism": True}, {}),
    ("sleep-apnea", {MH + "sleep_apnea": True}, {}),
    ("esketamine-outside-labelled-indication", {"indications": GAD_ONLY},
     {"indications": (PresentingIndication(Indication.MDD_WITH_SUICIDAL_IDEATION, ("R45.851",)),),
      "prior_treatments": PriorTreatments()}),
    ("esketamine-outside-labelled-indication", {"prior_treatments": ONE_TRIAL}, {}),
    ("treatment-resistance-not-documented", {"prior_treatments": ONE_TRIAL},
     {"prior_treatments": ONE_TRIAL, "indications": GAD_ONLY}),
    ("ecg-if-cardiovascular-risk", {MH + "hypertension": True, MH + "hypertension_controlled": True}, {}),
    ("ecg-if-cardiovascular-risk", {MH + "cardiovascular_disease": True,
                                    MH + "cardiovascular_disease_poorly_controlled": False}, {}),
    ("liver-tests-if-hepatic-dysfunction", {MH + "liver_disease": LiverDisease.MILD}, {}),
    ("ride-home-arranged", {"ride_home_arranged": None}, {"ride_home_arranged": True}),
    ("ride-home-arranged", {"ride_home_arranged": False}, {}),
    ("baseline-bp-recorded", {"baseline_vitals": None}, {}),
    ("weight-recorded", {"weight_kg": None}, {}),
    ("suicide-risk-assessment", {"phq9_item9_baseline": 1}, {"phq9_item9_baseline": 0}),
    ("suicide-risk-assessment", {"indications": (PresentingIndication(Indication.MDD_WITH_SUICIDAL_IDEATION),)},
     {"phq9_item9_baseline": None}),
]


def test_every_rule_has_a_firing_case():
    assert {case[0] for case in CASES} | {"rems-enrollment"} == set(RULES_BY_ID)


@pytest.mark.parametrize("rule_id, firing, _", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_and_shows_on_each_of_its_routes_at_its_level(rule_id, firing, _):
    evaluation = change(baseline_patient(), **firing)
    rule = RULES_BY_ID[rule_id]
    assert rule.applies(evaluation.validate(), resolve_policy())
    result = evaluate_eligibility(evaluation)
    for route in Route:
        levels = {r.level for r in result[route].reasons if r.rule_id == rule_id}
        assert levels == ({rule.levels[route].level} if route in rule.levels else set()), route


@pytest.mark.parametrize("rule_id, _, near_miss", CASES, ids=[c[0] for c in CASES])
def test_rule_does_not_fire_without_its_condition(rule_id, _, near_miss):
    evaluation = change(baseline_patient(), **near_miss).validate()
    assert not RULES_BY_ID[rule_id].applies(evaluation, resolve_policy())
    assert all(rule_id not in evaluate_eligibility(evaluation)[route].rule_ids for route in Route)


def test_rems_enrollment_is_always_a_prerequisite_for_esketamine_only():
    result = evaluate_eligibility(baseline_patient())
    assert [r.rule_id for r in result[ESK].prerequisites] == ["rems-enrollment"]
    assert all("rems-enrollment" not in result[route].rule_ids for route in (IV, IM, ORAL))
