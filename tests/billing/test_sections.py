"""The billing chart and Today sections: the context functions and their templates, per role."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.billing import services
from ketamine_clinic.billing.sections import chart_context, today_context
from ketamine_clinic.plans import scheduling

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def request_for(user):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def test_chart_section_shows_coverage_balance_and_warnings_by_role(staff, biller, front_desk, finalized_visit, diagnosed):
    services.add_coverage(ctx_for(front_desk), diagnosed, {"kind": "commercial", "payer_name": "Aetna", "member_id": "W7",
                                                           "in_network": "no", "effective_from": "2020-01-01"})
    services.issue_invoice(ctx_for(front_desk), finalized_visit())
    today = dt.date.today()
    services.add_prior_authorization(ctx_for(biller), diagnosed, {
        "payer_name": "Aetna", "number": "PA-9", "codes": "96365", "units_approved": "2",
        "start_on": (today - dt.timedelta(days=5)).isoformat(), "end_on": (today + dt.timedelta(days=5)).isoformat()})
    html = render_to_string("billing/_chart_section.html", chart_context(request_for(front_desk), diagnosed))
    assert "Aetna" in html and "out of network" in html and "$520.00" in html and "PA-9" in html
    nurse_html = render_to_string("billing/_chart_section.html", chart_context(request_for(staff[Role.NURSE]), diagnosed))
    assert "Aetna" in nurse_html and "$" not in nurse_html and "PA-9" not in nurse_html  # codes, not money


def test_today_section_counts_work_for_billing_roles_only(staff, biller, session_done, billing_setup):
    session_done("iv")
    context = today_context(request_for(biller))
    assert context["to_code"] == 1 and context["estimates_due"] == 0
    assert "1 completed visit to code" in render_to_string("billing/_today.html", context)
    assert today_context(request_for(staff[Role.NURSE])) == {"show": False}
    assert "Billing" not in render_to_string("billing/_today.html", {"show": False})  # the registry's wrapper only


def _next_weekdays(count: int, after_days: int = 7) -> list[dt.date]:
    day, days = dt.date.today() + dt.timedelta(days=after_days), []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def test_today_warns_before_the_units_or_the_dates_of_an_authorization_run_out(biller, front_desk, staff, patient, clinic):
    """Issue 16 §3: Today warns the billing roles before an authorization's units or dates run out,
    counting the dosing sessions already booked against the units left."""
    today = dt.date.today()
    ending = services.add_prior_authorization(ctx_for(biller), patient, {
        "payer_name": "Aetna", "number": "PA-END", "codes": "J3490", "units_approved": "10",
        "start_on": (today - dt.timedelta(days=30)).isoformat(), "end_on": (today + dt.timedelta(days=5)).isoformat()})
    services.add_prior_authorization(ctx_for(biller), patient, {
        "payer_name": "Aetna", "number": "PA-UNITS", "codes": "J3490", "units_approved": "6",
        "start_on": (today + dt.timedelta(days=6)).isoformat(), "end_on": (today + dt.timedelta(days=60)).isoformat()})
    chair = str(clinic.resources.get(name="Chair 1").public_id)
    for day in _next_weekdays(5):
        scheduling.book_appointment(ctx_for(front_desk), patient, {
            "location": str(clinic.public_id), "start": f"{day.isoformat()}T10:00", "kind": "dosing", "resource": chair})
    for user in (biller, front_desk):
        context = today_context(request_for(user))
        warnings = {u.authorization.number: u.warnings for u in context["authorizations"]}
        assert warnings["PA-END"] == (f"Authorization PA-END ends in 5 days ({ending.end_on}).",)
        assert warnings["PA-UNITS"] == ("Authorization PA-UNITS: 6 of 6 units left, 1 after the 5 booked session(s).",)
        html = render_to_string("billing/_today.html", context)
        assert "PA-END ends in 5 days" in html and "1 after the 5 booked session(s)" in html
    assert today_context(request_for(staff[Role.NURSE])) == {"show": False}
