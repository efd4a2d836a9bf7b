"""axe-core over the main pages, as each role sees them: no serious or critical finding.

axe-core comes bundled in the axe-playwright-python package (no network); it is evaluated in the
page through the DevTools protocol, which the site's Content-Security-Policy does not govern."""

from pathlib import Path

import axe_playwright_python
import pytest

from ketamine_clinic.cli import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def serious_findings(page) -> list:
    page.evaluate(AXE_JS)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_main_pages_have_no_serious_or_critical_accessibility_findings(page, sign_in_as):
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    assert [f[0] for f in serious_findings(page)] == ["image-alt"]  # the check finds what it should
    from ketamine_clinic.demo.seed import seed_demo
    from ketamine_clinic.patients.models import Patient
    from ketamine_clinic.treatments.models import TreatmentSession

    seed_demo(patients_main=6, patients_outsider=1)
    patient = Patient.objects.filter(organization__slug="riverbend").order_by("id").first()
    session = TreatmentSession.objects.filter(organization__slug="riverbend").order_by("-id").first()
    plan = patient.treatment_plans.first()
    pages = {
        "nurse": ["/", "/patients/", f"/patients/{patient.public_id}/", f"/patients/{patient.public_id}/history/",
                  f"/screening/patients/{patient.public_id}/", f"/assessments/patients/{patient.public_id}/",
                  "/assessments/alerts/", "/assessments/outcomes/", "/plans/schedule/", "/plans/protocols/",
                  "/sessions/", "/sessions/rems/", "/pharmacology/planner/"],
        "frontdesk": ["/", "/patients/", f"/patients/{patient.public_id}/"],
        "admin": ["/", "/clinic-admin/", "/clinic-admin/audit/", "/clinic-admin/settings/"],
        "patient": ["/portal/", "/assessments/portal/"],
    }
    if session is not None:
        pages["nurse"].append(f"/sessions/{session.public_id}/")
    if plan is not None:
        pages["nurse"].append(f"/plans/{plan.public_id}/")
    found = {}
    for username, urls in pages.items():
        sign_in_as(page, username, DEMO_PASSWORD)
        for url in urls:
            response = page.goto(url)
            assert response.status < 400, (username, url, response.status)
            problems = serious_findings(page)
            if problems:
                found[(username, url)] = problems
        page.context.clear_cookies()
    assert found == {}
