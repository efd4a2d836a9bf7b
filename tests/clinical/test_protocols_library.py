"""The shipped protocol library: numbers match shared/CLINICAL.md s.1 and every rule cites a source."""

from decimal import Decimal

import pytest

from ketamine_clinic.clinical.protocols import (
    PROTOCOLS,
    SETTINGS,
    DoseUnit,
    MeasureWhen,
    ProtocolError,
    RelativeTo,
    TherapyKind,
    TitrationCondition,
    get_protocol,
    protocol_errors,
    titration_for,
)
from ketamine_clinic.clinical.protocols import library
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES

ALL = sorted(PROTOCOLS.values(), key=lambda p: p.key)
SETTING_DEFAULTS = {s.key: s.default for s in SETTINGS}


@pytest.mark.parametrize("protocol", ALL, ids=lambda p: p.key)
def test_every_cited_source_exists(protocol):
    assert protocol.cited_sources() <= set(SOURCES)


@pytest.mark.parametrize("protocol", ALL, ids=lambda p: p.key)
def test_every_rule_of_every_protocol_names_a_source(protocol):
    rules = [*protocol.indications, *protocol.titration_rules, *protocol.measures, *protocol.linked_sessions,
             protocol.dose_rule, *(p.spacing for p in protocol.phases)]
    if protocol.relapse_rule:
        rules.append(protocol.relapse_rule)
    assert all(rule.source in SOURCES for rule in rules)
    assert protocol.sources


@pytest.mark.parametrize("protocol", ALL, ids=lambda p: p.key)
def test_shipped_protocol_has_no_validation_errors(protocol):
    assert protocol_errors(protocol) == {}


def test_library_ships_one_protocol_per_regimen_of_clinical_md():
    assert set(PROTOCOLS) == {
        "iv-racemic-induction", "iv-racemic-maintenance", "esketamine-trd", "esketamine-mdd-suicidal-ideation",
        "im-series", "oral-sublingual-in-clinic", "sublingual-lozenges-at-home", "iv-chronic-pain",
        "ketamine-assisted-psychotherapy",
    }


def test_settings_have_unique_keys_known_sources_and_defaults_within_bounds():
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    for s in SETTINGS:
        assert s.source in SOURCES
        assert s.minimum <= float(s.default) <= s.maximum, s.key
        if s.is_clinic_policy:
            assert "clinic policy" in s.description, s.key


def test_iv_induction_is_six_infusions_of_half_mg_per_kg_over_40_min_2_to_3_per_week():
    p = get_protocol("iv-racemic-induction")
    assert p.route is Route.IV
    (phase,) = p.phases
    assert phase.session_count == 6
    assert phase.spacing.sessions_per_week in (2, 3)
    assert phase.spacing.max_span_days == 21
    assert phase.spacing.source == "apa-2017"
    assert (p.dose_rule.unit, p.dose_rule.default, p.dose_rule.infusion_duration_min) == (DoseUnit.MG_PER_KG, Decimal("0.5"), 40)
    assert (p.dose_rule.minimum, p.dose_rule.maximum) == (Decimal("0.1"), Decimal("0.75"))


def test_iv_escalation_to_075_after_three_infusions_cites_cusin_marked_verify():
    p = get_protocol("iv-racemic-induction")
    assert titration_for(p, TitrationCondition.INADEQUATE_RESPONSE, 2) is None
    rule = titration_for(p, TitrationCondition.INADEQUATE_RESPONSE, 3)
    assert rule.new_dose == Decimal("0.75") and rule.source == "cusin-2017"
    assert SOURCES["cusin-2017"].verify


def test_iv_maintenance_tapers_weekly_x4_every_2_weeks_x4_monthly_x3_and_returns_to_14_days():
    p = get_protocol("iv-racemic-maintenance")
    assert [(ph.session_count, ph.spacing.interval_days) for ph in p.phases] == [
        (4, 7), (4, 14), (3, SETTING_DEFAULTS["protocols.maintenance.monthly_interval_days"])]
    assert all(ph.spacing.source == "ketect-pmc7265624" for ph in p.phases)
    assert p.relapse_rule.return_to_interval_days == 14
    assert p.relapse_rule.source == "ketect-pmc7265624"


def test_esketamine_trd_follows_the_label_in_28_mg_devices():
    p = get_protocol("esketamine-trd")
    induction, weekly, continuation = p.phases
    assert (induction.session_count, induction.spacing.sessions_per_week, induction.spacing.max_span_days) == (8, 2, 28)
    assert (weekly.session_count, weekly.spacing.interval_days) == (4, 7)
    assert continuation.session_count is None and continuation.spacing.interval_days in (7, 14)
    rule = p.dose_rule
    assert rule.unit is DoseUnit.DEVICES and rule.source == "spravato-pi"
    assert (rule.first_session_dose * 28, rule.minimum * 28, rule.maximum * 28) == (56, 56, 84)
    assert any(m.when is MeasureWhen.END_OF_PHASE and m.source == "spravato-pi" for m in p.measures)


def test_esketamine_suicidal_ideation_is_84_mg_twice_weekly_for_4_weeks_reducible_to_56():
    p = get_protocol("esketamine-mdd-suicidal-ideation")
    (phase,) = p.phases
    assert (phase.session_count, phase.spacing.sessions_per_week, phase.spacing.max_span_days) == (8, 2, 28)
    assert p.dose_rule.default * 28 == 84
    assert titration_for(p, TitrationCondition.TOLERABILITY, 1).new_dose * 28 == 56
    assert any(i.matches("R45.851") for i in p.indications)


def test_chronic_pain_infusion_uses_asra_rate_total_and_duration():
    rule = get_protocol("iv-chronic-pain").dose_rule
    assert (rule.unit, rule.minimum, rule.maximum) == (DoseUnit.MG_PER_KG_PER_H, Decimal("0.5"), Decimal(2))
    assert (rule.min_total_dose_mg, rule.min_infusion_duration_min, rule.max_bolus_mg_per_kg) == (80, 120, Decimal("0.35"))
    assert rule.source == "asra-2018"


def test_im_series_range_is_clinic_policy():
    p = get_protocol("im-series")
    assert p.route is Route.IM and p.dose_rule.source == CLINIC_POLICY
    assert (p.dose_rule.minimum, p.dose_rule.maximum) == (
        SETTING_DEFAULTS["protocols.im.min_dose_mg_per_kg"], SETTING_DEFAULTS["protocols.im.max_dose_mg_per_kg"])


def test_oral_protocols_stay_within_published_fixed_range_and_one_is_at_home():
    clinic, home = get_protocol("oral-sublingual-in-clinic"), get_protocol("sublingual-lozenges-at-home")
    for p in (clinic, home):
        assert p.route is Route.ORAL_SUBLINGUAL
        assert (p.dose_rule.minimum, p.dose_rule.maximum, p.dose_rule.source) == (25, 300, "andrade-2019")
    assert home.at_home and not clinic.at_home


def test_kap_links_preparation_before_and_integration_after_each_dosing():
    p = get_protocol("ketamine-assisted-psychotherapy")
    kinds = {(s.kind, s.relative_to) for s in p.linked_sessions}
    assert kinds == {(TherapyKind.PREPARATION, RelativeTo.BEFORE_FIRST_DOSING),
                     (TherapyKind.INTEGRATION, RelativeTo.AFTER_EACH_DOSING)}
    assert p.dose_rule.maximum == Decimal("0.75") and p.dose_rule.source == "kap-feasibility"
    assert (p.dose_rule.top_up_min_mg, p.dose_rule.top_up_max_mg) == (20, 40)


def test_protocol_numbers_come_from_the_declared_settings():
    assert get_protocol("iv-racemic-induction").phases[0].spacing.min_days_between == SETTING_DEFAULTS["protocols.iv.min_days_between"]
    assert get_protocol("im-series").phases[0].session_count == SETTING_DEFAULTS["protocols.im.series_sessions"]
    assert get_protocol("ketamine-assisted-psychotherapy").phases[0].session_count == SETTING_DEFAULTS["protocols.kap.dosing_sessions"]
    assert library.ORAL_AT_HOME.dose_rule.default == SETTING_DEFAULTS["protocols.oral.default_dose_mg"]


@pytest.mark.parametrize("code, matches", [("F33.1", True), ("F33.41", True), ("f32.a", True), ("F43.10", False), ("F31.81", True)])
def test_iv_induction_indications_match_icd10cm_codes(code, matches):
    p = get_protocol("iv-racemic-induction")
    assert any(i.matches(code) for i in p.indications) is matches


def test_unknown_protocol_key_is_refused_with_field_key():
    with pytest.raises(ProtocolError) as exc:
        get_protocol("iv-ultra")
    assert exc.value.field == "key" and "iv-racemic-induction" in exc.value.message
