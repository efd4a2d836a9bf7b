"""Every pre-dose hard stop, through the service: while one is open no dose can be recorded."""

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.models import Administration, DeviceDose, SessionStatus, TreatmentSession
from ketamine_clinic.treatments.services import checklist as checklist_service

from tests.support.api import assert_error
from tests.support.errors import NotFound
from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, clear_checklist, lot

pytestmark = pytest.mark.django_db


def statuses(session):
    return {i.key: i.status.value for i in facts.checklist_for(session).items}


def assert_dose_refused(nurse, session, blocking_key):
    session.refresh_from_db()
    with pytest.raises(Conflict) as err:
        services.start_dosing(ctx_for(nurse), session, lot())
    assert err.value.status == 409
    assert any(m for m in err.value.errors["checklist"]), err.value.errors
    assert statuses(session)[blocking_key] in ("hard_stop", "needs_decision")
    assert not Administration.objects.filter(session=session).exists()
    assert not DeviceDose.objects.filter(session=session).exists()
    assert TreatmentSession.objects.get(pk=session.pk).status == SessionStatus.CHECKED_IN


def test_a_cleared_checklist_allows_dosing(dosing_ready, nurse):
    session = dosing_ready("iv")
    result = facts.checklist_for(session)
    assert result.may_dose, [(i.key, i.message) for i in result.blocking]
    session = services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(30)))
    assert session.status == SessionStatus.DOSING


def test_not_cleared_to_treat_today_blocks_dosing(new_session, nurse):
    session = clear_checklist(nurse, new_session("iv"))  # no evaluation, decision or consent
    assert "No completed intake evaluation" in facts.checklist_for(session).items[0].message
    assert_dose_refused(nurse, session, "may_treat_today")


def test_esketamine_without_rems_enrollment_blocks_dosing(prescriber, nurse, patient, new_session):
    from ketamine_clinic.screening import services as screening
    from tests.support.screening import approve, complete, consent_in_clinic

    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "esketamine_nasal")
    consent_in_clinic(nurse, patient, "esketamine_nasal")
    assert screening.current_rems(patient) is None
    session = clear_checklist(nurse, new_session("esketamine_nasal"))
    assert statuses(session)["rems_enrollment"] == "hard_stop"
    assert_dose_refused(nurse, session, "rems_enrollment")


def weighed_last_week(patient):
    """The chart's weight was measured days ago: it is not today's weight."""
    import datetime as dt

    patient.measurements.update(measured_on=dt.date.today() - dt.timedelta(days=7))


def test_missing_weight_blocks_a_mg_per_kg_dose_but_not_a_fixed_one(ready, new_session, nurse, patient):
    ready("iv")
    weighed_last_week(patient)
    session = clear_checklist(nurse, new_session("iv"), weight=None)
    assert_dose_refused(nurse, session, "weight_today")
    services.end_without_dose(ctx_for(nurse), session, {"reason": "test"})
    ready("oral_sublingual")
    fixed = clear_checklist(nurse, new_session("oral_sublingual"), weight=None)
    assert statuses(fixed)["weight_today"] == "not_applicable"


@pytest.mark.parametrize("vitals, key", [
    ({"systolic_mmhg": 185, "diastolic_mmhg": 95}, "blood_pressure"),
    ({"systolic_mmhg": 150, "diastolic_mmhg": 105}, "blood_pressure"),
    ({"heart_rate_per_min": 121}, "heart_rate"),
    ({"spo2_percent": 90}, "spo2"),
    ({"respiratory_rate_per_min": 8}, "respiratory_rate"),
    ({"respiratory_rate_per_min": 30}, "respiratory_rate"),
])
def test_predose_vitals_outside_the_clinic_hold_limits_block_dosing(dosing_ready, nurse, vitals, key):
    session = dosing_ready("iv")
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, **vitals))
    assert_dose_refused(nurse, session, key)


def test_missing_predose_vitals_block_dosing(ready, new_session, nurse):
    ready("iv")
    session = services.update_checklist(ctx_for(nurse), new_session("iv"), {
        "weight_today_kg": "70", "last_food_at": ago(300), "last_liquid_at": ago(200), "ride_home_confirmed": "yes",
        "defer_phq9": "paper", "defer_cssrs": "verbal"})
    assert {k for k, v in statuses(session).items() if v == "hard_stop"} == {
        "blood_pressure", "heart_rate", "spo2", "respiratory_rate"}
    assert_dose_refused(nurse, session, "blood_pressure")


def test_hold_limits_are_clinic_settings(dosing_ready, nurse, clinic_admin):
    session = dosing_ready("iv")
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, systolic_mmhg=170, diastolic_mmhg=95))
    assert statuses(session)["blood_pressure"] == "ok"  # default hold limit 180/100 (clinic policy)
    change_setting(ctx_for(clinic_admin), "session.predose.hold_systolic_mmhg", 160, "Cardiology advice")
    assert_dose_refused(nurse, session, "blood_pressure")


def test_esketamine_bp_above_140_90_needs_the_prescribers_documented_decision(dosing_ready, nurse, prescriber):
    session = dosing_ready("esketamine_nasal")
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, systolic_mmhg=150, diastolic_mmhg=92))
    assert statuses(session)["blood_pressure"] == "needs_decision"
    assert_dose_refused(nurse, session, "blood_pressure")
    with pytest.raises(PermissionDenied):  # a nurse cannot document the prescriber's decision
        services.record_bp_decision(ctx_for(nurse), session, {"note": "fine"})
    services.record_bp_decision(ctx_for(prescriber), session, {"note": "Stable baseline hypertension; benefit outweighs"})
    session.refresh_from_db()
    assert statuses(session)["blood_pressure"] == "ok"
    # A new, higher reading after the decision needs a new decision.
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, systolic_mmhg=158, diastolic_mmhg=94))
    assert_dose_refused(nurse, session, "blood_pressure")


def test_fasting_as_the_route_requires(dosing_ready, nurse):
    session = dosing_ready("esketamine_nasal")
    session = services.update_checklist(ctx_for(nurse), session, {"last_liquid_at": ago(10)})  # label: 30 min
    item = next(i for i in facts.checklist_for(session).items if i.key == "fasting_liquids")
    assert "wait 20 more min" in item.message or "wait 21 more min" in item.message
    assert_dose_refused(nurse, session, "fasting_liquids")


def test_unknown_last_meal_blocks_iv_dosing(dosing_ready, nurse):
    session = dosing_ready("iv")
    services.update_checklist(ctx_for(nurse), session, {"last_food_at": ""})
    assert_dose_refused(nurse, session, "fasting_food")


def test_no_ride_home_blocks_dosing(dosing_ready, nurse):
    session = dosing_ready("iv")
    services.update_checklist(ctx_for(nurse), session, {"ride_home_confirmed": "no"})
    assert_dose_refused(nurse, session, "ride_home")


def test_pregnancy_test_where_the_clinic_requires_one(dosing_ready, nurse, clinic_admin):
    session = dosing_ready("iv")
    assert statuses(session)["pregnancy_test"] == "not_applicable"
    change_setting(ctx_for(clinic_admin), "session.predose.pregnancy_test_required", True, "Clinic policy from May")
    assert_dose_refused(nurse, session, "pregnancy_test")
    services.update_checklist(ctx_for(nurse), session, {"can_become_pregnant": "yes", "pregnancy_test": "positive"})
    assert_dose_refused(nurse, session, "pregnancy_test")
    session = services.update_checklist(ctx_for(nurse), session, {"pregnancy_test": "negative"})
    assert statuses(session)["pregnancy_test"] == "ok"


def test_measures_due_must_be_done_or_deferred_with_a_reason(dosing_ready, nurse, patient):
    session = dosing_ready("iv")
    services.update_checklist(ctx_for(nurse), session, {"defer_phq9": "", "defer_cssrs": ""})
    session.refresh_from_db()
    assert statuses(session)["measure:phq9"] == "hard_stop"
    assert_dose_refused(nurse, session, "measure:cssrs")
    answers = {f"phq9-{n}": 1 for n in range(1, 9)} | {"phq9-9": 0}
    assessments.submit_response(ctx_for(nurse), patient, "phq9", answers, mode="staff_paper")
    assert statuses(session)["measure:phq9"] == "ok"  # done today
    services.update_checklist(ctx_for(nurse), session, {"defer_cssrs": "Patient declined; prescriber spoke with them"})
    session.refresh_from_db()
    assert facts.checklist_for(session).may_dose


def test_the_checklist_closes_once_dosing_has_started(dosing_ready, nurse):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(10)))
    with pytest.raises(Conflict):
        services.update_checklist(ctx_for(nurse), session, {"ride_home_confirmed": "no"})


def test_recording_weight_adds_it_to_the_chart(dosing_ready, nurse, patient):
    services.update_checklist(ctx_for(nurse), dosing_ready("iv"), {"weight_today_kg": "72.5"})
    from ketamine_clinic.patients.services import current_measurement

    assert current_measurement(patient).weight_kg == 72.5


def test_front_desk_and_therapist_cannot_run_a_session(dosing_ready, front_desk, therapist):
    session = dosing_ready("iv")
    for user in (front_desk, therapist):
        with pytest.raises(PermissionDenied):
            services.update_checklist(ctx_for(user), session, {"ride_home_confirmed": "no"})
        with pytest.raises(PermissionDenied):
            services.start_dosing(ctx_for(user), session, lot())


def test_a_deferral_reason_over_the_limit_is_refused_and_changes_nothing(dosing_ready, nurse):
    session = dosing_ready("iv")
    before = dict(TreatmentSession.objects.get(pk=session.pk).measure_deferrals or {})
    limit = checklist_service.DEFERRAL_REASON_MAX_CHARS
    with pytest.raises(ValidationFailed) as err:
        services.update_checklist(ctx_for(nurse), session, {"defer_phq9": "x" * (limit + 1), "ride_home_confirmed": "no"})
    assert "defer_phq9" in err.value.errors
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert (stored.measure_deferrals or {}) == before and stored.ride_home_confirmed is True
    session = services.update_checklist(ctx_for(nurse), stored, {"defer_phq9": "x" * limit})
    assert session.measure_deferrals["phq9"] == "x" * limit


def test_an_empty_deferral_reason_withdraws_it_and_an_empty_pregnancy_answer_clears_it(dosing_ready, nurse):
    session = services.update_checklist(ctx_for(nurse), dosing_ready("iv"),
                                        {"defer_phq9": "paper form", "can_become_pregnant": "no"})
    assert session.measure_deferrals.get("phq9") == "paper form" and session.can_become_pregnant is False
    session = services.update_checklist(ctx_for(nurse), session, {"defer_phq9": "  ", "can_become_pregnant": ""})
    assert "phq9" not in (session.measure_deferrals or {}) and session.can_become_pregnant is None


def test_the_outsider_can_neither_chart_nor_dose_our_session(api, dosing_ready, outsider):
    session = dosing_ready("iv")
    with pytest.raises(NotFound):
        services.get_session_for(ctx_for(outsider), session.public_id)
    sid = session.public_id
    assert_error(api(outsider, "patch", f"/sessions/{sid}/checklist", {"version": session.version, "ride_home_confirmed": False}), 404)
    assert_error(api(outsider, "post", f"/sessions/{sid}/dose", lot()), 404)
    session.refresh_from_db()
    assert session.ride_home_confirmed is True and not Administration.objects.exists()
