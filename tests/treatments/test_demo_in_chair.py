"""The demo's in-chair patient is seeded through the services in a consistent state: what the chair
board shows for it agrees with its chart."""

import random

import pytest

from ketamine_clinic.demo.care import _session_in_progress
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.models import TreatmentSession

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_the_seeded_infusion_is_consistent_on_the_board(ready, nurse, prescriber, patient):
    ready("iv")
    _session_in_progress(ctx_for(nurse), prescriber, patient, random.Random(1))
    session = TreatmentSession.objects.get(patient=patient)
    [row] = services.board_rows(ctx_for(nurse), patient.home_location)
    assert row["step_label"] == "Dose" and row["dose_elapsed_min"] in (24, 25) and row["elapsed_min"] in (49, 50)
    assert row["overdue"] == [] and row["open_items"] == 0 and row["next_vitals"] is not None
    # The PHQ-9 was completed today (not "deferred: completed"), and today's charted weight was reused.
    assert "phq9" not in (session.measure_deferrals or {})
    assert patient.measurements.count() == 1
    assert session.dose_plan["weight_kg"] is not None and facts.dose_weight(session) == patient.measurements.get().weight_kg
