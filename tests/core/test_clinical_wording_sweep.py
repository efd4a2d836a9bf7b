"""Issue 11 item 4 over the seeded demo: clinical pages carry no developer text (source keys, file
paths, (verify) markers, raw booleans, instrument keys, UCUM units, reminder keys)."""

import re

import pytest

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    r"\[(seeds|apa-2017|asra-2018|spravato-pi|spravato-rems|clinic-policy|cusin-2017)\]",
    r"CLINICAL\.md", r"shared/", r"\(verify\)", r">\s*(True|False)\s*<", r"\bPHQ9\b", r"\bCSSRS\b", r"mm\[Hg\]",
    r"booked@", r"day_before@", r"\b1 devices\b", r"Approve by",
]


def test_clinical_pages_of_the_demo_have_no_developer_text(client):
    from ketamine_clinic.accounts.models import User
    from ketamine_clinic.demo.seed import seed_demo
    from ketamine_clinic.patients.models import Patient
    from ketamine_clinic.plans.models import Appointment, TreatmentPlan
    from ketamine_clinic.treatments.models import TreatmentSession

    seed_demo(patients_main=8, patients_outsider=1)
    nurse = User.objects.get(username="nurse")
    client.force_login(nurse)
    urls = ["/", "/patients/", "/assessments/alerts/", "/assessments/due/", "/sessions/", "/sessions/rems/", "/plans/schedule/"]
    for p in Patient.objects.filter(organization=nurse.organization).order_by("id")[:4]:
        urls += [f"/patients/{p.public_id}/", f"/patients/{p.public_id}/history/", f"/screening/patients/{p.public_id}/",
                 f"/assessments/patients/{p.public_id}/", f"/plans/patients/{p.public_id}/"]
    urls += [f"/plans/{plan.public_id}/" for plan in TreatmentPlan.objects.filter(patient__organization=nurse.organization)[:2]]
    urls += [f"/plans/appointments/{a.public_id}/" for a in Appointment.objects.filter(patient__organization=nurse.organization)[:2]]
    urls += [f"/sessions/{s.public_id}/" for s in TreatmentSession.objects.filter(organization=nurse.organization)[:2]]
    found = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        hits = [pattern for pattern in FORBIDDEN if re.search(pattern, html)]
        if hits:
            found[url] = hits
    assert found == {}
