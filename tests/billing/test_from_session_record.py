"""Coding a session run through the session module's own services (check-in, checklist, dose,
stop, discharge): the lines come from what was recorded, not from the order."""

from decimal import Decimal

import pytest

from ketamine_clinic.billing import services as billing
from ketamine_clinic.patients.services import add_subrecord

from tests.support.billing import discharged_infusion
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_an_infusion_stopped_after_40_minutes_is_96365_with_the_mg_the_pump_gave(dosing_ready, nurse, biller, prescriber,
                                                                                 patient, billing_setup):
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    session = discharged_infusion(dosing_ready, nurse, started=110, stopped=70)
    visit = billing.propose_for_session(ctx_for(biller), session)
    lines = list(visit.active_lines())
    assert [ln.code for ln in lines] == ["96365", "J3490"]
    assert lines[0].rule == "Infusion of 40 min (recorded start to stop)."
    assert lines[1].drug_mg == Decimal("35.0")  # 0.5 mg/kg x 70 kg, all of it given in the 40 min
