"""The session screens: check-in, the one-screen session, refused entries kept with their messages,
drafts restored, the polled board and status strip, the chart and Today sections, REMS pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import SessionDraft, TreatmentSession, VitalsReading

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot

pytestmark = pytest.mark.django_db


def test_check_in_from_the_chart(client_for, nurse, patient, location, prescriber):
    client = client_for(nurse)
    chart = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "Treatment sessions" in chart and f"/sessions/new/?patient={patient.public_id}" in chart
    page = client.get(f"/sessions/new/?patient={patient.public_id}")
    assert page.status_code == 200 and "The order" in page.content.decode()
    bad = client.post("/sessions/new/", {"patient": str(patient.public_id), "location": str(location.public_id),
                                         "route": "iv", "indication": "depression", "dose_unit": "mg/kg",
                                         "dose_amount": "-0.5", "infusion_minutes": "40", "product_name": "Ketamine",
                                         "concentration_mg_per_ml": "50", "ordered_by": str(prescriber.public_id)})
    assert bad.status_code == 422 and "Must not be negative" in bad.content.decode()
    assert not TreatmentSession.objects.exists()
    ok = client.post("/sessions/new/", {"patient": str(patient.public_id), "location": str(location.public_id),
                                        "route": "iv", "indication": "depression", "dose_unit": "mg/kg",
                                        "dose_amount": "0.5", "infusion_minutes": "40", "product_name": "Ketamine",
                                        "concentration_mg_per_ml": "50", "ordered_by": str(prescriber.public_id)})
    session = TreatmentSession.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/sessions/{session.public_id}/"


def test_the_session_screen_shows_the_checklist_and_refuses_dosing_with_the_reasons(client_for, nurse, new_session):
    session = new_session("iv")
    client = client_for(nurse)
    page = client.get(f"/sessions/{session.public_id}/").content.decode()
    assert "Pre-dose checklist" in page and "Dosing blocked" in page and "Hard stop" in page
    assert 'hx-trigger="every 5s"' in page and "X-Passive-Refresh" in page
    response = client.post(f"/sessions/{session.public_id}/dose/", lot())
    assert response.status_code == 409
    body = response.content.decode()
    assert "Dosing is blocked until every hard stop" in body and "Not cleared to treat today" in body


def test_bad_vitals_keep_the_entry_and_show_the_message(client_for, nurse, new_session):
    session = new_session("iv")
    response = client_for(nurse).post(f"/sessions/{session.public_id}/vitals/",
                                      {"systolic_mmhg": "400", "diastolic_mmhg": "80", "spo2_percent": "97"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "outside the possible range" in body and 'value="400"' in body
    assert not VitalsReading.objects.exists()


def test_vitals_posted_from_the_screen(client_for, nurse, new_session):
    session = new_session("iv")
    response = client_for(nurse).post(f"/sessions/{session.public_id}/vitals/", NORMAL_VITALS)
    assert response.status_code == 302 and VitalsReading.objects.count() == 1


def test_a_stale_checklist_form_is_409_and_nothing_is_overwritten(client_for, nurse, second_nurse, new_session):
    session = new_session("iv")
    services.update_checklist(ctx_for(second_nurse), session, {"weight_today_kg": "70"})
    response = client_for(nurse).post(f"/sessions/{session.public_id}/checklist/",
                                      {"version": session.version, "weight_today_kg": "99"})
    assert response.status_code == 409 and "changed by someone else" in response.content.decode()
    assert TreatmentSession.objects.get().weight_today_kg == 70


def test_a_draft_survives_a_closed_tab(client_for, nurse, second_nurse, new_session):
    session = new_session("iv")
    client = client_for(nurse)
    saved = client.post(f"/sessions/{session.public_id}/drafts/vitals/", {"systolic_mmhg": "131", "note": "left arm"},
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 204
    assert SessionDraft.objects.get().data == {"systolic_mmhg": "131", "note": "left arm"}
    page = client.get(f"/sessions/{session.public_id}/").content.decode()
    assert 'value="131"' in page and "Restored your unsaved entry" in page
    # Drafts are per user: the other nurse sees an empty form.
    other = client_for(second_nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert 'value="131"' not in other
    # Submitting the form clears the draft (a fence row stays, to refuse late autosaves).
    client_for(nurse).post(f"/sessions/{session.public_id}/vitals/", dict(NORMAL_VITALS, systolic_mmhg=131))
    assert services.drafts_for(nurse, session) == {}
    assert SessionDraft.objects.get(user=nurse).data == {}
    assert 'value="131"' not in client.get(f"/sessions/{session.public_id}/").content.decode()
    assert client.post(f"/sessions/{session.public_id}/drafts/nonsense/", {}).status_code == 404


def test_the_board_polls_without_keeping_the_login_alive(client_for, nurse, dosing_ready, location):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(5)))
    client = client_for(nurse)
    page = client.get("/sessions/", follow=True)
    body = page.content.decode()
    assert page.redirect_chain[-1][0] == f"/sessions/board/{location.public_id}/"
    assert 'hx-trigger="every 5s"' in body and '"X-Passive-Refresh": "1"' in body
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, systolic_mmhg=190, diastolic_mmhg=100))
    rows = client.get(f"/sessions/board/{location.public_id}/", HTTP_HX_REQUEST="true",
                      HTTP_X_PASSIVE_REFRESH="1").content.decode()
    assert "<html" not in rows and "Avery, Jordan" in rows and "above the clinic alert limit" in rows


def test_the_board_is_cheap(client_for, nurse, dosing_ready, location):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(5)))
    services.record_vitals(ctx_for(nurse), session, NORMAL_VITALS)
    client = client_for(nurse)
    url = f"/sessions/board/{location.public_id}/"
    with CaptureQueriesContext(connection) as one:
        client.get(url, HTTP_HX_REQUEST="true")
    assert len(one) < 30


def test_the_live_strip_and_the_today_section(client_for, nurse, dosing_ready):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(5)))
    client = client_for(nurse)
    live = client.get(f"/sessions/{session.public_id}/live/", HTTP_HX_REQUEST="true").content.decode()
    assert "Dosing" in live and "of 35.0 mg" in live
    today = client.get("/").content.decode()
    assert "In session now" in today and "Main</a>: 1 patient" in today


def test_permissions_on_the_screens(client_for, front_desk, therapist, outsider, dosing_ready):
    session = dosing_ready("iv")
    assert client_for(front_desk).get(f"/sessions/{session.public_id}/").status_code == 403
    assert client_for(therapist).get(f"/sessions/{session.public_id}/").status_code == 200
    assert client_for(therapist).post(f"/sessions/{session.public_id}/vitals/", NORMAL_VITALS).status_code == 403
    assert client_for(outsider).get(f"/sessions/{session.public_id}/").status_code == 404
    assert "Treatment sessions" not in client_for(front_desk).get(f"/patients/{session.patient.public_id}/").content.decode()


def test_instructions_and_rems_pages(client_for, nurse, dosing_ready):
    from .test_discharge import FIT

    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("esketamine_nasal", checked_in_min_ago=160), lot(started_at=ago(130)))
    services.record_device(ctx, session, lot(given_at=ago(124)))
    services.record_vitals(ctx, session, NORMAL_VITALS)
    session.refresh_from_db()
    services.discharge(ctx, session, dict(FIT, ready_without_minimum_min=70))
    client = client_for(nurse)
    text = client.get(f"/sessions/{session.public_id}/instructions/").content.decode()
    assert "Do not drive or operate machinery until the next day" in text
    listing = client.get("/sessions/rems/").content.decode()
    form = session.rems_form if hasattr(session, "rems_form") else TreatmentSession.objects.get().rems_form
    assert f"/sessions/rems/{form.public_id}/" in listing
    detail = client.get(f"/sessions/rems/{form.public_id}/").content.decode()
    assert "Spravato REMS Patient Monitoring Form" in detail and "Jordan Avery" in detail
    pdf = client.get(f"/sessions/rems/{form.public_id}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    refused = client.post(f"/sessions/rems/{form.public_id}/", {"action": "submitted"})
    assert refused.status_code == 422 and "Monitoring healthcare provider phone" in refused.content.decode()


def test_check_in_is_scoped_to_the_clinic(client_for, nurse, outsider_patient, front_desk, patient):
    assert client_for(nurse).get(f"/sessions/new/?patient={outsider_patient.public_id}").status_code == 404
    assert client_for(nurse).get("/sessions/new/?patient=not-a-uuid").status_code == 404
    assert client_for(front_desk).get(f"/sessions/new/?patient={patient.public_id}").status_code == 403


def test_a_late_autosave_from_before_a_submit_does_not_come_back_into_the_next_entry(ready, new_session, nurse, client_for):
    """An autosave in flight while the nurse submits must not restore the old 'Taken at'."""
    import datetime as dt

    from django.utils import timezone

    from ketamine_clinic.treatments import services

    ready("iv")
    session = new_session()
    ctx = ctx_for(nurse)
    rendered = int((timezone.now() - dt.timedelta(seconds=5)).timestamp() * 1000)
    services.save_draft(ctx, session, "vitals", {"systolic_mmhg": "124", "draft_rendered_at": str(rendered)})
    services.clear_draft(ctx, session, "vitals")  # the entry was submitted
    late = services.save_draft(ctx, session, "vitals", {"systolic_mmhg": "124", "observed_at": "stale", "draft_rendered_at": str(rendered)})
    assert late is None and "vitals" not in services.drafts_for(nurse, session)
    fresh = int((timezone.now() + dt.timedelta(seconds=1)).timestamp() * 1000)
    assert services.save_draft(ctx, session, "vitals", {"systolic_mmhg": "130", "draft_rendered_at": str(fresh)}) is not None
    assert services.drafts_for(nurse, session)["vitals"] == {"systolic_mmhg": "130"}
    page = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert 'name="draft_rendered_at"' in page


def _query_count(client, url, **headers) -> int:
    # Steady state: the first request after sign-in also writes the session's last-seen time, which
    # the inactivity middleware then skips for a minute.
    assert client.get(url, **headers).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


def _another_patient(front_desk, given_name):
    return PatientFactory(registered_by=front_desk, given_name=given_name, weight_kg="70.0")


def test_the_board_costs_the_same_with_more_patients(client_for, nurse, front_desk, ready, new_session, dosing_ready,
                                                     cleared, location):
    """No query per row: a second and third patient in session add nothing."""
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(5)))
    services.record_vitals(ctx_for(nurse), session, NORMAL_VITALS)
    client = client_for(nurse)
    url = f"/sessions/board/{location.public_id}/"
    one = _query_count(client, url, HTTP_HX_REQUEST="true")
    for name, route in (("Sam", "iv"), ("Kim", "esketamine_nasal")):
        other = ready(route, who=_another_patient(front_desk, name))
        more = cleared(nurse, new_session(route, who=other, checked_in_at=ago(200)), vitals_at=ago(195))
        more = services.start_dosing(ctx_for(nurse), more, lot(started_at=ago(5)))
        services.record_vitals(ctx_for(nurse), more, NORMAL_VITALS)
    assert _query_count(client, url, HTTP_HX_REQUEST="true") == one


def test_the_rems_list_costs_the_same_with_more_forms(client_for, nurse, front_desk, ready, new_session, cleared):
    """No query per form on the REMS list (patient and submitter come with the forms)."""
    from ketamine_clinic.treatments.models import RemsForm

    from .test_discharge import FIT

    client = client_for(nurse)
    counts = []
    for name in ("Sam", "Kim", "Lee"):
        other = ready("esketamine_nasal", who=_another_patient(front_desk, name))
        session = cleared(nurse, new_session("esketamine_nasal", who=other, checked_in_at=ago(160)), vitals_at=ago(155))
        ctx = ctx_for(nurse)
        session = services.start_dosing(ctx, session, lot(started_at=ago(130)))
        services.record_device(ctx, session, lot(given_at=ago(124)))
        services.record_vitals(ctx, session, NORMAL_VITALS)
        session.refresh_from_db()
        services.discharge(ctx, session, dict(FIT, ready_without_minimum_min=70))
        form = TreatmentSession.objects.get(pk=session.pk).rems_form
        if name == "Lee":  # one submitted form, so the list shows who submitted it
            RemsForm.objects.filter(pk=form.pk).update(missing_required=[])
            services.mark_rems_submitted(ctx, RemsForm.objects.get(pk=form.pk), {})
        counts.append(_query_count(client, "/sessions/rems/?all=1"))
    assert counts[0] == counts[1] == counts[2]


def test_the_session_screen_costs_the_same_with_more_entries(client_for, nurse, dosing_ready, second_nurse):
    """No query per vitals row or monitoring entry (who charted it comes with the rows)."""
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(20)))
    client = client_for(nurse)
    url = f"/sessions/{session.public_id}/"
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, observed_at=ago(15)))
    services.record_event(ctx_for(nurse), session, {"kind": "note", "note": "Comfortable"})
    before = _query_count(client, url)
    for who, minutes in ((second_nurse, 10), (nurse, 5)):
        services.record_vitals(ctx_for(who), session, dict(NORMAL_VITALS, observed_at=ago(minutes)))
        services.record_event(ctx_for(who), session, {"kind": "note", "note": "Still comfortable"})
    assert _query_count(client, url) == before
