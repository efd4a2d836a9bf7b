"""Dose, volume and pump-rate arithmetic through the service; guardrails: co-signature past a soft
limit, refusal past a hard limit; expired product refused."""

from decimal import Decimal

import pytest

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.models import Administration, SessionStatus

from tests.support.people import PASSWORD, ctx_for, make_user
from tests.support.treatments import ago, lot

pytestmark = pytest.mark.django_db


def test_iv_dose_volume_and_pump_rate_from_the_order(dosing_ready, nurse):
    session = dosing_ready("iv")  # 0.5 mg/kg x 70 kg over 40 min, 50 mg/mL made up to 100 mL
    preview = facts.dose_preview(session)
    plan = preview.plan
    assert plan.dose_mg == Decimal("35.0")
    assert plan.draw_volume_ml == Decimal("0.7")
    assert plan.pump_rate_ml_per_h == Decimal("150.0")  # 100 mL over 40 min
    assert plan.infusion_minutes == 40
    assert preview.guardrail.level.value == "ok"
    session = services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(20)))
    assert session.dose_mg == Decimal("35.0")
    assert session.dose_plan["pump_rate_ml_per_h"] == "150.0"
    assert session.administration.rate_changes.get().rate_ml_per_h == Decimal("150.0")
    # 20 min at 150 mL/h of 35 mg in 100 mL = 50 mL = 17.5 mg
    assert facts.given_so_far(session) == pytest.approx(Decimal("17.5"), abs=Decimal("0.2"))


def test_syringe_pump_runs_the_drawn_volume_when_no_bag_volume_is_given(dosing_ready):
    session = dosing_ready("iv", infusion_volume_ml="", weight="80")
    session.weight_today_kg = Decimal("80")
    plan = facts.dose_preview(session).plan
    assert plan.dose_mg == Decimal("40.0") and plan.draw_volume_ml == Decimal("0.8")
    assert plan.pump_rate_ml_per_h == Decimal("1.2")  # 0.8 mL over 40 min


def test_im_dose_and_volume(dosing_ready, nurse):
    session = dosing_ready("im")
    plan = facts.dose_preview(session).plan
    assert (plan.dose_mg, plan.draw_volume_ml, plan.pump_rate_ml_per_h) == (Decimal("35.0"), Decimal("0.7"), None)
    session = services.start_dosing(ctx_for(nurse), session, lot())
    assert session.status == SessionStatus.OBSERVING  # an injection is given at once
    assert session.administration.bolus_mg == Decimal("35.0")


def test_esketamine_is_given_as_28_mg_devices(dosing_ready, nurse):
    session = dosing_ready("esketamine_nasal")
    plan = facts.dose_preview(session).plan
    assert plan.dose_mg == Decimal("56") and plan.device_count == 2 and plan.device_spacing_min == 5
    session = services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(6)))
    assert session.status == SessionStatus.DOSING and session.devices.count() == 1


@pytest.mark.parametrize("field, value, message", [
    ("dose_amount", "-0.5", "must not be negative"),
    ("dose_amount", "0", "greater than zero"),
    ("dose_amount", "25", "implausibly large"),
    ("infusion_minutes", "0", "between 1 and"),
    ("concentration_mg_per_ml", "500", "stronger than any ketamine product"),
])
def test_a_bad_order_is_refused_with_a_message_and_nothing_is_written(new_session, field, value, message):
    from ketamine_clinic.treatments.models import TreatmentSession

    with pytest.raises(ValidationFailed) as err:
        new_session("iv", **{field: value})
    assert message in " ".join(err.value.errors[field]).lower()
    assert not TreatmentSession.objects.exists()


def test_esketamine_order_must_be_whole_devices(new_session):
    with pytest.raises(ValidationFailed) as err:
        new_session("esketamine_nasal", dose_unit="mg", dose_amount="60")
    assert "28 mg devices" in err.value.errors["dose_amount"][0]


def test_soft_limit_needs_a_second_clinicians_cosignature_and_reason(dosing_ready, nurse, second_nurse, front_desk, prescriber):
    session = dosing_ready("iv", dose_amount="0.8")  # above the 0.75 mg/kg soft limit (cusin-2017)
    assert facts.dose_preview(session).guardrail.level.value == "soft"
    ctx = ctx_for(nurse)
    attempts = [
        ({}, "cosigner"),
        ({"cosigner": second_nurse.username, "cosigner_password": PASSWORD}, "cosign_reason"),
        ({"cosigner": nurse.username, "cosigner_password": PASSWORD, "cosign_reason": "r"}, "cosigner"),
        ({"cosigner": front_desk.username, "cosigner_password": PASSWORD, "cosign_reason": "r"}, "cosigner"),
        ({"cosigner": second_nurse.username, "cosigner_password": "wrong", "cosign_reason": "r"}, "cosigner_password"),
        ({"cosigner": prescriber.username, "cosigner_password": PASSWORD, "cosign_reason": "r"}, "cosigner"),  # the orderer
    ]
    for extra, field in attempts:
        with pytest.raises(ValidationFailed) as err:
            services.start_dosing(ctx, session, lot(**extra))
        assert field in err.value.errors, (extra, err.value.errors)
    assert not Administration.objects.exists()
    assert AuditEvent.objects.filter(action="session.cosign_failed").count() == 1

    session = services.start_dosing(ctx, session, lot(cosigner=second_nurse.username, cosigner_password=PASSWORD,
                                                      cosign_reason="Partial response at 0.75 mg/kg x3"))
    assert session.cosigned_by == second_nurse and session.guardrail_level == "soft"
    assert session.dose_mg == Decimal("56.0")


def test_hard_limit_cannot_be_given_even_with_a_cosignature(dosing_ready, nurse, second_nurse):
    session = dosing_ready("iv", dose_amount="1.2")
    assert facts.dose_preview(session).guardrail.level.value == "hard"
    with pytest.raises(ValidationFailed) as err:
        services.start_dosing(ctx_for(nurse), session, lot(cosigner=second_nurse.username, cosigner_password=PASSWORD,
                                                           cosign_reason="please"))
    assert "cannot be given" in err.value.errors["dose"][0]
    assert not Administration.objects.exists()


def test_guardrail_limits_are_clinic_settings(dosing_ready, nurse, clinic_admin):
    session = dosing_ready("iv")
    change_setting(ctx_for(clinic_admin), "session.guardrail.iv_depression.soft_mg_per_kg", "0.4", "Conservative start")
    assert facts.dose_preview(session).guardrail.level.value == "soft"
    change_setting(ctx_for(clinic_admin), "session.guardrail.iv_depression.hard_mg_per_kg", "0.45", "Conservative start")
    with pytest.raises(ValidationFailed):
        services.start_dosing(ctx_for(nurse), session, lot())


def test_chronic_pain_infusion_is_checked_by_rate(dosing_ready):
    session = dosing_ready("iv", indication="chronic_pain", dose_unit="mg/kg/h", dose_amount="2.5", infusion_minutes=150)
    guardrail = facts.dose_preview(session).guardrail
    assert guardrail.level.value == "hard" and guardrail.unit == "mg/kg/h"


def test_expired_product_is_refused(dosing_ready, nurse):
    session = dosing_ready("iv")
    with pytest.raises(ValidationFailed) as err:
        services.start_dosing(ctx_for(nurse), session, lot(expiry_days=-1))
    assert "expired" in err.value.errors["expiry_date"][0]
    assert not Administration.objects.exists()


def test_a_start_time_in_the_future_or_before_check_in_is_refused(dosing_ready, nurse):
    session = dosing_ready("iv", checked_in_min_ago=30)
    for when in (ago(-30), ago(60)):
        with pytest.raises(ValidationFailed) as err:
            services.start_dosing(ctx_for(nurse), session, lot(started_at=when))
        assert "started_at" in err.value.errors
    assert not Administration.objects.exists()


def test_prescriber_may_run_a_session_too(dosing_ready, prescriber, org, location):
    session = dosing_ready("iv")
    other = make_user(org, "second_prescriber", [Role.PRESCRIBER], location=location)
    assert other  # the orderer may give the dose themself when no co-sign is needed
    services.start_dosing(ctx_for(prescriber), session, lot())
