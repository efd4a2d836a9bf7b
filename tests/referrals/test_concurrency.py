"""Two staff change one referral at once: one wins, the other gets a clear 409, never a 500 or a lost
history line. Two accept it at once: one chart. Real concurrent transactions on PostgreSQL (threads,
own connections), bounded in time; SQLite runs the same workers one after another. Public posts
from one address at once never pass the per-address limit."""

import pytest
from django.test import Client
from django.urls import reverse

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.referrals import services
from ketamine_clinic.referrals.models import Referral, ReferralStatusChange

from tests.support.concurrency import race
from tests.support.people import ctx_for
from tests.support.referrals import SELF_REFERRAL


def _race(*calls):
    """Sorted outcomes: "ok", or "409" for a call refused with a conflict."""
    return sorted("409" if isinstance(o, Conflict) else "ok" for o in race(*calls, expect=(Conflict,)))


@pytest.mark.django_db(transaction=True)
def test_two_status_changes_at_once_one_wins_the_other_is_409(front_desk, nurse, referral):
    outcomes = _race(lambda: services.change_status(ctx_for(front_desk), referral, {"status": "contacted", "version": 1}),
                     lambda: services.change_status(ctx_for(nurse), referral, {"status": "declined", "reason": "x", "version": 1}))
    assert outcomes == ["409", "ok"]
    r = Referral.objects.get()
    assert r.version == 2 and ReferralStatusChange.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_make_one_chart(front_desk, nurse, referral):
    outcomes = _race(lambda: services.accept(ctx_for(front_desk), referral, {"sex_at_birth": "male", "version": 1}),
                     lambda: services.accept(ctx_for(nurse), referral, {"sex_at_birth": "male", "version": 1}))
    assert outcomes == ["409", "ok"]
    assert Patient.objects.count() == 1 and Referral.objects.get().status == "registered"


@pytest.mark.django_db(transaction=True)
def test_posts_at_once_from_one_address_never_pass_the_limit(listing_id, clinic_admin):
    change_setting(ctx_for(clinic_admin), "referrals.public_posts_per_hour", "2", "test")
    url = reverse("referrals_public:request", args=[listing_id])

    def post():
        return Client().post(url, SELF_REFERRAL, REMOTE_ADDR="198.51.100.7").status_code

    assert sorted(race(post, post, post, post)) == [200, 200, 429, 429]
    assert Referral.objects.count() == 2
