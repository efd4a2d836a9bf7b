"""The outsider clinic reaches none of the referral inbox's URLs or API operations (the sweep: tests/support/outsider.py)."""


def test_the_outsider_clinic_reaches_none_of_the_referrals_urls_or_api_operations(outsider_sweep):
    outsider_sweep("referrals")
