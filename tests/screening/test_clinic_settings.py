import copy

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.screening import services

from tests.support.people import ctx_for
from tests.support.screening import BASE_EVALUATION, complete


def test_the_clinics_own_bp_caution_threshold_changes_the_result(prescriber, clinic_admin, patient, outsider):
    data = copy.deepcopy(BASE_EVALUATION)
    data["baseline_vitals"]["systolic_mmhg"] = 135
    evaluation = complete(prescriber, patient, data)
    before = services.eligibility_of(evaluation)
    assert not any(r.rule_id.startswith("baseline_bp") for r in before["iv"].reasons)
    change_setting(ctx_for(clinic_admin), "eligibility.bp_caution_systolic_mmhg", 130, "Stricter local policy")
    after = services.eligibility_of(evaluation)
    new_rules = {r.rule_id for r in after["iv"].reasons} - {r.rule_id for r in before["iv"].reasons}
    assert new_rules and all("bp" in rule or "blood_pressure" in rule for rule in new_rules), new_rules
    assert services.clinic_policy(outsider.organization_id)["eligibility.bp_caution_systolic_mmhg"] == 140
