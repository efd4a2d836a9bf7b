from decimal import Decimal

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import all_settings
from ketamine_clinic.clinical.sources import SOURCES
from ketamine_clinic.clinic_settings import change_setting, history, policy_for
from ketamine_clinic.core.errors import NotFound, PermissionDenied, ValidationFailed

from tests.support.people import ctx_for

KEY = "session.predose.hold_systolic_mmhg"


def test_every_setting_has_a_known_source_and_sane_bounds():
    settings = all_settings()
    assert len(settings) > 50
    for key, s in settings.items():
        assert s.source in SOURCES, key
        if s.minimum is not None and s.maximum is not None and not isinstance(s.default, (bool, str)):
            assert s.minimum <= s.default <= s.maximum, key


def test_defaults_apply_until_a_clinic_changes_a_value(org, clinic_admin):
    assert policy_for(org, "session.predose.")[KEY] == 180
    change_setting(ctx_for(clinic_admin), KEY, "170", "Board decision 2026-11")
    assert policy_for(org)[KEY] == 170


def test_changes_are_versioned_audited_and_per_organization(org, clinic_admin, outsider):
    change_setting(ctx_for(clinic_admin), KEY, 170, "first")
    change_setting(ctx_for(clinic_admin), KEY, 175, "second")
    assert [r.value for r in history(org, KEY)] == [175, 170]
    assert policy_for(outsider.organization)[KEY] == 180
    assert AuditEvent.objects.filter(action="org.setting_change", object_id=KEY).count() == 2


@pytest.mark.parametrize("value,message", [("abc", "number"), ("500", "At most"), ("1", "At least"), ("nan", "number"), ("172.5", "whole")])
def test_bad_values_are_refused_with_a_message(clinic_admin, value, message):
    with pytest.raises(ValidationFailed) as exc:
        change_setting(ctx_for(clinic_admin), KEY, value, "reason")
    assert message in exc.value.errors["value"][0]


def test_a_reason_is_required(clinic_admin):
    with pytest.raises(ValidationFailed) as exc:
        change_setting(ctx_for(clinic_admin), KEY, 170, "  ")
    assert "reason" in exc.value.errors


def test_decimal_and_bool_settings_round_trip(org, clinic_admin):
    settings = all_settings()
    dec_key = next(k for k, s in settings.items() if isinstance(s.default, Decimal))
    bool_key = next(k for k, s in settings.items() if isinstance(s.default, bool))
    change_setting(ctx_for(clinic_admin), dec_key, str(settings[dec_key].default), "same value, recorded")
    change_setting(ctx_for(clinic_admin), bool_key, "true", "policy")
    values = policy_for(org)
    assert values[dec_key] == settings[dec_key].default and isinstance(values[dec_key], Decimal)
    assert values[bool_key] is True


def test_only_clinic_admins_change_settings(prescriber):
    with pytest.raises(PermissionDenied):
        change_setting(ctx_for(prescriber), KEY, 170, "why not")


def test_unknown_key_is_not_found(clinic_admin):
    with pytest.raises(NotFound):
        change_setting(ctx_for(clinic_admin), "session.nope", 1, "x")


def test_settings_page_labels_clinic_policy_and_changes_through_the_form(client_for, clinic_admin, org):
    client = client_for(clinic_admin)
    body = client.get("/clinic-admin/settings/").content.decode()
    assert "clinic policy" in body and KEY in body and "Spravato" in body
    client.post(f"/clinic-admin/settings/{KEY}/", {"value": "165", "reason": "tighter"})
    assert policy_for(org)[KEY] == 165
    client.post(f"/clinic-admin/settings/{KEY}/", {"value": "9999", "reason": "typo"})
    assert policy_for(org)[KEY] == 165


def test_workflow_settings_of_the_web_layer_are_in_the_store_too(org, clinic_admin):
    assert "alerts.suicide_risk.escalate_after_min" in all_settings() and "pk.display.ceiling_ng_ml" in all_settings()
    change_setting(ctx_for(clinic_admin), "alerts.suicide_risk.escalate_after_min", 30, "Faster escalation")
    from ketamine_clinic.assessments import policy

    assert policy.escalate_after(org).total_seconds() == 30 * 60


def test_an_unknown_questionnaire_in_the_predose_measures_is_refused(org, clinic_admin):
    key = "treatments.predose_measures.depression"
    with pytest.raises(ValidationFailed) as exc:
        change_setting(ctx_for(clinic_admin), key, "phq9,phq99", "typo")
    assert "phq99" in exc.value.errors["value"][0]
    change_setting(ctx_for(clinic_admin), key, "phq9, GAD7", "add anxiety")
    from ketamine_clinic.treatments.policy import predose_measures

    assert predose_measures(org)["depression"] == ("phq9", "gad7")


def test_a_clinic_may_set_the_syringe_resolution_to_its_smallest_step(org, clinic_admin):
    change_setting(ctx_for(clinic_admin), "session.dose.volume_increment_ml", "0.01", "1 mL syringes")
    assert policy_for(org)["session.dose.volume_increment_ml"] == Decimal("0.01")
