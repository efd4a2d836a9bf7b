import datetime as dt

import pytest

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.screening import services
from ketamine_clinic.screening.services import may_treat

from tests.support.people import ctx_for
from tests.support.screening import UNCONTROLLED_HYPERTENSION, approve, complete, consent_in_clinic, evaluation_dict


def enroll(nurse, prescriber, patient, on):
    return services.enroll_rems(ctx_for(nurse), patient, {
        "enrolled_on": on.isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)})


def ready(prescriber, nurse, patient, route, clinic_today):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, route)
    consent_in_clinic(nurse, patient, route)
    if route == Route.ESKETAMINE_NASAL:
        enroll(nurse, prescriber, patient, clinic_today)
    return ev


@pytest.mark.parametrize("route", list(Route))
def test_may_treat_with_evaluation_approval_and_witnessed_consent(prescriber, nurse, patient, clinic_today, route):
    ready(prescriber, nurse, patient, route, clinic_today)
    permission = may_treat(patient, route, clinic_today)
    assert permission.allowed, permission.reasons
    assert any("approved by" in r for r in permission.reasons) and any("witnessed by" in r for r in permission.reasons)
    other = next(r for r in Route if r != route)
    assert not may_treat(patient, other, clinic_today).allowed  # approval and consent are per route


@pytest.mark.parametrize("route", list(Route))
def test_may_not_treat_without_anything(patient, clinic_today, route):
    permission = may_treat(patient, route, clinic_today)
    assert not permission.allowed
    assert any("No completed intake evaluation" in r for r in permission.reasons)
    assert any("No consent" in r for r in permission.reasons)
    assert any("REMS" in r for r in permission.reasons) == (route == Route.ESKETAMINE_NASAL)


def test_esketamine_needs_rems_enrollment(prescriber, nurse, patient, clinic_today):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "esketamine_nasal")
    consent_in_clinic(nurse, patient, "esketamine_nasal")
    permission = may_treat(patient, "esketamine_nasal", clinic_today)
    assert not permission.allowed and permission.reasons == ["Not enrolled in the Spravato REMS (required before the first esketamine dose)."]
    enroll(nurse, prescriber, patient, clinic_today)
    yesterday = clinic_today - dt.timedelta(days=1)
    assert f"Spravato REMS enrollment dates from {clinic_today:%Y-%m-%d}, after {yesterday:%Y-%m-%d}." in may_treat(
        patient, "esketamine_nasal", yesterday).reasons
    assert may_treat(patient, "esketamine_nasal", clinic_today).allowed


def test_declined_route_may_not_be_treated(prescriber, nurse, patient, clinic_today):
    ev = complete(prescriber, patient)
    services.sign_decision(ctx_for(prescriber), patient, {"evaluation": str(ev.public_id), "route": "iv", "decision": "decline"})
    consent_in_clinic(nurse, patient, "iv")
    permission = may_treat(patient, "iv", clinic_today)
    assert not permission.allowed and "declined" in permission.reasons[0]


def test_override_is_named_in_the_reasons(prescriber, nurse, patient, clinic_today):
    ev = complete(prescriber, patient, evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    approve(prescriber, patient, ev, "iv", reason="Cardiology cleared; BP monitored closely")
    consent_in_clinic(nurse, patient, "iv")
    permission = may_treat(patient, "iv", clinic_today)
    assert permission.allowed and any("override: Cardiology cleared" in r for r in permission.reasons)


def test_new_evaluation_withdraws_permission_until_signed_again(prescriber, nurse, patient, clinic_today):
    ready(prescriber, nurse, patient, "iv", clinic_today)
    ev2 = complete(prescriber, patient)
    permission = may_treat(patient, "iv", clinic_today)
    assert not permission.allowed and "current evaluation (v2)" in permission.reasons[0]
    approve(prescriber, patient, ev2, "iv")
    assert may_treat(patient, "iv", clinic_today).allowed  # consent still valid


def test_revoked_or_unwitnessed_consent_blocks(prescriber, nurse, portal_user, patient, clinic_today):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "im")
    c = services.sign_consent(ctx_for(portal_user), patient, "im", {"signed_name": "Jordan Avery", "agree": "on"}, via="portal")
    assert "not yet witnessed" in may_treat(patient, "im", clinic_today).reasons[0]
    services.witness_consent(ctx_for(nurse), patient, c.public_id)
    assert may_treat(patient, "im", clinic_today).allowed
    services.revoke_consent(ctx_for(nurse), patient, c.public_id, {"reason": "withdrawn"})
    assert "revoked" in may_treat(patient, "im", clinic_today).reasons[0]


def test_approval_after_the_date_does_not_count(prescriber, nurse, patient, clinic_today):
    ready(prescriber, nurse, patient, "iv", clinic_today)
    assert not may_treat(patient, "iv", clinic_today - dt.timedelta(days=1)).allowed


def test_unknown_route_is_a_value_error(patient, clinic_today):
    with pytest.raises(ValueError):
        may_treat(patient, "intrathecal", clinic_today)
