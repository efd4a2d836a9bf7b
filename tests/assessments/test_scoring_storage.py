"""The stored score of every instrument, at the lower edge of each of its bands, end to end
through the API: answers in, the row in the database holds what the clinical core computed."""

import pytest

from ketamine_clinic.assessments.models import QuestionnaireResponse, SuicideRiskAlert
from ketamine_clinic.assessments.policy import clinic_settings
from ketamine_clinic.clinical import instruments as ci

from tests.support.assessments import CSSRS_ALL_NO, answers_for_total

CASES = []
for _key, _instrument in ci.INSTRUMENTS.items():
    if not _instrument.has_total:
        continue
    _bands = ci.bands_for(_instrument, clinic_settings())
    if _bands:
        CASES += [pytest.param(_key, b.minimum, b.key, id=f"{_key}-{b.key}@{b.minimum}") for b in _bands]
        CASES += [pytest.param(_key, _bands[0].maximum, _bands[0].key, id=f"{_key}-{_bands[0].key}@{_bands[0].maximum}")]
    else:
        CASES.append(pytest.param(_key, _instrument.total_max, "", id=f"{_key}-max"))


@pytest.mark.parametrize("key,total,band", CASES)
def test_score_is_stored_at_every_band_edge(api, nurse, patient, key, total, band):
    answers = answers_for_total(key, total)
    response = api(nurse, "post", f"/patients/{patient.public_id}/responses", {"instrument_key": key, "answers": answers})
    assert response.status_code == 201, response.json()
    body = response.json()
    stored = QuestionnaireResponse.objects.get(public_id=body["id"])
    expected = ci.score(key, answers)
    assert stored.total == total == body["total"]
    assert stored.band == band == (body["band"] or "")
    assert stored.band_label == (expected.band_label or "")
    assert stored.recall_period == ci.get_instrument(key).recall_period == body["recall_period"]
    assert stored.loinc_total == (expected.loinc_total or "")
    assert stored.subscores == dict(expected.subscores)
    assert stored.answers == dict(expected.answers)
    assert stored.suicide_risk is expected.suicide_risk
    assert stored.status == "submitted" and stored.mode == "staff_paper" and stored.entered_by == nurse
    assert stored.instrument_version == ci.get_instrument(key).version


def test_phq9_item9_flag_and_suicide_risk_are_stored(api, nurse, patient):
    answers = answers_for_total("phq9", 0) | {"phq9-9": 2}
    body = api(nurse, "post", f"/patients/{patient.public_id}/responses", {"instrument_key": "phq9", "answers": answers}).json()
    stored = QuestionnaireResponse.objects.get(public_id=body["id"])
    assert stored.total == 2 and stored.band == "none" and stored.suicide_risk
    assert [f["flag"] for f in stored.item_flags] == ["phq9_item9_positive"] and stored.item_flags[0]["value"] == 2
    assert body["item_flags"][0]["link_id"] == "phq9-9" and body["alert_id"]


@pytest.mark.parametrize(
    "answers,level,alert",
    [
        (CSSRS_ALL_NO, "none", False),
        ({**CSSRS_ALL_NO, "cssrs-1": True}, "low", True),
        ({**CSSRS_ALL_NO, "cssrs-2": True, "cssrs-3": True, "cssrs-4": False, "cssrs-5": False}, "moderate", True),
        ({**CSSRS_ALL_NO, "cssrs-2": True, "cssrs-3": False, "cssrs-4": True, "cssrs-5": False}, "high", True),
        ({**CSSRS_ALL_NO, "cssrs-6": True, "cssrs-6a": True}, "high", True),
    ],
)
def test_cssrs_risk_level_is_stored_and_any_yes_raises_an_alert(api, nurse, patient, answers, level, alert):
    response = api(nurse, "post", f"/patients/{patient.public_id}/responses", {"instrument_key": "cssrs", "answers": answers, "mode": "clinician"})
    assert response.status_code == 201, response.json()
    stored = QuestionnaireResponse.objects.get(public_id=response.json()["id"])
    assert stored.total is None and stored.risk_level == level and stored.mode == "clinician"
    assert stored.suicide_risk is alert
    assert SuicideRiskAlert.objects.filter(response=stored).exists() is alert
