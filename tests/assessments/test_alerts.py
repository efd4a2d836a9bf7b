"""Suicide-risk alerts: raised at once, mailed to the prescriber, acknowledged with the action
taken, escalated to the clinic admin once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import AlertStatus, SuicideRiskAlert
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.patients.models import TimelineEvent

from tests.support.assessments import phq9
from tests.support.people import ctx_for
from tests.support.people import make_user


def test_portal_item9_submit_raises_alert_mails_prescriber_and_is_acknowledged(
    client, portal_user, patient, prescriber_on_team, nurse, django_capture_on_commit_callbacks
):
    nurse.email = "nurse@example.org"
    nurse.save(update_fields=["email"])
    client.force_login(portal_user)
    form = {k: str(v) for k, v in phq9(item9=1, total=11).items()} | {"action": "submit"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assessments/portal/phq9/", form)
    assert response.status_code == 302
    done = client.get(response["Location"])
    body = done.content.decode()
    assert done.status_code == 200 and "988" in body and "help is available now" in body

    alert = SuicideRiskAlert.objects.get()
    assert alert.patient == patient and alert.status == AlertStatus.OPEN and alert.response.mode == "portal"
    assert alert.notified == [prescriber_on_team.username]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dr.lee@example.org"]
    assert patient.mrn in mail.outbox[0].subject and "Avery" not in mail.outbox[0].body  # no name in the mail
    assert TimelineEvent.objects.filter(patient=patient, kind="alert").exists()

    client.force_login(prescriber_on_team)
    alerts_page = client.get("/assessments/alerts/").content.decode()
    assert "Avery, Jordan" in alerts_page and "Acknowledge" in alerts_page
    ack = client.post(f"/assessments/alerts/{alert.public_id}/acknowledge/", {"action_taken": "C-SSRS done same day; safety plan reviewed"})
    assert ack.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == prescriber_on_team
    assert alert.action_taken.startswith("C-SSRS done")
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert event.actor == prescriber_on_team and event.patient_id == str(patient.public_id)
    assert "Avery, Jordan" not in client.get("/assessments/alerts/").content.decode()


def test_without_a_prescriber_on_the_care_team_every_prescriber_is_mailed(staff, patient, org, nurse, django_capture_on_commit_callbacks):
    first = staff[Role.PRESCRIBER]
    first.email = "one@example.org"
    first.save()
    second = make_user(org, "second_prescriber", [Role.PRESCRIBER])
    second.email = "two@example.org"
    second.save()
    patient.care_team.add(nurse)  # a care team, but no prescriber on it
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=3), mode="staff_paper")
    assert sorted(mail.outbox[0].to) == ["one@example.org", "two@example.org"]


def test_mail_waits_for_the_commit(patient, nurse, prescriber_on_team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=1), mode="staff_paper")
    assert len(callbacks) == 2 and mail.outbox == []  # the mail and the escalation run, both after commit


def test_no_alert_when_item9_is_zero(patient, nurse, prescriber_on_team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=0, total=20), mode="staff_paper")
    assert SuicideRiskAlert.objects.count() == 0 and mail.outbox == []


def _alert(patient, user, raised_at=None):
    response = services.submit_response(ctx_for(user), patient, "phq9", phq9(item9=1), mode="staff_paper")
    alert = SuicideRiskAlert.objects.get(response=response)
    if raised_at is not None:
        SuicideRiskAlert.objects.filter(pk=alert.pk).update(raised_at=raised_at)
        alert.refresh_from_db()
    return alert


def test_acknowledging_needs_the_action_taken_and_happens_once(patient, nurse, prescriber):
    alert = _alert(patient, nurse)
    with pytest.raises(ValidationFailed) as exc:
        services.acknowledge_alert(ctx_for(prescriber), alert.public_id, "  ")
    assert "action_taken" in exc.value.errors
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and not AuditEvent.objects.filter(action="alert.acknowledge").exists()
    services.acknowledge_alert(ctx_for(prescriber), alert.public_id, "Called the patient; safe, plan in place")
    with pytest.raises(Conflict):
        services.acknowledge_alert(ctx_for(nurse), alert.public_id, "Second acknowledgement")


def test_front_desk_and_outsider_cannot_acknowledge(patient, nurse, front_desk, outsider):
    alert = _alert(patient, nurse)
    with pytest.raises(PermissionDenied):
        services.acknowledge_alert(ctx_for(front_desk), alert.public_id, "Looked at it")
    with pytest.raises(NotFound):
        services.acknowledge_alert(ctx_for(outsider), alert.public_id, "Not my clinic")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_escalation_after_the_clinic_limit_is_idempotent(staff, patient, nurse, clinic_admin, django_capture_on_commit_callbacks):
    clinic_admin.email = "admin@example.org"
    clinic_admin.save()
    raised = timezone.now() - dt.timedelta(hours=3)
    alert = _alert(patient, nurse, raised_at=raised)
    assert services.escalate_overdue_alerts(raised + dt.timedelta(minutes=59)) == []
    with django_capture_on_commit_callbacks(execute=True):
        first = services.escalate_overdue_alerts(raised + dt.timedelta(minutes=61))
        second = services.escalate_overdue_alerts(raised + dt.timedelta(minutes=90))
    assert [a.pk for a in first] == [alert.pk] and second == []
    alert.refresh_from_db()
    assert alert.escalated_at == raised + dt.timedelta(minutes=61) and clinic_admin.username in alert.escalated_to
    assert AuditEvent.objects.filter(action="alert.escalate").count() == 1
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]  # the only recipient with an email address


def test_acknowledged_alerts_are_never_escalated(patient, nurse, prescriber):
    alert = _alert(patient, nurse, raised_at=timezone.now() - dt.timedelta(hours=2))
    services.acknowledge_alert(ctx_for(prescriber), alert.public_id, "Seen in clinic; safety plan")
    assert services.escalate_overdue_alerts(timezone.now()) == []


def test_escalate_alerts_command_runs_the_escalation(patient, nurse, clinic_admin, capsys):
    _alert(patient, nurse, raised_at=timezone.now() - dt.timedelta(hours=2))
    call_command("escalate_alerts")
    call_command("escalate_alerts")
    out = capsys.readouterr().out
    assert "Escalated 1 alert(s)." in out and "Escalated 0 alert(s)." in out
    assert SuicideRiskAlert.objects.get().escalated_at is not None


def test_clinic_admin_sees_only_escalated_alerts(client_for, patient, nurse, clinic_admin, outsider):
    quiet = _alert(patient, nurse)
    late = _alert(patient, nurse, raised_at=timezone.now() - dt.timedelta(hours=2))
    services.escalate_overdue_alerts(timezone.now())
    body = client_for(clinic_admin).get("/assessments/alerts/").content.decode()
    assert f"alert-{late.public_id}" in body and f"alert-{quiet.public_id}" not in body
    assert "Acknowledge</button>" not in body  # admins see; clinicians acknowledge
    assert f"alert-{late.public_id}" not in client_for(outsider).get("/assessments/alerts/").content.decode()


def test_today_partial_lists_open_alerts_for_clinicians(rf, patient, nurse, prescriber, front_desk, outsider):
    from django.template.loader import render_to_string

    alert = _alert(patient, nurse)
    request = rf.get("/")
    request.user = prescriber
    html = render_to_string("assessments/_today_alerts.html", {"request": request})
    assert "Open suicide-risk alerts" in html and str(alert.public_id) in html and "Acknowledge" in html
    request.user = front_desk
    assert "suicide-risk" not in render_to_string("assessments/_today_alerts.html", {"request": request})
    request.user = outsider  # a prescriber elsewhere: sees their own clinic's alerts only
    assert str(alert.public_id) not in render_to_string("assessments/_today_alerts.html", {"request": request})


def test_alert_page_acknowledge_form_with_empty_action_changes_nothing(client_for, patient, nurse, prescriber):
    alert = _alert(patient, nurse)
    response = client_for(prescriber).post(f"/assessments/alerts/{alert.public_id}/acknowledge/", {"action_taken": ""}, follow=True)
    assert "Not acknowledged" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as a real one does
def test_raising_an_alert_queues_its_escalation_which_the_worker_runs_when_due(patient, nurse, clinic_admin, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        alert = _alert(patient, nurse)
    queued = DBTaskResult.objects.get(task_path__endswith="escalate_alerts")
    assert abs((queued.run_after - (alert.raised_at + dt.timedelta(minutes=60))).total_seconds()) < 1
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True)
    alert.refresh_from_db()
    assert alert.escalated_at is None  # not due yet: the worker leaves it queued
    # An hour passes: the alert is now overdue and its queued run falls due.
    SuicideRiskAlert.objects.filter(pk=alert.pk).update(raised_at=alert.raised_at - dt.timedelta(minutes=61))
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now() - dt.timedelta(seconds=1))
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True)
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True)
    alert.refresh_from_db()
    assert alert.escalated_at is not None and clinic_admin.username in alert.escalated_to
    assert AuditEvent.objects.filter(action="alert.escalate").count() == 1


# --- Issue 11 item 8: alerts a clinician can act on -------------------------------------------


def test_escalation_goes_to_every_clinician_who_can_acknowledge_and_the_admins(staff, patient, nurse, outsider, org):
    raised = timezone.now() - dt.timedelta(hours=2)
    alert = _alert(patient, nurse, raised_at=raised)
    retired = make_user(org, "retired_nurse", [Role.NURSE])
    retired.is_active = False
    retired.save()
    services.escalate_overdue_alerts(timezone.now())
    alert.refresh_from_db()
    expected = sorted(staff[r].username for r in (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.CLINIC_ADMIN))
    assert sorted(alert.escalated_to) == expected  # not front desk, not the inactive nurse, not the outsider
    assert staff[Role.FRONT_DESK].username not in alert.escalated_to and outsider.username not in alert.escalated_to


@pytest.mark.parametrize(
    ("actions", "details", "stored"),
    [
        (["cssrs_same_day", "safety_plan"], "", "C-SSRS completed the same day; Safety plan reviewed or updated with the patient"),
        (["called_patient"], "No answer; voicemail left", "Called the patient. No answer; voicemail left"),
        ([], "Seen in clinic; safe to go home", "Seen in clinic; safe to go home"),
    ],
)
def test_acknowledge_stores_the_ticked_actions_and_the_details(patient, nurse, prescriber, actions, details, stored):
    alert = _alert(patient, nurse)
    services.acknowledge_alert(ctx_for(prescriber), alert.public_id, details, actions)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.action_taken == stored


@pytest.mark.parametrize(("actions", "details"), [([], ""), ([], "ok"), (["not_an_action"], "Seen")])
def test_acknowledge_without_a_real_action_is_refused_and_changes_nothing(patient, nurse, prescriber, actions, details):
    alert = _alert(patient, nurse)
    with pytest.raises(ValidationFailed):
        services.acknowledge_alert(ctx_for(prescriber), alert.public_id, details, actions)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and not AuditEvent.objects.filter(action="alert.acknowledge").exists()


def test_alert_page_shows_phone_item9_answer_and_response_link_and_takes_ticked_actions(client_for, patient, nurse, prescriber):
    patient.phone, patient.phone_digits = "(518) 555-0199", "5185550199"
    patient.save(update_fields=["phone", "phone_digits"])
    alert = _alert(patient, nurse)  # item 9 answered 1
    client = client_for(prescriber)
    body = client.get("/assessments/alerts/").content.decode()
    assert 'href="tel:5185550199"' in body
    assert "Item 9" in body and "Several days (1)" in body
    assert f"/assessments/responses/{alert.response.public_id}/" in body
    assert '<textarea id="ack-' in body and 'value="safety_plan"' in body
    client.post(f"/assessments/alerts/{alert.public_id}/acknowledge/", {"actions": ["cssrs_same_day", "dosing_held"], "action_taken": ""})
    alert.refresh_from_db()
    assert alert.action_taken == "C-SSRS completed the same day; Today's dosing held"


def test_admin_sees_who_was_notified_but_not_the_answers(client_for, staff, patient, nurse, prescriber_on_team, clinic_admin):
    alert = _alert(patient, nurse, raised_at=timezone.now() - dt.timedelta(hours=2))
    services.escalate_overdue_alerts(timezone.now())
    body = client_for(clinic_admin).get("/").content.decode()
    assert f"alert-{alert.public_id}" in body
    assert f"Notified: {prescriber_on_team.name}" in body and staff[Role.NURSE].name in body
    assert "Several days (1)" not in body and f"/assessments/responses/{alert.response.public_id}/" not in body


def test_a_long_action_taken_is_kept_whole_and_its_timeline_line_shows_the_cut(patient, nurse, prescriber):
    alert = _alert(patient, nurse)
    action = "Called the patient; " + "d" * 400
    services.acknowledge_alert(ctx_for(prescriber), alert.public_id, action)
    alert.refresh_from_db()
    assert alert.action_taken == action
    line = TimelineEvent.objects.filter(kind="alert", summary__startswith="Suicide-risk alert acknowledged").get().summary
    assert len(line) == 300 and line.endswith("…")
