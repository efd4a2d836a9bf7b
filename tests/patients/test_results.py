"""ECG and laboratory results on the chart (issue 11 item 13): recorded with their interpretation
and report, shown on the chart, and read by the eligibility rules that ask for them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import TestResult
from ketamine_clinic.screening.services import eligibility_of

from tests.support.people import ctx_for
from tests.support.screening import complete, evaluation_dict

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ecg(performed_on, interpretation="normal"):
    return {"kind": "ecg", "name": "12-lead ECG", "performed_on": performed_on.isoformat(),
            "result": "Sinus rhythm 72/min, QTc 420 ms", "interpretation": interpretation}


def test_nurse_records_an_ecg_with_its_report_and_the_chart_shows_it(client_for, nurse, front_desk, outsider, patient):
    client = client_for(nurse)
    upload = SimpleUploadedFile("ecg 2026.pdf", PDF, content_type="application/pdf")
    response = client.post(f"/patients/{patient.public_id}/result/new/", {**ecg(dt.date.today()), "attachment": upload})
    assert response.status_code == 302
    result = TestResult.objects.get(patient=patient)
    assert result.attachment_type == "application/pdf" and bytes(result.attachment) == PDF
    chart = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "12-lead ECG" in chart and "Sinus rhythm 72/min" in chart and "Normal" in chart
    report_url = f"/patients/{patient.public_id}/results/{result.public_id}/report/"
    report = client.get(report_url)
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf" and report.content == PDF
    assert AuditEvent.objects.filter(action="patient.result_attachment", patient_id=str(patient.public_id)).exists()
    assert client_for(outsider).get(report_url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [("ecg.pdf", b"just text, not a PDF", "PDF, PNG or JPEG"), ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "larger than 5 MB")],
)
def test_a_report_that_is_not_a_pdf_or_image_or_too_large_is_refused_and_nothing_is_written(nurse, patient, name, content, error):
    with pytest.raises(ValidationFailed) as exc:
        services.add_subrecord(ctx_for(nurse), patient, "result", ecg(dt.date.today()),
                               attachment=SimpleUploadedFile(name, content))
    assert error in exc.value.errors["attachment"][0]
    assert not TestResult.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("performed_on", (dt.date.today() + dt.timedelta(days=2)).isoformat()), ("interpretation", ""), ("kind", "xray"),
     ("result", "x" * 501)],
)
def test_bad_result_fields_are_field_errors(nurse, patient, field, value):
    with pytest.raises(ValidationFailed) as exc:
        services.add_subrecord(ctx_for(nurse), patient, "result", {**ecg(dt.date.today()), field: value})
    assert field in exc.value.errors
    assert not TestResult.objects.exists()


def test_only_clinical_staff_record_results(front_desk, patient):
    from ketamine_clinic.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_subrecord(ctx_for(front_desk), patient, "result", ecg(dt.date.today()))


@pytest.mark.parametrize(("days_ago", "still_required"), [(None, True), (30, False), (365, False), (366, True)])
def test_a_recent_ecg_on_the_chart_satisfies_the_ecg_prerequisite(nurse, patient, days_ago, still_required):
    evaluation = complete(nurse, patient, evaluation_dict(hypertension=True, hypertension_controlled=True))
    if days_ago is not None:
        services.add_subrecord(ctx_for(nurse), patient, "result", ecg(patient_today(patient) - dt.timedelta(days=days_ago)))
    result = eligibility_of(evaluation)
    ids = {r.rule_id for r in result[Route.IV].reasons}
    assert ("ecg-if-cardiovascular-risk" in ids) is still_required


def test_results_through_the_records_api(client, nurse, outsider, patient):
    import json

    from ketamine_clinic.accounts.services import create_token

    def call(user, method, path, body=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(None, user)}"}
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        return getattr(client, method)(f"/api/v1/patients/{patient.public_id}/records/result{path}", **kwargs, **headers)

    created = call(nurse, "post", "", {"data": ecg(dt.date.today(), "abnormal_not_significant")})
    assert created.status_code == 201 and created.json()["data"]["interpretation"] == "abnormal_not_significant"
    assert call(nurse, "post", "", {"data": {**ecg(dt.date.today()), "kind": "mri"}}).status_code == 422
    assert [r["data"]["name"] for r in call(nurse, "get", "").json()] == ["12-lead ECG"]
    assert call(outsider, "get", "").status_code == 404
