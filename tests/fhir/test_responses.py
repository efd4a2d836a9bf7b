"""QuestionnaireResponse: submitted responses with their answers and total, the questionnaire canonical
of the served Questionnaire, searched by patient, questionnaire and authored; drafts never served."""

import pytest
from django.utils import timezone

from ketamine_clinic.assessments import services as assessment_services
from tests.support.assessments import CSSRS_ALL_NO, phq9
from tests.support.people import ctx_for

from .support import fhir, ok, refused, resources

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(nurse, patient):
    ctx = ctx_for(nurse)
    first = assessment_services.submit_response(ctx, patient, "phq9", phq9(total=12), mode="staff_paper")
    screener = assessment_services.submit_response(ctx, patient, "cssrs", CSSRS_ALL_NO, mode="clinician")
    return first, screener


def test_response_carries_answers_total_and_questionnaire_canonical(nurse, submitted, patient):
    first, _ = submitted
    body = ok(fhir(nurse, "get", f"/QuestionnaireResponse/{first.public_id}"))
    questionnaire = ok(fhir(nurse, "get", "/Questionnaire/phq9"))
    assert body["questionnaire"] == f"{questionnaire['url']}|{first.instrument_version}"
    assert body["status"] == "completed" and body["subject"]["reference"] == f"Patient/{patient.public_id}"
    answers = {i["linkId"]: i["answer"][0] for i in body["item"]}
    offered = {i["linkId"]: i for i in questionnaire["item"]}
    for link_id, value in first.answers.items():
        coding = answers[link_id]["valueCoding"]
        assert coding in [o["valueCoding"] for o in offered[link_id]["answerOption"]]
        option = offered[link_id]["answerOption"][[o["valueCoding"] for o in offered[link_id]["answerOption"]].index(coding)]
        assert option["extension"][0]["valueDecimal"] == value
    assert answers["phq9-total"] == {"valueInteger": 12}
    assert body["author"]["reference"] == f"Practitioner/{nurse.public_id}"


def test_search_by_patient_questionnaire_and_authored(nurse, submitted, patient):
    first, screener = submitted
    def ids(query):
        return [r["id"] for r in resources(ok(fhir(nurse, "get", f"/QuestionnaireResponse?{query}")))]
    today = timezone.localdate().isoformat()
    assert set(ids(f"patient=Patient/{patient.public_id}")) == {str(first.public_id), str(screener.public_id)}
    url = ok(fhir(nurse, "get", "/Questionnaire/phq9"))["url"]
    for value in ("phq9", "Questionnaire/phq9", url, f"{url}|{first.instrument_version}"):
        assert ids(f"questionnaire={value}") == [str(first.public_id)], value
    assert set(ids(f"authored={today}")) == {str(first.public_id), str(screener.public_id)}
    assert ids("authored=lt2000-01-01") == []
    cssrs = ok(fhir(nurse, "get", f"/QuestionnaireResponse/{screener.public_id}"))
    assert {"valueBoolean": False} in [i["answer"][0] for i in cssrs["item"]]


def test_drafts_are_never_served(nurse, patient, submitted):
    draft = assessment_services.save_draft(ctx_for(nurse), patient, "phq9", {"phq9-1": 2}, mode="staff_paper")
    refused(fhir(nurse, "get", f"/QuestionnaireResponse/{draft.public_id}"), 404)
    assert str(draft.public_id) not in {r["id"] for r in resources(ok(fhir(nurse, "get", "/QuestionnaireResponse")))}


def test_needs_assessment_view_and_outsider_sees_none(front_desk, outsider, submitted):
    refused(fhir(front_desk, "get", "/QuestionnaireResponse"), 403)
    refused(fhir(outsider, "get", f"/QuestionnaireResponse/{submitted[0].public_id}"), 404)
    assert ok(fhir(outsider, "get", "/QuestionnaireResponse"))["total"] == 0
