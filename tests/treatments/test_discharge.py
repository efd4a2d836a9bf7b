"""Discharge: the route's minimum observation, PADSS >= 9, BP trending down, escort, the clinician's
judgement, acknowledged alerts; the summary on the chart timeline; the appointment marked done."""

import pytest

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import SessionStatus

from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot

pytestmark = pytest.mark.django_db

FIT = {"padss_vital_signs": 2, "padss_activity_mental_status": 2, "padss_pain_nausea_vomiting": 2, "padss_bleeding": 2,
       "padss_intake_output": 1, "escort_present": True, "clinician_judges_ready": True}


def infused(dosing_ready, nurse, *, started, stopped):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv", checked_in_min_ago=started + 20), lot(started_at=ago(started)))
    session = services.stop_dosing(ctx, session, {"stopped_at": ago(stopped)})
    services.record_vitals(ctx, session, NORMAL_VITALS)
    return session


def test_iv_minimum_observation_is_enforced(dosing_ready, nurse):
    session = infused(dosing_ready, nurse, started=70, stopped=30)  # 30 min since the infusion ended; minimum 60
    with pytest.raises(Conflict) as err:
        services.discharge(ctx_for(nurse), session, FIT)
    assert any("the minimum is 60 min" in m for m in err.value.errors["discharge"])
    session.refresh_from_db()
    assert session.status == SessionStatus.OBSERVING and session.discharged_at is None


def test_the_minimum_observation_is_a_clinic_setting(dosing_ready, nurse, clinic_admin):
    session = infused(dosing_ready, nurse, started=75, stopped=35)
    change_setting(ctx_for(clinic_admin), "session.observation.iv_min", 30, "Clinic policy: 30 min after IV")
    session = services.discharge(ctx_for(nurse), session, FIT)
    assert session.status == SessionStatus.DISCHARGED


def test_esketamine_two_hours_from_the_first_device(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("esketamine_nasal", checked_in_min_ago=150), lot(started_at=ago(115)))
    services.record_device(ctx, session, lot(given_at=ago(105)))
    services.record_vitals(ctx, session, NORMAL_VITALS)
    session.refresh_from_db()
    with pytest.raises(ValidationFailed) as err:  # the REMS form needs this answer
        services.discharge(ctx, session, FIT)
    assert "ready_without_minimum_min" in err.value.errors
    with pytest.raises(Conflict) as err:
        services.discharge(ctx, session, dict(FIT, ready_without_minimum_min=60))
    assert any("since the first device; the minimum is 120 min" in m for m in err.value.errors["discharge"])


def test_discharge_criteria(dosing_ready, nurse):
    session = infused(dosing_ready, nurse, started=150, stopped=100)
    ctx = ctx_for(nurse)
    cases = [
        (dict(FIT, padss_intake_output=0, padss_bleeding=1), "PADSS 7/10"),
        (dict(FIT, escort_present=False), "No escort present"),
        (dict(FIT, clinician_judges_ready=False), "not yet judged the patient ready"),
    ]
    for data, message in cases:
        with pytest.raises(Conflict) as err:
            services.discharge(ctx, session, data)
        assert any(message in m for m in err.value.errors["discharge"]), err.value.errors
    with pytest.raises(ValidationFailed) as err:
        services.discharge(ctx, session, dict(FIT, padss_bleeding=3))
    assert "padss_bleeding" in err.value.errors


def test_bp_must_be_trending_down(dosing_ready, nurse):
    session = infused(dosing_ready, nurse, started=150, stopped=100)
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, systolic_mmhg=165, diastolic_mmhg=95))
    with pytest.raises(Conflict) as err:
        services.discharge(ctx_for(nurse), session, FIT)
    assert any("not falling" in m for m in err.value.errors["discharge"])


def test_open_alerts_block_discharge_until_acknowledged(dosing_ready, nurse):
    session = infused(dosing_ready, nurse, started=150, stopped=100)
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, spo2_percent=90, observed_at=ago(60)))
    with pytest.raises(Conflict) as err:
        services.discharge(ctx_for(nurse), session, FIT)
    assert "1 alert not yet acknowledged" in err.value.errors["discharge"]
    alert = session.alerts.get()
    services.acknowledge_alert(ctx_for(nurse), session, alert.public_id, {"action_taken": "Repositioned; 97%"})
    assert services.discharge(ctx_for(nurse), session, FIT).status == SessionStatus.DISCHARGED


def test_discharge_writes_the_session_summary_on_the_chart_timeline(dosing_ready, nurse, patient):
    session = infused(dosing_ready, nurse, started=150, stopped=110)
    session = services.discharge(ctx_for(nurse), session, FIT)
    assert session.discharged_by == nurse and session.padss["padss_bleeding" if False else "bleeding"] == 2
    line = TimelineEvent.objects.filter(patient=patient, kind="session").first().summary
    assert line.startswith("Session: IV infusion (racemic ketamine)")
    assert "infusion 40 min" in line and "PADSS 9/10" in line and "discharged after 110 min" in line
    with pytest.raises(Conflict):
        services.discharge(ctx_for(nurse), session, FIT)


@pytest.mark.parametrize("seconds_after_shown_time, discharged", [(-1, False), (0, True), (8, True)])
def test_discharge_is_allowed_from_the_earliest_time_the_screen_shows(dosing_ready, nurse, seconds_after_shown_time,
                                                                      discharged):
    import datetime as dt

    from django.utils import timezone

    from ketamine_clinic.treatments import facts

    ctx = ctx_for(nurse)
    now = timezone.now()
    stopped_at = now.replace(microsecond=0) - dt.timedelta(minutes=30) + dt.timedelta(
        seconds=30 - now.second)  # an end of dosing at hh:mm:30
    session = services.start_dosing(ctx, dosing_ready("iv", checked_in_min_ago=90), lot(started_at=ago(70)))
    session = services.stop_dosing(ctx, session, {"stopped_at": stopped_at.isoformat()})
    services.record_vitals(ctx, session, NORMAL_VITALS)
    session.refresh_from_db()
    shown = facts.observation_end(session, facts.session_policy(session.organization))  # "earliest discharge" on screen
    assert shown.second == 0 and shown - session.dosing_ended_at >= dt.timedelta(minutes=60)
    at = shown + dt.timedelta(seconds=seconds_after_shown_time)
    if discharged:
        assert services.discharge(ctx, session, FIT, now=at).status == SessionStatus.DISCHARGED
    else:
        with pytest.raises(Conflict) as err:
            services.discharge(ctx, session, FIT, now=at)
        assert any("the minimum is 60 min" in m for m in err.value.errors["discharge"])
