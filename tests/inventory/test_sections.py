"""The chart section (administrations with container ids) and the Today section (DEA deadlines for
clinic admins, open draws for the clinician who drew), per role, with the outsider."""

import pytest
from django.template.loader import render_to_string

from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.sections import chart_context, today_context

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def _request(rf, user):
    request = rf.get("/")
    request.user = user
    return request


def test_chart_lists_the_patients_administrations_with_container_ids(rf, nurse, prescriber, therapist, front_desk, outsider, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "35"})
    services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "35"})
    shown = chart_context(_request(rf, prescriber), patient)
    assert [(e.container.label, e.quantity_mg) for e in shown["administrations"]] == [(vials[0].label, 35)]
    for user in (therapist, front_desk, outsider):
        assert chart_context(_request(rf, user), patient) == {"visible": False}


def test_today_shows_deadlines_to_admins_and_open_draws_to_who_drew(rf, clinic_admin, nurse, prescriber, patient, vials):
    assert today_context(_request(rf, clinic_admin))["visible"] is False
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "40"})
    assert [d for d, _ in today_context(_request(rf, nurse))["open_draws"]] == [drawn]
    assert today_context(_request(rf, prescriber))["open_draws"] == []
    services.record_loss(ctx_for(clinic_admin), {"container": vials[1].label, "all": True, "theft": True, "explanation": "Missing"})
    admin_view = today_context(_request(rf, clinic_admin))
    assert admin_view["visible"] and {d.kind for d in admin_view["deadlines"]} == {"written_notice", "form_106"}
    assert today_context(_request(rf, nurse))["deadlines"] == []


def test_the_section_templates_render_from_their_dicts_alone(rf, clinic_admin, nurse, therapist, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "40"})
    services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "35"})
    chart = render_to_string("inventory/_chart_section.html", chart_context(_request(rf, nurse), patient))
    assert "Controlled substances given" in chart and vials[0].label in chart and "35 mg (0.7 mL)" in chart
    hidden = render_to_string("inventory/_chart_section.html", chart_context(_request(rf, therapist), patient))
    assert "Controlled substances" not in hidden and vials[0].label not in hidden
    today = render_to_string("inventory/_today.html", today_context(_request(rf, nurse)))
    assert vials[0].label in today and "5 mg still to give, waste or return" in today
    services.record_loss(ctx_for(clinic_admin), {"container": vials[1].label, "all": True, "theft": True, "explanation": "Missing"})
    assert "Form 106" in render_to_string("inventory/_today.html", today_context(_request(rf, clinic_admin)))
