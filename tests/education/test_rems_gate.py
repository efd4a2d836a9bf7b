"""Esketamine: the patient's acknowledgement of the education page before REMS enrollment, an item
on the enrollment page; a hard stop only when the clinic makes it one."""

import datetime as dt

import pytest

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.education import gates, services
from ketamine_clinic.screening import services as screening
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def _enroll(nurse, prescriber, patient):
    return screening.enroll_rems(ctx_for(nurse), patient, {
        "enrolled_on": dt.date.today().isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)})


def test_by_default_the_item_shows_but_does_not_block(nurse, prescriber, patient, client_for):
    item = gates.rems_education_item(patient)
    assert not item.done and not item.hard_stop and "Not sent yet" in item.message
    page = client_for(nurse).get(f"/screening/patients/{patient.public_id}/rems/").content.decode()
    assert "Esketamine education page acknowledged by the patient" in page
    assert _enroll(nurse, prescriber, patient)


def test_as_a_hard_stop_enrollment_waits_for_the_acknowledgement(nurse, prescriber, clinic_admin, portal_user, patient, client_for):
    change_setting(ctx_for(clinic_admin), "education.esketamine_ack_before_rems_hard_stop", "true", "Med Guide first")
    with pytest.raises(Conflict) as exc:
        _enroll(nurse, prescriber, patient)
    assert "education" in exc.value.errors and screening.current_rems(patient) is None
    response = client_for(nurse).post(f"/screening/patients/{patient.public_id}/rems/", {
        "enrolled_on": dt.date.today().isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)})
    assert response.status_code == 409 and b"not acknowledged the esketamine education page" in response.content
    row = services.assign_pack(ctx_for(nurse), patient, "esketamine_nasal")
    rems_page = next(r for r in row if r.page_slug == "esketamine-rems")
    assert "Sent, not yet acknowledged" in gates.rems_education_item(patient).message
    services.acknowledge_assignment(ctx_for(portal_user), patient, rems_page.public_id)
    assert gates.rems_education_item(patient).done
    assert _enroll(nurse, prescriber, patient)
