"""Who sees what: a patient only their own, staff by role, the outsider nothing."""

import pytest

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import QuestionnaireResponse

from tests.support.factories import PatientFactory
from tests.support.assessments import phq9
from tests.support.people import make_user
from tests.support.people import ctx_for


@pytest.fixture
def response(patient, nurse):
    return services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=1, total=14), mode="staff_paper")


@pytest.fixture
def other_patient(front_desk, org):
    other = PatientFactory(registered_by=front_desk, given_name="Sam", family_name="Other")
    other.portal_user = make_user(org, "other_portal", kind="patient")
    other.save(update_fields=["portal_user"])
    return other


def test_portal_patient_lists_only_their_own_responses(api, client, portal_user, patient, other_patient, response):
    client.force_login(portal_user)
    own = client.get(f"/api/v1/patients/{patient.public_id}/responses")
    assert own.status_code == 200 and [r["id"] for r in own.json()] == [str(response.public_id)]
    assert client.get(f"/api/v1/patients/{other_patient.public_id}/responses").status_code == 404
    body = {"instrument_key": "phq9", "answers": phq9()}
    assert client.post(f"/api/v1/patients/{other_patient.public_id}/responses", body, content_type="application/json").status_code == 404
    created = client.post(f"/api/v1/patients/{patient.public_id}/responses", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["mode"] == "portal"
    assert client.get("/api/v1/alerts").status_code == 403


def test_portal_patient_cannot_open_staff_assessment_pages(client_for, portal_user, patient, response):
    client = client_for(portal_user)
    for url in (f"/assessments/patients/{patient.public_id}/", f"/assessments/responses/{response.public_id}/",
                f"/assessments/patients/{patient.public_id}/trajectory/", "/assessments/alerts/", "/assessments/outcomes/"):
        assert client.get(url).status_code in (302, 403), url


def test_portal_pages_show_only_own_record(client_for, other_patient, patient, response):
    from ketamine_clinic.accounts.models import User

    client = client_for(User.objects.get(username="other_portal"))
    body = client.get("/assessments/portal/").content.decode()
    assert "14" not in body.split("What I have sent")[1].split("</table>")[0]
    assert client.get(f"/assessments/portal/done/{response.public_id}/").status_code == 404


def test_outsider_sees_nothing(api, client_for, outsider, patient, response):
    assert api(outsider, "get", f"/patients/{patient.public_id}/responses").status_code == 404
    assert api(outsider, "get", "/alerts?status=all").json() == []
    alert_id = response.alert.public_id
    assert api(outsider, "post", f"/alerts/{alert_id}/acknowledge", {"action_taken": "Not mine at all"}).status_code == 404
    client = client_for(outsider)
    assert client.get(f"/assessments/patients/{patient.public_id}/").status_code == 404
    assert client.get(f"/assessments/responses/{response.public_id}/").status_code == 404
    assert client.get(f"/assessments/patients/{patient.public_id}/trajectory/").status_code == 404
    assert api(outsider, "get", "/outcomes/summary").json()["overall"]["patients"] == 0


@pytest.mark.parametrize(
    "role,view,enter,ack,outcomes",
    [
        ("prescriber", 200, 200, 200, 200),
        ("nurse", 200, 200, 200, 200),
        ("therapist", 200, 200, 200, 200),
        ("front_desk", 403, 403, 403, 403),
        ("clinic_admin", 403, 403, 403, 200),
    ],
)
def test_role_matrix_on_the_api(api, staff, patient, response, role, view, enter, ack, outcomes):
    from ketamine_clinic.accounts.permissions import Role

    user = staff[Role(role)]
    assert api(user, "get", f"/patients/{patient.public_id}/responses").status_code == view
    assert api(user, "post", f"/patients/{patient.public_id}/responses", {"instrument_key": "gad7", "answers": {f"gad7-{n}": 0 for n in range(1, 8)}}).status_code == (201 if enter == 200 else 403)
    ack_status = api(user, "post", f"/alerts/{response.alert.public_id}/acknowledge", {"action_taken": "Phoned; safety plan in place"}).status_code
    assert ack_status == ack
    assert api(user, "get", "/outcomes/summary").status_code == outcomes


def test_front_desk_can_create_a_tablet_link_but_not_read_scores(client_for, front_desk, patient, response):
    client = client_for(front_desk)
    assert client.get(f"/assessments/patients/{patient.public_id}/").status_code == 403
    created = client.post(f"/assessments/patients/{patient.public_id}/link/", {"instrument": "phq9", "purpose": "tablet"})
    assert created.status_code == 200 and "/assessments/link/" in created.content.decode()
    assert QuestionnaireResponse.objects.count() == 1
