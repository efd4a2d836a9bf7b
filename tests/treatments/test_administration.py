"""The administration record: rate changes and pauses, the total actually given (computed from the
record), stop times, esketamine devices and their 5-minute spacing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.models import DeviceDose, RateChange, SessionStatus

from tests.support.people import ctx_for
from tests.support.treatments import ago, lot

pytestmark = pytest.mark.django_db


def test_total_given_follows_rate_changes_and_pauses(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(60)))  # 150 mL/h, 0.35 mg/mL
    services.change_rate(ctx, session, {"at": ago(50), "rate_ml_per_h": "0", "reason": "Nausea: paused"})
    services.change_rate(ctx, session, {"at": ago(40), "rate_ml_per_h": "75", "reason": "Resumed at half rate"})
    session = services.stop_dosing(ctx, session, {"stopped_at": ago(20)})
    # 10 min at 150 mL/h = 25 mL; 10 min paused; 20 min at 75 mL/h = 25 mL -> 50 mL x 0.35 mg/mL = 17.5 mg
    assert facts.given_so_far(session) == Decimal("17.5")
    assert session.status == SessionStatus.OBSERVING
    assert session.administration.stopped_at == session.dosing_ended_at
    assert "17.5 mg given of 35.0 mg ordered" in services.session_summary(session, session.dosing_ended_at)


def test_a_stop_time_before_the_start_is_refused_and_nothing_changes(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(30)))
    with pytest.raises(ValidationFailed) as err:
        services.stop_dosing(ctx, session, {"stopped_at": ago(45)})
    assert "after the start" in err.value.errors["stopped_at"][0]
    session.refresh_from_db()
    assert session.status == SessionStatus.DOSING and session.administration.stopped_at is None


@pytest.mark.parametrize("data, field", [
    ({"rate_ml_per_h": "-5"}, "rate_ml_per_h"),
    ({"rate_ml_per_h": "5000"}, "rate_ml_per_h"),
    ({"rate_ml_per_h": "abc"}, "rate_ml_per_h"),
])
def test_a_bad_rate_is_refused(dosing_ready, nurse, data, field):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(30)))
    with pytest.raises(ValidationFailed) as err:
        services.change_rate(ctx, session, data)
    assert field in err.value.errors
    assert RateChange.objects.count() == 1


def test_a_rate_change_before_the_previous_one_is_refused(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(30)))
    with pytest.raises(ValidationFailed):
        services.change_rate(ctx, session, {"at": ago(40), "rate_ml_per_h": "100"})


def test_esketamine_devices_five_minutes_apart(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("esketamine_nasal"), lot(started_at=ago(10)))
    with pytest.raises(ValidationFailed) as err:
        services.record_device(ctx, session, lot(given_at=ago(7)))  # 3 min after the first
    assert "5 min between devices" in err.value.errors["given_at"][0]
    assert DeviceDose.objects.count() == 1
    services.record_device(ctx, session, lot(given_at=ago(5), lot_number="KX2232"))
    session.refresh_from_db()
    assert session.status == SessionStatus.OBSERVING  # both ordered devices given
    assert session.dosing_ended_at == session.devices.last().given_at
    assert facts.given_so_far(session) == Decimal(56)
    assert facts.device_log(session).lot_numbers == ("KX2231", "KX2232")
    assert facts.observation_from(session) == session.dosing_started_at  # esketamine: from the first device
    with pytest.raises(Conflict):
        services.record_device(ctx, session, lot())


def test_an_expired_device_is_refused(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("esketamine_nasal"), lot(started_at=ago(10)))
    with pytest.raises(ValidationFailed):
        services.record_device(ctx, session, lot(expiry_days=-3))
    assert DeviceDose.objects.count() == 1


def test_esketamine_sequence_can_end_early(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("esketamine_nasal", dose_amount="3"), lot(started_at=ago(12)))
    services.record_device(ctx, session, lot(given_at=ago(6)))
    session = services.stop_dosing(ctx, session, {"reason": "Marked dissociation; third device not given"})
    assert session.status == SessionStatus.OBSERVING
    assert facts.given_so_far(session) == Decimal(56)


def test_nothing_is_given_twice(dosing_ready, nurse):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(10)))
    with pytest.raises(Conflict):
        services.start_dosing(ctx, session, lot())


def test_the_pump_stops_counting_once_the_bag_is_delivered(dosing_ready, nurse):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(90)))  # a 40-min bag
    assert facts.given_so_far(session) == Decimal("35.0")  # not 78.8 mg: the pump cannot give more than the bag
    assert facts.bag_empty_at(session) == session.dosing_started_at + dt.timedelta(minutes=40)
    snapshot = services.session_snapshot(session, timezone.now(), None)
    assert snapshot["bag_done"] is True
