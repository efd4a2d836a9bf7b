"""The session screen shows the predicted curve for the ordered dose (issue 7, item 4)."""

from tests.support.screening import make_ready


def test_session_screen_shows_the_predicted_curve_for_the_order(client_for, prescriber, nurse, patient, new_session):
    make_ready(prescriber, nurse, patient, "iv")
    session = new_session()
    body = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert "Predicted plasma level" in body and "<svg" in body and "Expected peak" in body


def test_therapist_sees_the_session_without_the_planner_curve(client_for, therapist, prescriber, nurse, patient, new_session):
    make_ready(prescriber, nurse, patient, "iv")
    session = new_session()
    response = client_for(therapist).get(f"/sessions/{session.public_id}/")
    assert response.status_code == 200 and "Predicted plasma level" not in response.content.decode()
