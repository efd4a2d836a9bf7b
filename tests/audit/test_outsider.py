"""The outsider clinic reaches none of the audit app's URLs or API operations (the sweep: tests/support/outsider.py)."""


def test_the_outsider_clinic_reaches_none_of_the_audit_urls_or_api_operations(outsider_sweep):
    outsider_sweep("audit")
