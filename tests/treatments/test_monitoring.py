"""Monitoring: vitals with due/overdue prompts, alerts past clinic thresholds that must be
acknowledged, CADSS / MOAA/S, side effects, rescue medications, adverse events; bad input refused."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.models import MonitoringEntry, SessionAlert, VitalsReading

from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def infusing(dosing_ready, nurse):
    return services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(25)))


@pytest.mark.parametrize("values, field, message", [
    ({"systolic_mmhg": 400, "diastolic_mmhg": 80}, "systolic_mmhg", "outside the possible range"),
    ({"spo2_percent": 140}, "spo2_percent", "outside the possible range"),
    ({"systolic_mmhg": 80, "diastolic_mmhg": 90}, "diastolic_mmhg", "must be higher than diastolic"),
    ({"systolic_mmhg": 120}, "diastolic_mmhg", "needs both"),
    ({"heart_rate_per_min": "fast"}, "heart_rate_per_min", "whole number"),
    ({}, "systolic_mmhg", "at least one"),
    ({"spo2_percent": 97, "observed_at": "yesterday"}, "observed_at", "date and time"),
])
def test_bad_vitals_are_refused_with_a_message_and_nothing_is_written(infusing, nurse, values, field, message):
    before = VitalsReading.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.record_vitals(ctx_for(nurse), infusing, values)
    assert message in " ".join(err.value.errors[field]).lower()
    assert VitalsReading.objects.count() == before and not SessionAlert.objects.exists()


def test_low_spo2_and_high_bp_during_dosing_raise_alerts_that_must_be_acknowledged(infusing, nurse):
    reading = services.record_vitals(ctx_for(nurse), infusing, dict(NORMAL_VITALS, spo2_percent=89,
                                                                    systolic_mmhg=186, diastolic_mmhg=96))
    assert reading.phase == "during"
    kinds = {a.kind: a for a in SessionAlert.objects.all()}
    assert set(kinds) == {"spo2_low", "bp_high"}
    assert "below the clinic alert limit of 92%" in kinds["spo2_low"].message
    with pytest.raises(ValidationFailed):
        services.acknowledge_alert(ctx_for(nurse), infusing, kinds["spo2_low"].public_id, {"action_taken": ""})
    alert = services.acknowledge_alert(ctx_for(nurse), infusing, kinds["spo2_low"].public_id,
                                       {"action_taken": "Chin lift, O2 2 L/min; SpO2 96% after 2 min"})
    assert alert.acknowledged_by == nurse and not alert.is_open
    with pytest.raises(Conflict):
        services.acknowledge_alert(ctx_for(nurse), infusing, alert.public_id, {"action_taken": "again"})
    assert [a.kind for a in facts.open_alerts(infusing)] == ["bp_high"]


def test_normal_vitals_raise_no_alert(infusing, nurse):
    services.record_vitals(ctx_for(nurse), infusing, NORMAL_VITALS)
    assert not SessionAlert.objects.exists()


def test_vitals_due_and_overdue_follow_the_route_cadence(dosing_ready, nurse):
    from ketamine_clinic.clinic_settings import policy_for

    infusing = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(22)))

    policy = policy_for(infusing.organization, "session.")
    status = facts.vitals_status(infusing, timezone.now(), policy)
    # IV: every 10 min during the infusion (emory-practice): the 10 and 20 min checks are missed.
    assert [c.label for c in status.overdue] == ["During infusion"]
    assert status.next_due.label == "During infusion"  # the 20-min check is still within its window
    services.record_vitals(ctx_for(nurse), infusing, dict(NORMAL_VITALS, observed_at=ago(12)))
    infusing.refresh_from_db()
    status = facts.vitals_status(infusing, timezone.now(), policy)
    assert status.overdue == []


def test_cadss_and_moaas_scores_and_their_schedule(infusing, nurse):
    ctx = ctx_for(nurse)
    services.record_event(ctx, infusing, {"kind": "moaas", "score": 4, "occurred_at": ago(10)})
    entry = services.record_event(ctx, infusing, {"kind": "cadss", "score": 12})
    assert entry.summary == "CADSS total 12 (Dissociation present)"
    for data, field in (({"kind": "cadss", "score": 93}, "score"), ({"kind": "moaas", "score": 6}, "score"),
                        ({"kind": "moaas"}, "score"), ({"kind": "sleepy"}, "kind")):
        with pytest.raises(ValidationFailed) as err:
            services.record_event(ctx, infusing, data)
        assert field in err.value.errors
    assert MonitoringEntry.objects.count() == 2
    from ketamine_clinic.clinic_settings import policy_for

    rows = facts.scale_status(infusing, timezone.now(), policy_for(infusing.organization, "session."))
    moaas_15 = next(r for r in rows if r["label"] == "MOAA/S" and r["due_at"] == infusing.dosing_started_at + dt.timedelta(minutes=15))
    assert moaas_15["state"] == "done"
    assert facts.sedation_observed(infusing) is True and facts.dissociation_observed(infusing) is True


def test_side_effects_rescue_medication_and_adverse_events(infusing, nurse):
    ctx = ctx_for(nurse)
    services.record_event(ctx, infusing, {"kind": "side_effect", "effect": "nausea", "severity": "moderate"})
    assert not SessionAlert.objects.exists()
    services.record_event(ctx, infusing, {"kind": "rescue_medication", "medication": "Ondansetron", "dose": "4 mg IV"})
    services.record_event(ctx, infusing, {"kind": "side_effect", "effect": "vomiting", "severity": "severe"})
    assert SessionAlert.objects.get().kind == "side_effect"
    services.record_event(ctx, infusing, {"kind": "adverse_event", "description": "Syncope on standing",
                                          "criteria": ["important_medical_event"]})
    assert SessionAlert.objects.filter(kind="serious_adverse_event").exists()
    bad = [({"kind": "side_effect", "effect": "itching", "severity": "mild"}, "effect"),
           ({"kind": "side_effect", "effect": "nausea"}, "severity"),
           ({"kind": "rescue_medication", "medication": "Ondansetron"}, "dose"),
           ({"kind": "adverse_event", "description": ""}, "description"),
           ({"kind": "adverse_event", "description": "x", "criteria": ["bad"]}, "criteria")]
    for data, field in bad:
        with pytest.raises(ValidationFailed) as err:
            services.record_event(ctx, infusing, data)
        assert field in err.value.errors, (data, err.value.errors)
    assert MonitoringEntry.objects.count() == 4


def test_nothing_is_charted_on_a_closed_session(dosing_ready, nurse):
    session = services.end_without_dose(ctx_for(nurse), dosing_ready("iv"), {"reason": "BP too high today"})
    with pytest.raises(Conflict):
        services.record_vitals(ctx_for(nurse), session, NORMAL_VITALS)
