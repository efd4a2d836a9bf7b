"""Plausible body weight is one clinic-policy range (clinical/plausibility.py), and every door that
takes a weight refuses the same values: just outside refused, the ends themselves accepted."""

from decimal import Decimal as D

import pytest

from ketamine_clinic.clinical.eligibility.errors import EvaluationInvalid
from ketamine_clinic.clinical.eligibility.evaluation import Evaluation
from ketamine_clinic.clinical.plausibility import PLAUSIBLE_WEIGHT_KG, PLAUSIBLE_WEIGHT_SOURCE
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import DoseInputError, DoseOrder, Product, compute_dose
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES
from ketamine_clinic.patients.forms import MeasurementForm
from ketamine_clinic.pharmacology.forms import PlannerForm

from .test_eligibility_evaluation import valid_dict

LOW, HIGH = PLAUSIBLE_WEIGHT_KG
RULE = DoseOrder(Route.IV, mg_per_kg=D("0.5"), infusion_minutes=40, infusion_volume_ml=D(100), source="apa-2017")


def _chart_form(weight):
    return MeasurementForm({"measured_on": "2024-01-01", "weight_kg": str(weight)}).is_valid()


def _pk_planner_form(weight):
    form = PlannerForm({"weight_kg": str(weight)})
    form.is_valid()
    return "weight_kg" not in form.errors


def _dose_calculator(weight):
    try:
        compute_dose(RULE, D(weight), Product("Ketamine 10 mg/mL", D(10)))
    except DoseInputError as exc:
        assert exc.field == "weight_kg"
        return False
    return True


def _intake_evaluation(weight):
    data = valid_dict()
    data["weight_kg"] = float(weight)
    try:
        Evaluation.from_dict(data)
    except EvaluationInvalid as exc:
        assert set(exc.errors) == {"weight_kg"}
        return False
    return True


@pytest.mark.parametrize("door", [_chart_form, _pk_planner_form, _dose_calculator, _intake_evaluation])
def test_every_weight_door_accepts_the_range_ends_and_refuses_just_outside(door):
    assert door(LOW) and door(HIGH)
    assert not door(LOW - D("0.1")) and not door(HIGH + D("0.1"))


def test_the_range_is_labelled_clinic_policy():
    assert PLAUSIBLE_WEIGHT_SOURCE == CLINIC_POLICY and CLINIC_POLICY in SOURCES
