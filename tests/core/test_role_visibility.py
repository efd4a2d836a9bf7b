"""Every staff page, rendered as each role, shows only what that role may read.

The chart carries a PHQ-9 with a suicide-risk alert and a completed intake evaluation; each is
written to the timeline. The test walks every HTML URL that takes no argument or a patient id,
renders it as every role (and the outsider), and looks for the questionnaire and evaluation text.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ketamine_clinic.accounts.permissions import Role, has_permission
from ketamine_clinic.assessments import services as assessments

from tests.support.assessments import phq9
from tests.support.people import ctx_for
from tests.support.screening import complete

ASSESSMENT_TEXT = ("PHQ-9 total 14", "Suicide-risk alert raised")
EVALUATION_TEXT = ("Intake evaluation v1",)


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("api/"):
                yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _pages(patient) -> list[str]:
    """Every page reachable with no argument or with the patient's id."""
    pages = ["/patients/?q=Jordan"]
    for route in _routes():
        if "<" not in route:
            pages.append("/" + route)
        elif route.count("<") == 1 and "<uuid:public_id>" in route and "patients/" in route:
            pages.append("/" + route.replace("<uuid:public_id>", str(patient.public_id)))
    return sorted(set(pages))


@pytest.fixture
def busy_chart(patient, prescriber, nurse):
    complete(prescriber, patient)
    assessments.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=2, total=14), mode="staff_paper")
    return patient


def _rendered(client, user, pages) -> str:
    client.force_login(user)
    out = []
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, page
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            out.append(response.content.decode())
    return "\n".join(out)


@pytest.mark.parametrize("role", list(Role))
def test_every_page_hides_what_the_role_may_not_read(client, staff, busy_chart, role):
    user = staff[role]
    html = _rendered(client, user, _pages(busy_chart))
    for text in ASSESSMENT_TEXT:
        assert (text in html) == has_permission(user, "assessment.view"), (role, text)
    for text in EVALUATION_TEXT:
        assert (text in html) == has_permission(user, "evaluation.view"), (role, text)


def test_outsider_sees_nothing_of_the_chart(client, outsider, busy_chart):
    html = _rendered(client, outsider, _pages(busy_chart))
    for text in (*ASSESSMENT_TEXT, *EVALUATION_TEXT, busy_chart.mrn):
        assert text not in html
