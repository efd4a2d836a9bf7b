"""The referral inbox: who sees it, the status flow with its reasons and history, stale changes (409),
another clinic's referrals (404), and untrusted text shown as text."""

import pytest
from django.urls import reverse

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.referrals import services
from ketamine_clinic.referrals.models import Referral

from tests.support.people import ctx_for
from tests.support.referrals import CLINICIAN_REFERRAL, public_ctx


@pytest.mark.parametrize("role", ["front_desk", "nurse", "prescriber"])
def test_front_desk_nurses_and_prescribers_see_the_inbox(role, request, referral, client_for):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert b"Whitfield" in client.get(reverse("referrals:inbox")).content
    assert b"Whitfield" in client.get(reverse("referrals:detail", args=[referral.public_id])).content
    assert AuditEvent.objects.filter(action="referral.view", actor=user).count() == 1


@pytest.mark.parametrize("role", ["therapist", "clinic_admin", "biller"])
def test_other_roles_do_not(role, request, referral, client_for):
    user = request.getfixturevalue(role)
    assert client_for(user).get(reverse("referrals:inbox")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.referrals_for(ctx_for(user))


def test_the_inbox_filters_by_status(front_desk, referral, listing_id):
    services.submit(public_ctx(), listing_id, "self", {**CLINICIAN_REFERRAL, "patient_family_name": "Other"})
    services.change_status(ctx_for(front_desk), referral, {"status": "contacted", "version": 1})
    assert [r.patient_family_name for r in services.referrals_for(ctx_for(front_desk), "new")] == ["Other"]
    assert [r.patient_family_name for r in services.referrals_for(ctx_for(front_desk), "contacted")] == ["Whitfield"]
    with pytest.raises(ValidationFailed):
        services.referrals_for(ctx_for(front_desk), "bogus")


def test_status_flow_with_history_and_audit(front_desk, nurse, referral):
    r = services.change_status(ctx_for(front_desk), referral, {"status": "contacted", "version": 1})
    r = services.change_status(ctx_for(nurse), r, {"status": "scheduled", "version": 2})
    assert (r.status, r.version) == ("scheduled", 3)
    assert [(c.from_status, c.to_status, c.changed_by) for c in r.changes.all()] == [
        ("new", "contacted", front_desk), ("contacted", "scheduled", nurse)]
    assert [e.detail["to"] for e in AuditEvent.objects.filter(action="referral.status").order_by("id")] == ["contacted", "scheduled"]


def test_declining_needs_a_reason(front_desk, referral):
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(ctx_for(front_desk), referral, {"status": "declined", "reason": " ", "version": 1})
    assert "reason" in exc.value.errors
    r = services.change_status(ctx_for(front_desk), referral, {"status": "declined", "reason": "Bipolar I, manic", "version": 1})
    assert (r.status, r.decline_reason) == ("declined", "Bipolar I, manic")
    with pytest.raises(Conflict):  # final
        services.change_status(ctx_for(front_desk), r, {"status": "contacted", "version": r.version})


def test_registered_is_reached_only_by_accepting(front_desk, referral):
    with pytest.raises(ValidationFailed):
        services.change_status(ctx_for(front_desk), referral, {"status": "registered", "version": 1})


def test_a_stale_change_is_refused_with_409_on_the_page(front_desk, nurse, referral, client_for):
    services.change_status(ctx_for(nurse), referral, {"status": "contacted", "version": 1})
    response = client_for(front_desk).post(reverse("referrals:status", args=[referral.public_id]),
                                           {"status": "declined", "reason": "no", "version": 1})
    assert response.status_code == 409 and b"Someone else changed this referral" in response.content
    assert Referral.objects.get().status == "contacted"


def test_another_clinics_referral_does_not_exist_for_the_outsider(outsider, referral, client_for):
    with pytest.raises(NotFound):
        services.get_referral_for(ctx_for(outsider), referral.public_id)
    with pytest.raises(NotFound):
        services.change_status(ctx_for(outsider), referral, {"status": "contacted", "version": 1})
    assert services.referrals_for(ctx_for(outsider)).count() == 0


def test_script_in_a_submission_is_shown_to_staff_as_text(front_desk, listing_id, client_for):
    script = '<script>alert("x")</script>'
    r = services.submit(public_ctx(), listing_id, "clinician",
                        {**CLINICIAN_REFERRAL, "patient_family_name": f"Bad{script}", "reason": f"Help {script}",
                         "referrer_practice": '<img src=x onerror="alert(1)">'})
    client = client_for(front_desk)
    for body in (client.get(reverse("referrals:inbox")).content, client.get(reverse("referrals:detail", args=[r.public_id])).content):
        assert b"<script>alert" not in body and b"<img src=x" not in body
        assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
