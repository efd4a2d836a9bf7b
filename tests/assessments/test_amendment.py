"""A submitted response never changes; a correction is a new response that supersedes it."""

import pytest

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import ImmutableResponseError, PatientOutcome, QuestionnaireResponse, SuicideRiskAlert
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from tests.support.assessments import phq9
from tests.support.people import ctx_for


@pytest.fixture
def submitted(patient, nurse):
    return services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=20), mode="staff_paper")


def test_a_submitted_response_cannot_be_saved_again_or_deleted(submitted):
    fresh = QuestionnaireResponse.objects.get(pk=submitted.pk)
    fresh.total = 3
    with pytest.raises(ImmutableResponseError):
        fresh.save()
    with pytest.raises(ImmutableResponseError):
        fresh.delete()
    deferred = QuestionnaireResponse.objects.only("id", "total").get(pk=submitted.pk)
    deferred.total = 1
    with pytest.raises(ImmutableResponseError):
        deferred.save()
    assert QuestionnaireResponse.objects.get(pk=submitted.pk).total == 20


def test_amendment_points_to_the_original_and_supersedes_it_in_outcomes(patient, nurse, prescriber, submitted):
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=9), mode="staff_paper")
    assert PatientOutcome.objects.get(patient=patient).baseline_total == 20
    amended = services.amend_response(ctx_for(prescriber), submitted, phq9(total=18), "Item 1 was transcribed wrongly")
    original = QuestionnaireResponse.objects.get(pk=submitted.pk)
    assert original.superseded_by == amended and original.total == 20 and original.answers == phq9(total=20)
    assert amended.amends == original and amended.amendment_reason == "Item 1 was transcribed wrongly"
    assert amended.total == 18 and amended.completed_at == original.completed_at and amended.entered_by == prescriber
    outcome = PatientOutcome.objects.get(patient=patient)
    assert outcome.baseline_total == 18 and outcome.latest_total == 9 and outcome.responded is True
    assert services.current_points(patient, "phq9")[0][1] == 18
    assert AuditEvent.objects.filter(action="assessment.amend", object_id=str(amended.public_id)).exists()


def test_amendment_needs_a_reason_and_writes_nothing_without_one(patient, prescriber, submitted):
    before = QuestionnaireResponse.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.amend_response(ctx_for(prescriber), submitted, phq9(total=10), "   ")
    assert "reason" in exc.value.errors
    assert QuestionnaireResponse.objects.count() == before
    assert QuestionnaireResponse.objects.get(pk=submitted.pk).superseded_by is None


def test_an_amended_response_cannot_be_amended_twice(prescriber, submitted):
    services.amend_response(ctx_for(prescriber), submitted, phq9(total=10), "Wrong page")
    with pytest.raises(Conflict):
        services.amend_response(ctx_for(prescriber), QuestionnaireResponse.objects.get(pk=submitted.pk), phq9(total=11), "Again")


def test_amendment_with_bad_answers_writes_nothing(prescriber, submitted):
    with pytest.raises(ValidationFailed) as exc:
        services.amend_response(ctx_for(prescriber), submitted, {"phq9-1": 9}, "Fix")
    assert exc.value.errors["phq9-1"][0].startswith("Out of range") and "phq9-2" in exc.value.errors
    assert QuestionnaireResponse.objects.count() == 1


def test_front_desk_cannot_amend(front_desk, submitted):
    with pytest.raises(PermissionDenied):
        services.amend_response(ctx_for(front_desk), submitted, phq9(total=1), "Because")


def test_a_correction_that_reveals_item9_raises_an_alert(prescriber, submitted):
    amended = services.amend_response(ctx_for(prescriber), submitted, phq9(item9=1, total=20), "Item 9 was missed")
    assert SuicideRiskAlert.objects.get().response == amended


def test_amend_page_shows_reason_error_and_then_saves(client_for, prescriber, submitted):
    client = client_for(prescriber)
    form = {k: str(v) for k, v in phq9(total=12).items()}
    bad = client.post(f"/assessments/responses/{submitted.public_id}/amend/", form | {"reason": ""})
    assert bad.status_code == 422 and "Say why this response is being corrected." in bad.content.decode()
    good = client.post(f"/assessments/responses/{submitted.public_id}/amend/", form | {"reason": "Misread item 2"})
    amended = QuestionnaireResponse.objects.get(amends=submitted)
    assert good.status_code == 302 and good["Location"] == f"/assessments/responses/{amended.public_id}/"
    page = client.get(f"/assessments/responses/{submitted.public_id}/").content.decode()
    assert "This response was amended" in page and "Amend</a>" not in page


def test_the_outsider_cannot_amend_our_patients_response(outsider, submitted):
    with pytest.raises(NotFound):
        services.amend_response(ctx_for(outsider), submitted, phq9(total=1), "Because")
    submitted.refresh_from_db()
    assert QuestionnaireResponse.objects.count() == 1 and submitted.superseded_by_id is None
