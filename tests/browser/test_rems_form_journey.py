"""Issue 11 item 9 in a real browser: the REMS monitoring form names a missing clinician email in
words, links to the clinician's own profile, and after the email is set the refilled form is
complete and its PDF downloads."""

import pytest
from playwright.sync_api import expect

from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import RemsForm

from tests.support.people import PASSWORD, ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot
from ..treatments.test_discharge import FIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_completes_the_rems_form_through_her_profile_and_downloads_the_pdf(page, sign_in_as, dosing_ready, nurse, location):
    nurse.phone, nurse.email = "(555) 010-2000", ""
    nurse.save()
    location.address_line, location.postal_code = "12 River Road", "12207"
    location.save()
    ctx = ctx_for(nurse)
    session = dosing_ready("esketamine_nasal", checked_in_min_ago=160)
    session = services.start_dosing(ctx, session, lot(started_at=ago(135), lot_number="SPV101"))
    services.record_device(ctx, session, lot(given_at=ago(130), lot_number="SPV102"))
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=142, diastolic_mmhg=88, observed_at=ago(95)))
    services.record_event(ctx, session, {"kind": "cadss", "score": 9, "occurred_at": ago(95)})
    services.record_event(ctx, session, {"kind": "moaas", "score": 5, "occurred_at": ago(105)})
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=126, diastolic_mmhg=79))
    session.refresh_from_db()
    form = services.discharge(ctx, session, dict(FIT, ready_without_minimum_min=75)).rems_form
    assert form.missing_required == ["clinician_email"]

    sign_in_as(page, nurse.username, PASSWORD)
    page.goto(f"/sessions/rems/{form.public_id}/")
    expect(page.get_by_text("Not yet recorded: Monitoring healthcare provider email")).to_be_visible()
    page.get_by_role("link", name="add your phone and email in My profile").click()
    page.get_by_label("Work email").fill("nurse@clinic.example")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{page.url.split('/sessions/')[0]}/sessions/rems/{form.public_id}/")
    page.get_by_role("button", name="Refill from the session").click()
    expect(page.get_by_text("Not yet recorded")).to_have_count(0)
    form = RemsForm.objects.get(pk=form.pk)
    assert form.missing_required == [] and form.values["clinician_email"] == "nurse@clinic.example"
    with page.expect_download() as download_info:
        page.evaluate(f"() => {{ const a = document.createElement('a'); a.href = '/sessions/rems/{form.public_id}/pdf/'; a.download = 'rems.pdf'; document.body.appendChild(a); a.click(); }}")
    data = open(download_info.value.path(), "rb").read()
    assert data.startswith(b"%PDF") and b"REMS patient ID" in data and b"Signature of the monitoring healthcare provider" in data
