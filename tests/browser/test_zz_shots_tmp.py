"""Throwaway: full-page screenshots of the session screen and board (not committed)."""
import os
import pytest
from ketamine_clinic.treatments import services
from ..conftest import PASSWORD, ctx_for
from ..treatments.conftest import ago, lot, NORMAL_VITALS, make_ready, clear_checklist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = os.environ.get("SHOTS", "/tmp/shots")
TAG = os.environ.get("SHOT_TAG", "before")


def _shot(page, name, sizes=((1366, 900), (768, 1024))):
    for w, h in sizes:
        page.set_viewport_size({"width": w, "height": h})
        page.reload(); page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{OUT}/{name}-{TAG}-{w}x{h}.png", full_page=True)


def test_shots(page, sign_in_as, nurse, prescriber, location, patient, org):
    from ..conftest import make_user
    def dosing_ready(route, checked_in_min_ago):
        from ketamine_clinic.patients.models import Patient
        who = patient if route == "iv" else Patient.objects.exclude(pk=patient.pk).filter(organization=org).first() or patient
        make_ready(prescriber, nurse, who, route)
        from ..treatments.conftest import ORDERS
        data = dict(ORDERS[route], location=str(location.public_id), ordered_by=str(prescriber.public_id), indication="depression", checked_in_at=ago(checked_in_min_ago))
        s = services.start_session(ctx_for(nurse), who, data)
        return clear_checklist(nurse, s, vitals_at=ago(checked_in_min_ago - 5))
    os.makedirs(OUT, exist_ok=True)
    s = dosing_ready("iv", checked_in_min_ago=60)
    ctx = ctx_for(nurse)
    s = services.start_dosing(ctx, s, lot(started_at=ago(30)))
    services.record_vitals(ctx, s, dict(NORMAL_VITALS, observed_at=ago(20)))
    sign_in_as(page, nurse.username, PASSWORD)
    page.goto(f"/sessions/{s.public_id}/")
    _shot(page, "session-iv")
    page.goto(f"/sessions/board/{location.public_id}/")
    _shot(page, "board")
    services.stop_dosing(ctx, s, {"stopped_at": ago(10)})
    s.refresh_from_db()
    services.discharge  # noqa
    from ketamine_clinic.treatments.models import TreatmentSession
    TreatmentSession.objects.filter(pk=s.pk).update(status="ended")
    e = dosing_ready("esketamine_nasal", checked_in_min_ago=30)
    page.goto(f"/sessions/{e.public_id}/")
    _shot(page, "session-esketamine")
