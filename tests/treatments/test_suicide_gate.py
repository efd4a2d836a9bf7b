"""A positive suicide screen blocks dosing until assessed (CLINICAL.md s.4: any PHQ-9 item 9 >= 1 calls
for a same-day C-SSRS). The gate reads recorded responses and alerts, never what a form says."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.assessments.models import SuicideRiskAlert
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.models import Administration, TreatmentSession

from tests.support.api import assert_error, caller
from tests.support.people import ctx_for
from .test_checklist import assert_dose_refused, statuses
from tests.support.treatments import lot

pytestmark = pytest.mark.django_db

PHQ9_POSITIVE = {f"phq9-{n}": 1 for n in range(1, 10)}  # item 9 = 1
CSSRS_NEGATIVE = {"cssrs-1": False, "cssrs-2": False, "cssrs-6": False}
CSSRS_LOW = {"cssrs-1": True, "cssrs-2": False, "cssrs-6": False}
CSSRS_HIGH = {"cssrs-1": True, "cssrs-2": True, "cssrs-3": True, "cssrs-4": True, "cssrs-5": False, "cssrs-6": False}
SUICIDE_KEYS = {"suicide_risk_assessment", "suicide_risk_alert", "cssrs_high_risk"}


def submit(nurse, patient, key, answers, completed_at=None):
    return assessments.submit_response(ctx_for(nurse), patient, key, answers, mode="staff_paper",
                                       completed_at=completed_at)


def ack_all(nurse, patient):
    for alert in SuicideRiskAlert.objects.filter(patient=patient, acknowledged_at__isnull=True):
        assessments.acknowledge_alert(ctx_for(nurse), alert.public_id, "Safety plan reviewed with the patient")


def blocking(session):
    session.refresh_from_db()
    return {i.key for i in facts.checklist_for(session).blocking} & SUICIDE_KEYS


@pytest.mark.parametrize("steps, expected", [
    ([], set()),
    ([("phq9", PHQ9_POSITIVE)], {"suicide_risk_assessment", "suicide_risk_alert"}),
    ([("phq9", PHQ9_POSITIVE), "ack"], {"suicide_risk_assessment"}),
    ([("phq9", PHQ9_POSITIVE), ("cssrs", CSSRS_NEGATIVE)], {"suicide_risk_alert"}),
    ([("phq9", PHQ9_POSITIVE), ("cssrs", CSSRS_NEGATIVE), "ack"], set()),
    ([("cssrs", CSSRS_NEGATIVE), ("phq9", PHQ9_POSITIVE), "ack"], {"suicide_risk_assessment"}),  # C-SSRS was before
    ([("cssrs", CSSRS_LOW)], {"suicide_risk_alert"}),
    ([("cssrs", CSSRS_LOW), "ack"], set()),
    ([("cssrs", CSSRS_HIGH), "ack"], {"cssrs_high_risk"}),
    ([("cssrs", CSSRS_HIGH), ("cssrs", CSSRS_NEGATIVE), "ack"], {"cssrs_high_risk"}),  # a redo does not clear it
], ids=["nothing", "phq9-positive", "phq9-positive-acked", "cssrs-after-alert-open", "cssrs-after-acked",
        "cssrs-before-screen", "cssrs-low-open", "cssrs-low-acked", "cssrs-high", "cssrs-high-then-negative"])
def test_recorded_suicide_screen_decides_whether_dosing_is_blocked(dosing_ready, nurse, patient, steps, expected):
    session = dosing_ready("iv")  # the C-SSRS measure is deferred with a reason, as on an ordinary day
    for step in steps:
        if step == "ack":
            ack_all(nurse, patient)
        else:
            submit(nurse, patient, *step)
    assert blocking(session) == expected
    if expected:
        assert_dose_refused(nurse, session, sorted(expected)[0])
    else:
        assert facts.checklist_for(session).may_dose


def test_cssrs_cannot_be_deferred_after_a_positive_phq9_item9(dosing_ready, nurse, patient):
    session = dosing_ready("iv")
    session = services.update_checklist(ctx_for(nurse), session, {"defer_cssrs": ""})
    submit(nurse, patient, "phq9", PHQ9_POSITIVE)
    ack_all(nurse, patient)
    version = session.version
    with pytest.raises(ValidationFailed) as err:
        services.update_checklist(ctx_for(nurse), session, {"defer_cssrs": "Asked verbally: no ideation"})
    assert "defer_cssrs" in err.value.errors
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert stored.version == version and "cssrs" not in stored.measure_deferrals
    assert_dose_refused(nurse, session, "suicide_risk_assessment")


def test_a_positive_screen_earlier_in_the_window_counts_and_the_window_is_a_clinic_setting(
        dosing_ready, nurse, patient, clinic_admin):
    session = dosing_ready("iv")
    yesterday = (timezone.localtime(timezone.now(), session.location.tz) - dt.timedelta(days=1)).replace(hour=12)
    submit(nurse, patient, "phq9", PHQ9_POSITIVE, completed_at=yesterday.isoformat())
    ack_all(nurse, patient)
    assert blocking(session) == set()  # default window: the same day
    change_setting(ctx_for(clinic_admin), "session.suicide_screen.lookback_days", 1, "Cover next-morning sessions")
    assert blocking(session) == {"suicide_risk_assessment"}


def test_an_amended_phq9_without_the_positive_item_no_longer_blocks(dosing_ready, nurse, patient):
    session = dosing_ready("iv")
    response = submit(nurse, patient, "phq9", PHQ9_POSITIVE)
    ack_all(nurse, patient)
    assessments.amend_response(ctx_for(nurse), response, PHQ9_POSITIVE | {"phq9-9": 0}, "Item 9 mis-keyed on paper")
    assert blocking(session) == set()


def test_high_risk_cssrs_is_cleared_only_by_a_prescribers_documented_decision(dosing_ready, nurse, prescriber,
                                                                                patient, outsider):
    session = dosing_ready("iv")
    submit(nurse, patient, "cssrs", CSSRS_HIGH)
    ack_all(nurse, patient)
    assert statuses(session)["cssrs_high_risk"] == "needs_decision"
    with pytest.raises(PermissionDenied):
        services.record_cssrs_decision(ctx_for(nurse), session, {"note": "ok"})
    with pytest.raises(NotFound):
        services.record_cssrs_decision(ctx_for(outsider), session, {"note": "ok"})
    with pytest.raises(ValidationFailed):
        services.record_cssrs_decision(ctx_for(prescriber), session, {"note": "  "})
    assert TreatmentSession.objects.get(pk=session.pk).cssrs_decision_by is None
    services.record_cssrs_decision(ctx_for(prescriber), session, {"note": "Seen in person; safety plan; dose today"})
    assert blocking(session) == set()
    event = AuditEvent.objects.get(action="session.cssrs_decision")
    assert event.detail["note"] == "Seen in person; safety plan; dose today"
    # A new high-risk C-SSRS after the decision needs a new decision.
    submit(nurse, patient, "cssrs", CSSRS_HIGH)
    ack_all(nurse, patient)
    assert_dose_refused(nurse, session, "cssrs_high_risk")


def test_a_decision_without_a_high_risk_cssrs_is_refused(dosing_ready, prescriber):
    session = dosing_ready("iv")
    with pytest.raises(ValidationFailed):
        services.record_cssrs_decision(ctx_for(prescriber), session, {"note": "Pre-emptive"})


def test_the_api_cannot_bypass_the_suicide_screen(dosing_ready, nurse, prescriber, patient, outsider):
    session = dosing_ready("iv")
    submit(nurse, patient, "phq9", PHQ9_POSITIVE)
    nurse_api, sid = caller(nurse), session.public_id
    version = TreatmentSession.objects.get(pk=session.pk).version
    # Deferring the C-SSRS through the API: 422, nothing written.
    deferred = nurse_api("patch", f"/sessions/{sid}/checklist",
                         {"version": version, "measure_deferrals": {"cssrs": "Asked verbally"}})
    assert_error(deferred, 422, "defer_cssrs")
    assert TreatmentSession.objects.get(pk=session.pk).version == version
    # Starting the dose: 409 naming the hard stops, nothing written.
    refused = nurse_api("post", f"/sessions/{sid}/dose", lot())
    assert_error(refused, 409, "checklist")
    assert any("C-SSRS" in m for m in refused.json()["errors"]["checklist"])
    assert not Administration.objects.filter(session=session).exists()
    # A high-risk C-SSRS: only the clinic's prescriber may clear it.
    submit(nurse, patient, "cssrs", CSSRS_HIGH)
    ack_all(nurse, patient)
    body = {"note": "Seen in person; dose today", "version": TreatmentSession.objects.get(pk=session.pk).version}
    assert_error(nurse_api("post", f"/sessions/{sid}/cssrs-decision", {"note": "No version"}), 422, "version")
    assert_error(nurse_api("post", f"/sessions/{sid}/cssrs-decision", body), 403)
    assert_error(caller(outsider)("post", f"/sessions/{sid}/cssrs-decision", body), 404)
    assert_error(nurse_api("post", f"/sessions/{sid}/dose", lot()), 409, "checklist")
    cleared = caller(prescriber)("post", f"/sessions/{sid}/cssrs-decision", body)
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["may_dose"] is True
    assert nurse_api("post", f"/sessions/{sid}/dose", lot()).status_code == 200


def test_the_session_screen_offers_the_decision_to_the_prescriber_only(dosing_ready, nurse, prescriber, patient,
                                                                       client_for):
    session = dosing_ready("iv")
    submit(nurse, patient, "cssrs", CSSRS_HIGH)
    ack_all(nurse, patient)
    url = f"/sessions/{session.public_id}/"
    nurse_page = client_for(nurse).get(url).content.decode()
    assert "A prescriber must document a decision on the high-risk C-SSRS" in nurse_page
    assert "cssrs-decision/" not in nurse_page
    client = client_for(prescriber)
    assert "cssrs-decision/" in client.get(url).content.decode()
    version = TreatmentSession.objects.get(pk=session.pk).version
    posted = client.post(f"{url}cssrs-decision/", {"note": "Seen in person; safety plan agreed", "version": version})
    assert posted.status_code == 302
    assert blocking(session) == set()
