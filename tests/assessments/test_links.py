"""One-time links (clinic tablet, email): hashed token, single use, expiry, only that questionnaire."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import MeasureLink, QuestionnaireResponse, SuicideRiskAlert
from ketamine_clinic.core.errors import ValidationFailed

from tests.support.assessments import phq9
from tests.support.people import ctx_for


def _form(answers):
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in answers.items()}


def test_tablet_link_works_once_without_login_and_is_stored_hashed(client, front_desk, patient, prescriber_on_team):
    link, raw = services.create_link(ctx_for(front_desk), patient, "phq9", "tablet")
    assert link.token_sha256 == MeasureLink.digest(raw) and not MeasureLink.objects.filter(token_sha256=raw).exists()
    assert link.expires_at - link.created_at == dt.timedelta(minutes=60)
    page = client.get(f"/assessments/link/{raw}/")
    body = page.content.decode()
    assert page.status_code == 200 and "Patient Health Questionnaire-9" in body
    assert "Avery" not in body and "GAD-7" not in body  # only that questionnaire, nothing about the patient
    done = client.post(f"/assessments/link/{raw}/", _form(phq9(item9=2, total=12)) | {"action": "submit"})
    assert done.status_code == 200 and "988" in done.content.decode() and "help is available now" in done.content.decode()
    response = QuestionnaireResponse.objects.get()
    assert response.mode == "tablet" and response.entered_by is None and response.link == link and response.total == 12
    assert SuicideRiskAlert.objects.filter(response=response).exists()
    again = client.get(f"/assessments/link/{raw}/")
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.post(f"/assessments/link/{raw}/", _form(phq9()) | {"action": "submit"}).status_code == 410
    assert QuestionnaireResponse.objects.count() == 1


def test_expired_and_unknown_links_are_refused(client, front_desk, patient):
    link, raw = services.create_link(ctx_for(front_desk), patient, "gad7", "tablet")
    MeasureLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.get(f"/assessments/link/{raw}/")
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert client.get("/assessments/link/not-a-real-token/").status_code == 404


def test_partial_answers_on_a_link_are_kept_as_a_draft(client, front_desk, patient):
    _, raw = services.create_link(ctx_for(front_desk), patient, "phq9", "tablet")
    saved = client.post(f"/assessments/link/{raw}/", {"phq9-1": "2", "phq9-2": "1", "action": "save"})
    assert saved.status_code == 302
    draft = QuestionnaireResponse.objects.get()
    assert draft.status == "draft" and draft.answers == {"phq9-1": 2, "phq9-2": 1} and draft.total is None
    assert 'value="2" checked' in client.get(f"/assessments/link/{raw}/").content.decode()
    client.post(f"/assessments/link/{raw}/", _form(phq9(total=5)) | {"action": "submit"})
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.total == 5 and QuestionnaireResponse.objects.count() == 1


def test_emailed_link_reaches_the_patient_and_records_its_mode(client, nurse, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        link = services.send_measure_link(ctx_for(nurse), patient, "phq9", base_url="http://clinic.test/")
    assert link.purpose == "email" and mail.outbox[0].to == ["jordan@example.org"]
    raw = re.search(r"/assessments/link/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert MeasureLink.digest(raw) == link.token_sha256 and "http://clinic.test/assessments/link/" in mail.outbox[0].body
    client.post(f"/assessments/link/{raw}/", _form(phq9(total=3)) | {"action": "submit"})
    assert QuestionnaireResponse.objects.get().mode == "email_link"


def test_link_needs_an_email_address_and_a_self_report_instrument(nurse, patient, outsider):
    patient.email = ""
    patient.save(update_fields=["email"])
    with pytest.raises(ValidationFailed) as exc:
        services.send_measure_link(ctx_for(nurse), patient, "phq9")
    assert "email" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_link(ctx_for(nurse), patient, "madrs", "tablet")
    assert "instrument_key" in exc.value.errors
    assert MeasureLink.objects.count() == 0


def test_send_link_from_the_patient_page(client_for, therapist, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(therapist).post(f"/assessments/patients/{patient.public_id}/link/", {"instrument": "gad7", "purpose": "email"})
    assert response.status_code == 302 and len(mail.outbox) == 1 and "/assessments/link/" in mail.outbox[0].body


def test_a_staff_member_signed_in_on_the_tablet_is_not_recorded_as_the_respondent(client_for, front_desk, patient):
    _, raw = services.create_link(ctx_for(front_desk), patient, "gad7", "tablet")
    client = client_for(front_desk)
    client.post(f"/assessments/link/{raw}/", {f"gad7-{n}": "1" for n in range(1, 8)} | {"action": "submit"})
    response = QuestionnaireResponse.objects.get()
    assert response.mode == "tablet" and response.entered_by is None and response.total == 7
