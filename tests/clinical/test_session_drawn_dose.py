"""The dose drawn into the syringe, next to the dose ordered, and both checked against the guardrails."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import DoseInputError, DoseOrder, GuardrailLevel, Product, check_guardrails, compute_dose
from ketamine_clinic.clinical.session.dose_check import check_plan_guardrails

VIAL_50 = Product("Ketamine 50 mg/mL", D(50))
SYRINGE = "session.dose.volume_increment_ml"
SEVERITY = {GuardrailLevel.OK: 0, GuardrailLevel.SOFT: 1, GuardrailLevel.HARD: 2}


def test_default_one_ml_syringe_draws_42_mg_exactly_at_50_mg_per_ml():
    plan = compute_dose(DoseOrder(Route.IV, fixed_mg=D(42), infusion_minutes=40), D(70), VIAL_50)
    assert plan.draw_volume_ml == D("0.84")
    assert plan.drawn_dose_mg == D(42) and not plan.drawn_differs


def test_coarse_syringe_states_the_drawn_dose_in_mg_and_mg_per_kg():
    plan = compute_dose(DoseOrder(Route.IV, fixed_mg=D(42), infusion_minutes=40), D(70), VIAL_50, {SYRINGE: D("0.1")})
    assert plan.draw_volume_ml == D("0.8") and plan.drawn_dose_mg == D(40)
    assert plan.drawn_differs
    assert plan.drawn_dose_mg_per_kg == D("0.571")
    assert "The drawn dose is 40 mg (0.571 mg/kg), not the 42 mg ordered" in " ".join(plan.rounding)


def test_drawn_dose_above_the_soft_limit_needs_a_cosign_though_the_order_is_within():
    # 0.75 mg/kg x 70 kg = 52.5 mg; 1.05 mL rounds to 1.1 mL = 55 mg = 0.786 mg/kg
    plan = compute_dose(DoseOrder(Route.IV, mg_per_kg=D("0.75"), infusion_minutes=40), D(70), VIAL_50, {SYRINGE: D("0.1")})
    result = check_plan_guardrails(plan, "depression")
    assert check_guardrails(Route.IV, "depression", dose_mg_per_kg=plan.dose_mg_per_kg).level is GuardrailLevel.OK
    assert result.level is GuardrailLevel.SOFT
    assert result.message.startswith("As drawn (55 mg): Dose 0.786 mg/kg")


def test_ordered_dose_result_stands_when_the_drawn_dose_is_smaller():
    plan = compute_dose(DoseOrder(Route.IV, fixed_mg=D(42), infusion_minutes=40), D(70), VIAL_50, {SYRINGE: D("0.1")})
    result = check_plan_guardrails(plan, "depression")
    assert result.level is GuardrailLevel.OK and result.message == "Dose 0.600 mg/kg is within limits"


concentrations = st.decimals(min_value=D(1), max_value=D(100), places=1)
weights = st.decimals(min_value=D(30), max_value=D(250), places=1)
per_kg_doses = st.decimals(min_value=D("0.1"), max_value=D("1.2"), places=2)
syringe_steps = st.sampled_from([D("0.01"), D("0.02"), D("0.05"), D("0.1"), D("0.2")])


@settings(max_examples=400, deadline=None)
@given(concentrations, weights, per_kg_doses, syringe_steps, st.sampled_from([Route.IV, Route.IM]))
def test_property_drawn_dose_is_what_the_syringe_holds_and_never_passes_silently(conc, weight, per_kg, step, route):
    rule = DoseOrder(route, mg_per_kg=per_kg, infusion_minutes=40 if route is Route.IV else None)
    try:
        plan = compute_dose(rule, weight, Product("p", conc), {SYRINGE: step})
    except DoseInputError as err:  # the syringe's steps miss the dose by more than the clinic allows, or
        assert err.field in ("product", "infusion_volume_ml")  # a tiny undiluted draw's pump rate rounds to 0
        return
    assert plan.draw_volume_ml % step == 0
    assert plan.drawn_dose_mg == plan.draw_volume_ml * conc
    assert abs(plan.drawn_dose_mg - plan.dose_mg) <= conc * step / 2
    assert plan.drawn_dose_mg_per_kg == (plan.drawn_dose_mg / weight).quantize(D("0.001"))
    assert plan.drawn_differs == (plan.drawn_dose_mg != plan.dose_mg)
    notes = " ".join(plan.rounding)
    assert (f"The drawn dose is {plan.drawn_dose_mg.normalize():f} mg" in notes) == plan.drawn_differs
    checked = check_plan_guardrails(plan, "depression")
    # When the syringe draws exactly the ordered mg, the ordered dose is what is checked (its mg/kg is
    # the order's own; the mg was already rounded to 0.1 mg by the order, not by the syringe).
    for per_kg_value in (plan.dose_mg_per_kg, plan.drawn_dose_mg_per_kg) if plan.drawn_differs else (plan.dose_mg_per_kg,):
        alone = check_guardrails(route, "depression", dose_mg_per_kg=per_kg_value)
        assert SEVERITY[checked.level] >= SEVERITY[alone.level]
