"""The public forms are hostile input: validated and capped, rate-limited per address in the
database, a honeypot, quarantined storage, a thank-you page that repeats nothing, no public read URL."""

import logging

import pytest
from django.urls import reverse

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.directory.models import ClinicListing
from ketamine_clinic.referrals import services
from ketamine_clinic.referrals.models import PublicPostWindow, Referral

from tests.support.people import ctx_for
from tests.support.referrals import CLINICIAN_REFERRAL, SELF_REFERRAL, public_ctx


def _post(client, listing_id, data, kind="refer", address="198.51.100.1"):
    return client.post(reverse(f"referrals_public:{kind}", args=[listing_id]), data, REMOTE_ADDR=address)


def test_a_clinician_referral_lands_quarantined_with_its_lists_parsed(client, listing_id):
    response = _post(client, listing_id, CLINICIAN_REFERRAL)
    assert response.status_code == 200 and b"Thank you" in response.content
    r = Referral.objects.get()
    assert (r.kind, r.status, r.patient) == ("clinician", "new", None)
    assert [d["code"] for d in r.diagnoses] == ["F33.2", "F41.1"]
    assert r.trials[0] == {"drug": "escitalopram", "dose_mg_per_day": "20", "weeks": 8, "outcome": "no_response"}
    event = AuditEvent.objects.get(action="referral.submit")
    assert event.actor is None and event.detail == {"kind": "clinician"}  # the event never holds the contents


def test_the_thank_you_page_repeats_nothing_that_was_sent(client, listing_id):
    body = _post(client, listing_id, CLINICIAN_REFERRAL).content.decode()
    for value in ("Jonah", "Whitfield", "1984-03-12", "610-1001", "jonah@example.org", "Amara", "F33.2", "escitalopram"):
        assert value not in body


def test_a_self_referral_from_the_clinic_page(client, listing_id):
    page = client.get(reverse("finder:clinic", args=[listing_id]))
    assert reverse("referrals_public:request", args=[listing_id]).encode() in page.content
    assert _post(client, listing_id, SELF_REFERRAL, kind="request").status_code == 200
    r = Referral.objects.get()
    assert (r.kind, r.patient_family_name, r.referrer_name) == ("self", "Delgado", "")


@pytest.mark.parametrize("change, field", [
    ({"referrer_npi": "1234567890"}, "referrer_npi"),  # wrong check digit
    ({"diagnoses": "depression"}, "diagnoses"),
    ({"diagnoses": "Z99.999 made up"}, "diagnoses"),  # well formed, not in ICD-10-CM
    ({"consent_to_contact": ""}, "consent_to_contact"),
    ({"patient_date_of_birth": "2999-01-01"}, "patient_date_of_birth"),
    ({"reason": "x" * 2001}, "reason"),
    ({"trials": "escitalopram 20"}, "trials"),
])
def test_a_bad_field_is_refused_on_the_field_and_nothing_is_stored(listing_id, change, field):
    with pytest.raises(ValidationFailed) as exc:
        services.submit(public_ctx(), listing_id, "clinician", {**CLINICIAN_REFERRAL, **change})
    assert field in exc.value.errors
    assert not Referral.objects.exists()


def test_a_refused_form_is_shown_again_with_422(client, listing_id):
    response = _post(client, listing_id, {**CLINICIAN_REFERRAL, "referrer_npi": "1234567890"})
    assert response.status_code == 422 and b"check digit" in response.content


def test_only_published_clinics_take_referrals(client, listing_id):
    ClinicListing.objects.update(published=False)
    assert _post(client, listing_id, CLINICIAN_REFERRAL).status_code == 404
    with pytest.raises(NotFound):
        services.submit(public_ctx(), listing_id, "self", SELF_REFERRAL)
    assert not Referral.objects.exists()


def test_the_honeypot_answers_like_a_success_stores_nothing_and_is_counted(client, listing_id, caplog):
    with caplog.at_level(logging.WARNING, logger="ketamine_clinic.referrals.services.public"):
        response = _post(client, listing_id, {**SELF_REFERRAL, "website": "http://spam.example"}, kind="request")
    assert response.status_code == 200 and b"Thank you" in response.content
    assert not Referral.objects.exists()
    assert PublicPostWindow.objects.get().honeypot_hits == 1
    assert "honeypot" in caplog.text


def test_a_spam_flood_is_cut_at_the_limit_and_nothing_more_is_stored(client, listing_id, clinic_admin):
    change_setting(ctx_for(clinic_admin), "referrals.public_posts_per_hour", "5", "test")
    statuses = [_post(client, listing_id, SELF_REFERRAL, kind="request").status_code for _ in range(50)]
    assert statuses == [200] * 5 + [429] * 45
    assert Referral.objects.count() == 5
    # Another address is not held back by the flood.
    assert _post(client, listing_id, SELF_REFERRAL, kind="request", address="198.51.100.2").status_code == 200
    assert PublicPostWindow.objects.filter(posts=5).count() == 1
    assert not PublicPostWindow.objects.filter(client_key__contains="198.51").exists()  # addresses only as keyed hashes


def test_an_oversize_body_is_refused_with_413_before_it_is_read(client, listing_id):
    response = _post(client, listing_id, {**CLINICIAN_REFERRAL, "reason": "x" * (services.MAX_BODY_BYTES + 1)})
    assert response.status_code == 413 and b"too large" in response.content
    assert not Referral.objects.exists() and not PublicPostWindow.objects.exists()


def test_a_long_list_field_is_capped(client, listing_id):
    response = _post(client, listing_id, {**CLINICIAN_REFERRAL, "medications": "sertraline 1 mg\n" * 400})
    assert response.status_code == 422 and not Referral.objects.exists()


def test_no_public_url_reads_a_submission(client, referral):
    response = client.get(reverse("referrals:detail", args=[referral.public_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/api/v1/referrals/{referral.public_id}").status_code == 401
