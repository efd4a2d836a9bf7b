import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.screening import services
from ketamine_clinic.screening.models import EligibilityDecision

from tests.support.api import assert_error
from tests.support.people import ctx_for
from tests.support.screening import HYPERSENSITIVE, UNCONTROLLED_HYPERTENSION, approve, complete, evaluation_dict


def sign(user, patient, ev, route, decision="approve", reason=""):
    return services.sign_decision(ctx_for(user), patient, {"evaluation": str(ev.public_id), "route": route, "decision": decision, "override_reason": reason})


def test_prescriber_approves_an_eligible_route_without_a_reason(prescriber, patient):
    ev = complete(prescriber, patient)
    d = sign(prescriber, patient, ev, "iv")
    assert (d.decision, d.engine_outcome, d.version, d.is_override) == ("approve", "eligible", 1, False)
    event = AuditEvent.objects.get(action="eligibility.sign")
    assert event.detail["route"] == "iv" and event.patient_id == str(patient.public_id)


def test_relative_contraindication_needs_a_written_reason_to_approve(prescriber, patient):
    ev = complete(prescriber, patient, evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    before = (EligibilityDecision.objects.count(), AuditEvent.objects.count())
    for reason in ("", "   ", "ok"):
        with pytest.raises(ValidationFailed) as exc:
            sign(prescriber, patient, ev, "iv", reason=reason)
        assert "override_reason" in exc.value.errors and "prescriber review" in exc.value.errors["override_reason"][0]
    assert (EligibilityDecision.objects.count(), AuditEvent.objects.count()) == before
    d = sign(prescriber, patient, ev, "iv", reason="BP 150/95 on amlodipine, cardiology cleared; monitor every 10 min")
    assert d.engine_outcome == "needs_prescriber_review" and d.is_override
    assert "uncontrolled-hypertension-or-cardiovascular-disease" in d.engine_rule_ids


def test_declining_a_route_needs_no_reason(prescriber, patient):
    ev = complete(prescriber, patient, evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    assert sign(prescriber, patient, ev, "iv", decision="decline").decision == "decline"


def test_absolute_contraindication_cannot_be_overridden(prescriber, patient):
    ev = complete(prescriber, patient, evaluation_dict(**HYPERSENSITIVE))
    before = (EligibilityDecision.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict) as exc:
        sign(prescriber, patient, ev, "esketamine_nasal", reason="I accept the risk fully and take responsibility")
    assert "cannot be approved" in exc.value.message and "Hypersensitivity" in exc.value.message
    assert (EligibilityDecision.objects.count(), AuditEvent.objects.count()) == before
    assert sign(prescriber, patient, ev, "esketamine_nasal", decision="decline").decision == "decline"


def test_a_new_decision_supersedes_and_signed_decisions_are_immutable(prescriber, patient):
    ev = complete(prescriber, patient)
    first = sign(prescriber, patient, ev, "im")
    second = sign(prescriber, patient, ev, "im", decision="decline")
    first.refresh_from_db()
    assert second.version == 2 and first.superseded_by == second and first.superseded_at
    assert services.current_decisions(patient)["im"] == second
    first.override_reason = "tampered"
    with pytest.raises(RuntimeError):
        first.save()
    with pytest.raises(RuntimeError):
        second.delete()


def test_decisions_only_on_the_current_completed_evaluation(prescriber, patient):
    old = complete(prescriber, patient)
    complete(prescriber, patient)
    with pytest.raises(Conflict):
        sign(prescriber, patient, old, "iv")
    draft = services.save_evaluation(ctx_for(prescriber), patient, evaluation_dict(), complete=False)
    with pytest.raises(Conflict):
        sign(prescriber, patient, draft, "iv")


@pytest.mark.parametrize("data,field", [
    ({"route": "nasal_magic"}, "route"),
    ({"decision": "maybe"}, "decision"),
    ({"evaluation": "not-a-uuid"}, "evaluation"),
    ({"evaluation": "7b0a4a1e-7c55-4c4b-8d6b-0d3b0b1c2d3e"}, "evaluation"),
])
def test_bad_decision_input_names_the_field_and_writes_nothing(prescriber, patient, data, field):
    ev = complete(prescriber, patient)
    before = (EligibilityDecision.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.sign_decision(ctx_for(prescriber), patient, {"evaluation": str(ev.public_id), "route": "iv", "decision": "approve", **data})
    assert field in exc.value.errors
    assert (EligibilityDecision.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("role", ["front_desk", "nurse", "therapist", "clinic_admin"])
def test_only_a_prescriber_signs_decisions(staff, prescriber, patient, role):
    ev = complete(prescriber, patient)
    user = next(u for r, u in staff.items() if r.value == role)
    with pytest.raises(PermissionDenied):
        approve(user, patient, ev, "iv")
    assert EligibilityDecision.objects.count() == 0


def test_the_override_reasons_minimum_length_is_a_clinic_setting(prescriber, clinic_admin, patient):
    from ketamine_clinic.clinic_settings import change_setting

    ev = complete(prescriber, patient, evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    assert sign(prescriber, patient, ev, "im", reason="BP checked").is_override  # 10 characters: the default
    change_setting(ctx_for(clinic_admin), "screening.override_reason_min_chars", 40, "Fuller reasons for audits")
    with pytest.raises(ValidationFailed) as exc:
        sign(prescriber, patient, ev, "iv", reason="BP 150/95, cardiology cleared")
    assert "at least 40 characters" in exc.value.errors["override_reason"][0]
    assert sign(prescriber, patient, ev, "iv", reason="BP 150/95 on amlodipine, cardiology cleared it").is_override


def test_the_outsider_cannot_sign_a_decision_for_our_patient(api, outsider, prescriber, patient):
    ev = complete(prescriber, patient)
    with pytest.raises(NotFound):
        services.get_screening_patient(ctx_for(outsider), patient.public_id, action="eligibility.sign", audit_action="")
    body = {"evaluation_id": str(ev.public_id), "route": "iv", "decision": "approve"}
    assert_error(api(outsider, "post", f"/patients/{patient.public_id}/decisions", body), 404)
    assert EligibilityDecision.objects.count() == 0
