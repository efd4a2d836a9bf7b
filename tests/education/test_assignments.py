"""Sending pages, the patient opening and acknowledging them in the portal, the chart's view of it,
the API, permissions (the outsider clinic included), and concurrent sends on PostgreSQL."""

import json

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.education import services
from ketamine_clinic.education.models import EducationAssignment
from tests.support.concurrency import race
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_a_route_pack_sends_its_pages_once(nurse, patient):
    rows = services.assign_pack(ctx_for(nurse), patient, "esketamine_nasal")
    slugs = {r.page_slug for r in rows}
    assert {"what-to-expect-esketamine", "esketamine-rems", "preparing-for-a-session", "bladder-symptoms"} <= slugs
    assert "what-to-expect-iv" not in slugs and "after-a-session" not in slugs
    again = services.assign_pack(ctx_for(nurse), patient, "esketamine_nasal")
    assert [r.pk for r in again] == [r.pk for r in rows]
    assert EducationAssignment.objects.count() == len(rows)


def test_the_sent_text_keeps_the_clinic_numbers_of_that_day(nurse, clinic_admin, patient):
    from ketamine_clinic.clinic_settings import change_setting

    change_setting(ctx_for(clinic_admin), "session.fasting.iv.food_min", "360", "Anaesthesia advice")
    row = services.assign_pages(ctx_for(nurse), patient, ["preparing-for-a-session"])[0]
    assert "| Infusion (drip) | 6 hours |" in row.body_markdown and row.page_version == 1


@pytest.mark.parametrize("bad", [{"slugs": []}, {"slugs": ["no-such-page"]}])
def test_unknown_pages_are_refused(nurse, patient, bad):
    with pytest.raises(ValidationFailed):
        services.assign_pages(ctx_for(nurse), patient, bad["slugs"])
    assert not EducationAssignment.objects.exists()


def test_who_may_send(front_desk, clinic_admin, outsider, patient, therapist):
    for user in (front_desk, clinic_admin):
        with pytest.raises(PermissionDenied):
            services.assign_pages(ctx_for(user), patient, ["bladder-symptoms"])
    with pytest.raises((PermissionDenied, NotFound)):
        services.assign_pages(ctx_for(outsider), patient, ["bladder-symptoms"])
    assert services.assign_pages(ctx_for(therapist), patient, ["bladder-symptoms"])


def test_the_patient_opens_and_acknowledges_in_the_portal_and_the_chart_shows_it(client_for, nurse, portal_user, patient, front_desk, outsider):
    row = services.assign_pages(ctx_for(nurse), patient, ["after-a-session"])[0]
    client = client_for(portal_user)
    home = client.get("/portal/").content.decode()
    assert row.page_title in home and "new" in home
    page = client.get(f"/education/mine/{row.public_id}/")
    assert page.status_code == 200 and b"Do not drive or use machines for 24 hours." in page.content
    row.refresh_from_db()
    assert row.opened_at is not None and row.acknowledged_at is None
    assert client.post(f"/education/mine/{row.public_id}/acknowledge/").status_code == 302
    row.refresh_from_db()
    assert row.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="education.acknowledge", object_id=str(row.public_id)).exists()
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from ketamine_clinic.education import sections

    request = RequestFactory().get("/")
    request.user = front_desk
    chart = render_to_string("education/_chart_section.html", sections.chart_context(request, patient))
    assert "After your treatment" in chart and "v1" in chart and timezone.localtime(row.acknowledged_at).strftime("%Y-%m-%d") in chart
    assert "Send page" not in chart  # front desk sees what was sent, sends nothing
    request.user = outsider
    assert sections.chart_context(request, patient) == {"visible": False}


def test_a_second_acknowledgement_is_a_clear_conflict(nurse, portal_user, patient):
    row = services.assign_pages(ctx_for(nurse), patient, ["bladder-symptoms"])[0]
    services.acknowledge_assignment(ctx_for(portal_user), patient, row.public_id)
    with pytest.raises(Conflict, match="already confirmed"):
        services.acknowledge_assignment(ctx_for(portal_user), patient, row.public_id)


def test_a_patient_reaches_only_their_own_pages(client_for, nurse, patient, outsider, outsider_patient, org):
    from tests.support.people import make_user

    row = services.assign_pages(ctx_for(nurse), patient, ["bladder-symptoms"])[0]
    other = make_user(outsider_patient.organization, "other_portal", kind="patient")
    outsider_patient.portal_user = other
    outsider_patient.save(update_fields=["portal_user"])
    client = client_for(other)
    assert client.get(f"/education/mine/{row.public_id}/").status_code == 404
    assert client.post(f"/education/mine/{row.public_id}/acknowledge/").status_code == 404
    assert client.post(f"/api/v1/me/education/{row.public_id}/acknowledge").status_code == 404
    row.refresh_from_db()
    assert row.opened_at is None and row.acknowledged_at is None


def test_the_api_sends_lists_and_acknowledges(client_for, nurse, portal_user, patient, outsider):
    staff = client_for(nurse)
    sent = staff.post(f"/api/v1/patients/{patient.public_id}/education", json.dumps({"pages": ["good-faith-estimate"]}),
                      content_type="application/json")
    assert sent.status_code == 201 and sent.json()[0]["status"] == "sent"
    bad = staff.post(f"/api/v1/patients/{patient.public_id}/education", json.dumps({"route": "rectal"}), content_type="application/json")
    assert bad.status_code == 422 and "route" in bad.json()["errors"]
    page = staff.get("/api/v1/education/pages/preparing-for-a-session").json()
    assert "<table>" in page["html"] and "4 hours" in page["html"]
    me = client_for(portal_user)
    mine = me.get("/api/v1/me/education").json()
    assert [m["page_slug"] for m in mine] == ["good-faith-estimate"]
    assert me.post(f"/api/v1/me/education/{mine[0]['id']}/acknowledge").json()["status"] == "acknowledged"
    assert client_for(nurse).get(f"/api/v1/patients/{patient.public_id}/education").json()[0]["status"] == "acknowledged"
    assert client_for(outsider).get(f"/api/v1/patients/{patient.public_id}/education").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_page_keep_one_assignment(nurse, prescriber, patient):
    """Real concurrent transactions on PostgreSQL (threads, own connections, bounded in time);
    SQLite's test database runs the same workers one after another."""
    results = race(*(lambda u=u: services.assign_pages(ctx_for(u), patient, ["bladder-symptoms"])[0].pk
                     for u in (nurse, prescriber)))
    assert len(results) == 2 and len(set(results)) == 1
    assert EducationAssignment.objects.filter(page_slug="bladder-symptoms").count() == 1
    assert AuditEvent.objects.filter(action="education.assign").count() == 1


@pytest.fixture
def bookable(clinic_admin, location):
    from ketamine_clinic.plans import scheduling

    ctx = ctx_for(clinic_admin)
    scheduling.set_opening_hours(ctx, location, {d: "08:00-18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    scheduling.add_resource(ctx, location, {"name": "Chair 1", "kind": "chair"})
    return location


def test_activating_a_plan_sends_the_routes_pack(ready, bookable, prescriber, nurse, clinic_admin, patient, location):
    import datetime as dt

    from ketamine_clinic.plans import services as plans

    plan_now = dt.datetime(2030, 3, 1, 15, 0, tzinfo=dt.UTC)
    ready("iv")
    data = {"protocol": "iv-racemic-induction", "location": str(location.public_id), "start_date": "2030-03-04", "preferred_time": "09:00"}
    plans.activate_plan(ctx_for(prescriber), plans.create_plan(ctx_for(nurse), patient, data, now=plan_now), now=plan_now)
    sent = set(EducationAssignment.objects.filter(patient=patient).values_list("page_slug", flat=True))
    assert {"what-to-expect-iv", "preparing-for-a-session"} <= sent and "esketamine-rems" not in sent
    assert set(EducationAssignment.objects.values_list("assigned_because", flat=True)) == {"iv pack (plan activated)"}


def test_the_clinic_can_turn_the_automatic_pack_off(ready, bookable, prescriber, nurse, clinic_admin, patient, location):
    import datetime as dt

    from ketamine_clinic.clinic_settings import change_setting
    from ketamine_clinic.plans import services as plans

    change_setting(ctx_for(clinic_admin), "education.send_pack_on_plan_activation", "false", "Staff send pages by hand")
    plan_now = dt.datetime(2030, 3, 1, 15, 0, tzinfo=dt.UTC)
    ready("iv")
    data = {"protocol": "iv-racemic-induction", "location": str(location.public_id), "start_date": "2030-03-04", "preferred_time": "09:00"}
    plans.activate_plan(ctx_for(prescriber), plans.create_plan(ctx_for(nurse), patient, data, now=plan_now), now=plan_now)
    assert not EducationAssignment.objects.exists()
