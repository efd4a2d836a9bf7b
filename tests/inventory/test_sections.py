"""The chart section (administrations with container ids) and the Today section (DEA deadlines for
clinic admins, open draws for the clinician who drew), per role, with the outsider."""

import pytest

from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.sections import chart_context, today_context

from ..conftest import ctx_for

pytestmark = pytest.mark.django_db


def test_chart_lists_the_patients_administrations_with_container_ids(nurse, prescriber, therapist, front_desk, outsider, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "35"})
    services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "35"})
    shown = chart_context(prescriber, patient)
    assert [(e.container.label, e.quantity_mg) for e in shown["administrations"]] == [(vials[0].label, 35)]
    for user in (therapist, front_desk, outsider):
        assert chart_context(user, patient) == {"visible": False}


def test_today_shows_deadlines_to_admins_and_open_draws_to_who_drew(clinic_admin, nurse, prescriber, patient, vials):
    assert today_context(clinic_admin)["visible"] is False
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "40"})
    assert [d for d, _ in today_context(nurse)["open_draws"]] == [drawn]
    assert today_context(prescriber)["open_draws"] == []
    services.record_loss(ctx_for(clinic_admin), {"container": vials[1].label, "all": True, "theft": True, "explanation": "Missing"})
    admin_view = today_context(clinic_admin)
    assert admin_view["visible"] and {d.kind for d in admin_view["deadlines"]} == {"written_notice", "form_106"}
    assert today_context(nurse)["deadlines"] == []


def test_the_chart_and_today_pages_show_the_sections(client_for, clinic_admin, nurse, therapist, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "40"})
    services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "35"})
    chart = client_for(nurse).get(f"/patients/{patient.public_id}/").content.decode()
    assert "Controlled substances given" in chart and vials[0].label in chart
    assert vials[0].label in client_for(nurse).get("/").content.decode()  # 5 mg still to waste or return
    assert "Controlled substances given" not in client_for(therapist).get(f"/patients/{patient.public_id}/").content.decode()
    services.record_loss(ctx_for(clinic_admin), {"container": vials[1].label, "all": True, "theft": True, "explanation": "Missing"})
    assert "Form 106" in client_for(clinic_admin).get("/").content.decode()
