"""Vital signs: physical-range validation and clinic alert thresholds."""

from datetime import datetime
from decimal import Decimal as D

import pytest

from ketamine_clinic.clinical.session import AlertSeverity, SessionPhase, VitalSigns, VitalsInputError, vitals_alerts
from ketamine_clinic.clinical.session.vitals import SETTINGS
from ketamine_clinic.clinical.sources import SOURCES

NORMAL = dict(systolic_mmhg=124, diastolic_mmhg=78, heart_rate_per_min=72, spo2_percent=98,
              respiratory_rate_per_min=14, temperature_c=D("36.8"))


@pytest.mark.parametrize(
    "changes, field, words",
    [
        (dict(systolic_mmhg=400), "systolic_mmhg", "400"),
        (dict(systolic_mmhg=39), "systolic_mmhg", "40–300"),
        (dict(diastolic_mmhg=201, systolic_mmhg=250), "diastolic_mmhg", "20–200"),
        (dict(spo2_percent=140), "spo2_percent", "140"),
        (dict(spo2_percent=49), "spo2_percent", "50–100"),
        (dict(heart_rate_per_min=251), "heart_rate_per_min", "20–250"),
        (dict(respiratory_rate_per_min=3), "respiratory_rate_per_min", "4–60"),
        (dict(temperature_c=D(50)), "temperature_c", "30–45"),
        (dict(systolic_mmhg=80, diastolic_mmhg=80), "diastolic_mmhg", "higher than diastolic"),
        (dict(systolic_mmhg=70, diastolic_mmhg=90), "diastolic_mmhg", "higher than diastolic"),
        (dict(diastolic_mmhg=None), "diastolic_mmhg", "both"),
        (dict(heart_rate_per_min=-5), "heart_rate_per_min", "20–250"),
        (dict(heart_rate_per_min=72.5), "heart_rate_per_min", "whole number"),
        (dict(heart_rate_per_min=True), "heart_rate_per_min", "whole number"),
        (dict(spo2_percent=float("nan")), "spo2_percent", "finite"),
        (dict(spo2_percent="98"), "spo2_percent", "whole number"),
        (dict(observed_at=datetime(2025, 1, 1, 9, 0)), "observed_at", "time zone"),
    ],
)
def test_impossible_vitals_refused_with_message(changes, field, words):
    with pytest.raises(VitalsInputError) as err:
        VitalSigns(**{**NORMAL, **changes})
    assert err.value.field == field
    assert words in err.value.message


def test_plausible_extremes_accepted():
    v = VitalSigns(systolic_mmhg=300, diastolic_mmhg=200, heart_rate_per_min=20, spo2_percent=100,
                   respiratory_rate_per_min=60)
    assert v.blood_pressure == "300/200"


def test_partial_reading_accepted():
    assert VitalSigns(spo2_percent=96).systolic_mmhg is None


def kinds(alerts):
    return {a.kind for a in alerts}


@pytest.mark.parametrize(
    "changes, phase, expected",
    [
        (dict(), SessionPhase.AFTER, set()),
        (dict(spo2_percent=91), SessionPhase.AFTER, {"spo2_low"}),
        (dict(spo2_percent=92), SessionPhase.AFTER, set()),
        (dict(systolic_mmhg=181), SessionPhase.DURING, {"bp_high"}),
        (dict(systolic_mmhg=180, diastolic_mmhg=100), SessionPhase.DURING, set()),
        (dict(diastolic_mmhg=101, systolic_mmhg=160), SessionPhase.AFTER, {"bp_high"}),
        (dict(heart_rate_per_min=111), SessionPhase.AFTER, {"heart_rate_high"}),
        (dict(respiratory_rate_per_min=9), SessionPhase.DURING, {"respiratory_rate_low"}),
        (dict(systolic_mmhg=150, diastolic_mmhg=92), SessionPhase.AFTER, set()),  # expected rise after dosing
        (dict(systolic_mmhg=150, diastolic_mmhg=92), SessionPhase.PRE_DOSE, {"bp_caution"}),
        (dict(respiratory_rate_per_min=26), SessionPhase.PRE_DOSE, {"respiratory_rate_high"}),
        (dict(spo2_percent=85, respiratory_rate_per_min=8), SessionPhase.AFTER, {"spo2_low", "respiratory_rate_low"}),
    ],
)
def test_vitals_alerts(changes, phase, expected):
    alerts = vitals_alerts(VitalSigns(**{**NORMAL, **changes}), phase)
    assert kinds(alerts) == expected
    assert all(a.source in SOURCES and a.message for a in alerts)


def test_bp_caution_is_warning_and_limits_are_critical():
    alerts = vitals_alerts(VitalSigns(**{**NORMAL, "systolic_mmhg": 150, "spo2_percent": 90}), "pre_dose")
    severities = {a.kind: a.severity for a in alerts}
    assert severities == {"bp_caution": AlertSeverity.WARNING, "spo2_low": AlertSeverity.CRITICAL}


def test_alert_thresholds_follow_clinic_policy():
    v = VitalSigns(**{**NORMAL, "spo2_percent": 93})
    assert kinds(vitals_alerts(v, "after", policy={"session.alert.min_spo2_percent": 94})) == {"spo2_low"}


def test_unknown_phase_refused():
    with pytest.raises(VitalsInputError) as err:
        vitals_alerts(VitalSigns(**NORMAL), "lunch")
    assert err.value.field == "phase"


def test_vitals_settings_cite_sources():
    for s in SETTINGS:
        assert s.source in SOURCES
        if s.is_clinic_policy:
            assert "clinic policy" in s.description.lower()


@pytest.mark.parametrize("systolic, diastolic, phase, expected", [
    (168, 104, SessionPhase.DURING, "BP 168/104 mmHg: diastolic is above the clinic alert limit of 100 mmHg"),
    (185, 95, SessionPhase.AFTER, "BP 185/95 mmHg: systolic is above the clinic alert limit of 180 mmHg"),
    (185, 104, SessionPhase.PRE_DOSE,
     "BP 185/104 mmHg: systolic is above the pre-dose hold limit of 180 mmHg and diastolic above 100 mmHg"),
])
def test_a_bp_alert_names_the_value_over_its_limit(systolic, diastolic, phase, expected):
    alerts = vitals_alerts(VitalSigns(systolic_mmhg=systolic, diastolic_mmhg=diastolic), phase)
    assert [a.message for a in alerts if a.kind == "bp_high"] == [expected]
