"""Dose arithmetic a nurse reads: mg from the order, mL to draw, pump rate, esketamine devices.

All arithmetic is Decimal. Rounding (clinic policy, ``SETTINGS``): the dose to 0.1 mg, the volume
to draw to the resolution of the clinic's syringe (0.01 mL, a 1 mL syringe), the pump rate to
0.1 mL/h, each half up. The plan states the rules it used. When the syringe cannot hold the ordered
dose exactly, the plan carries the dose actually drawn (mg and mg/kg) next to the ordered one, says
so in its rounding notes, and ``dose_check`` checks the drawn dose against the guardrails too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ..clinic_policy import Setting
from ..plausibility import PLAUSIBLE_WEIGHT_KG
from ..routes import Route
from ..sources import CLINIC_POLICY, SOURCES
from .common import Policy, SessionInputError, round_to, setting_value, settings_by_key, to_decimal, to_whole


class DoseInputError(SessionInputError):
    """A dose order, weight or product that cannot be turned into a dose plan."""


ESKETAMINE_MG_PER_DEVICE = Decimal(28)  # one device = 28 mg, 2 sprays (spravato-pi)
ESKETAMINE_MAX_DEVICES = 3  # 28 / 56 / 84 mg (spravato-pi)
ESKETAMINE_DEVICE_SPACING_MIN = 5  # minutes between devices (spravato-pi)
MAX_VIAL_CONCENTRATION_MG_PER_ML = Decimal(100)  # strongest ketamine vial, 100 mg/mL (fda-label-ketalar)

# Plausibility bounds for entry checks (typos, unit mix-ups), not clinical limits: guardrails.py has those.
WEIGHT_KG_RANGE = PLAUSIBLE_WEIGHT_KG  # one definition, with its source: clinical/plausibility.py
MAX_INFUSION_MINUTES = 24 * 60
MIN_CONCENTRATION_MG_PER_ML = Decimal("0.01")
ENTRY_MAXIMUM = {"mg_per_kg": Decimal(20), "mg_per_kg_per_h": Decimal(20), "fixed_mg": Decimal(5000),
                 "infusion_volume_ml": Decimal(5000)}

# Decimal bounds: a float 0.01 is a hair above Decimal("0.01") and would refuse the setting's own default.
SETTINGS: tuple[Setting, ...] = (
    Setting("session.dose.dose_increment_mg", Decimal("0.1"), "mg", CLINIC_POLICY,
            "Clinic policy: a computed dose is rounded half up to this many mg.", Decimal("0.01"), 5),
    Setting("session.dose.volume_increment_ml", Decimal("0.01"), "mL", CLINIC_POLICY,
            "Clinic policy: the resolution of the syringe the dose is drawn with (0.01 mL for a 1 mL syringe); "
            "the volume to draw is rounded half up to it.", Decimal("0.01"), 1),
    Setting("session.dose.rate_increment_ml_per_h", Decimal("0.1"), "mL/h", CLINIC_POLICY,
            "Clinic policy: the pump rate is rounded half up to this many mL/h.", Decimal("0.01"), 10),
    Setting("session.dose.max_volume_rounding_error_percent", Decimal(5), "%", CLINIC_POLICY,
            "Clinic policy: refuse a product whose rounded draw volume misses the dose by more than this; "
            "use a weaker concentration.", 0.5, 10),
)
_SETTINGS = settings_by_key(SETTINGS)


class DoseBasis(StrEnum):
    MG_PER_KG = "mg_per_kg"  # mg/kg x today's weight
    FIXED_MG = "fixed_mg"
    MG_PER_KG_PER_H = "mg_per_kg_per_h"  # infusion rate x weight x hours (chronic pain, asra-2018)


def _entry(value: object, field: str) -> Decimal:
    number = to_decimal(value, field, error=DoseInputError)
    if number > ENTRY_MAXIMUM[field]:
        raise DoseInputError(field, f"{number} is implausibly large (over {ENTRY_MAXIMUM[field]}); check the unit")
    return number


@dataclass(frozen=True)
class DoseOrder:
    """A dose order: exactly one of ``mg_per_kg``, ``fixed_mg``, ``mg_per_kg_per_h``.

    ``infusion_minutes`` is required for IV; ``infusion_volume_ml`` is the final bag/syringe volume the
    dose is made up to (if omitted the pump runs the drawn volume itself). ``source`` is where the
    regimen comes from (e.g. "apa-2017" for 0.5 mg/kg over 40 min).
    """

    route: Route
    mg_per_kg: Decimal | None = None
    fixed_mg: Decimal | None = None
    mg_per_kg_per_h: Decimal | None = None
    infusion_minutes: int | None = None
    infusion_volume_ml: Decimal | None = None
    source: str = CLINIC_POLICY

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "route", Route(self.route))
        except ValueError:
            raise DoseInputError("route", f"unknown route {self.route!r}") from None
        given = [n for n in ("mg_per_kg", "fixed_mg", "mg_per_kg_per_h") if getattr(self, n) is not None]
        if len(given) != 1:
            raise DoseInputError("dose", "give exactly one of mg/kg, fixed mg or mg/kg/h")
        name = given[0]
        object.__setattr__(self, name, _entry(getattr(self, name), name))
        if self.source not in SOURCES:
            raise DoseInputError("source", f"unknown source {self.source!r}")
        if self.route is Route.ESKETAMINE_NASAL:
            if self.fixed_mg is None:
                raise DoseInputError("fixed_mg", "esketamine is ordered in mg (28 mg devices), not per kg")
            if self.fixed_mg % ESKETAMINE_MG_PER_DEVICE:
                raise DoseInputError("fixed_mg", "esketamine doses are whole 28 mg devices (28, 56 or 84 mg)")
        if self.route is Route.IV:
            if self.infusion_minutes is None:
                raise DoseInputError("infusion_minutes", "an IV order needs an infusion duration")
        elif self.infusion_minutes is not None or self.infusion_volume_ml is not None:
            raise DoseInputError("infusion_minutes", "only IV orders have an infusion duration and volume")
        if self.mg_per_kg_per_h is not None and self.route is not Route.IV:
            raise DoseInputError("mg_per_kg_per_h", "a mg/kg/h rate is for IV infusions only")
        if self.infusion_minutes is not None:
            minutes = to_whole(self.infusion_minutes, "infusion_minutes", error=DoseInputError)
            if not 0 < minutes <= MAX_INFUSION_MINUTES:
                raise DoseInputError("infusion_minutes", f"must be between 1 and {MAX_INFUSION_MINUTES} minutes")
            object.__setattr__(self, "infusion_minutes", minutes)
        if self.infusion_volume_ml is not None:
            object.__setattr__(self, "infusion_volume_ml", _entry(self.infusion_volume_ml, "infusion_volume_ml"))

    @property
    def basis(self) -> DoseBasis:
        if self.mg_per_kg is not None:
            return DoseBasis.MG_PER_KG
        if self.fixed_mg is not None:
            return DoseBasis.FIXED_MG
        return DoseBasis.MG_PER_KG_PER_H

    @property
    def is_weight_based(self) -> bool:
        return self.basis is not DoseBasis.FIXED_MG


@dataclass(frozen=True)
class Product:
    """What is drawn from: a vial or prepared solution of ``concentration_mg_per_ml``."""

    name: str
    concentration_mg_per_ml: Decimal

    def __post_init__(self) -> None:
        c = to_decimal(self.concentration_mg_per_ml, "concentration_mg_per_ml", error=DoseInputError)
        if c < MIN_CONCENTRATION_MG_PER_ML:
            raise DoseInputError("concentration_mg_per_ml",
                                 f"{c} mg/mL is implausibly weak (minimum {MIN_CONCENTRATION_MG_PER_ML} mg/mL); check the entry")
        if c > MAX_VIAL_CONCENTRATION_MG_PER_ML:
            raise DoseInputError("concentration_mg_per_ml",
                                 f"{c} mg/mL is stronger than any ketamine product (max 100 mg/mL)")
        object.__setattr__(self, "concentration_mg_per_ml", c)


@dataclass(frozen=True)
class DosePlan:
    """What to give. Volumes and rates are already rounded as ``rounding`` states."""

    route: Route
    basis: DoseBasis
    weight_kg: Decimal | None
    dose_mg: Decimal  # ordered dose, rounded to the dose increment
    dose_mg_per_kg: Decimal | None  # the order's mg/kg, or the fixed dose per kg when a weight is known
    concentration_mg_per_ml: Decimal | None = None
    draw_volume_ml: Decimal | None = None  # volume of product to draw
    drawn_dose_mg: Decimal | None = None  # draw_volume_ml x concentration: what the syringe holds
    drawn_dose_mg_per_kg: Decimal | None = None  # drawn_dose_mg / weight, when a weight is known
    device_count: int | None = None  # esketamine
    device_spacing_min: int | None = None  # esketamine, minutes between devices
    infusion_minutes: int | None = None
    infusion_volume_ml: Decimal | None = None  # volume the pump delivers
    pump_rate_ml_per_h: Decimal | None = None
    rate_mg_per_h: Decimal | None = None
    rate_mg_per_kg_per_h: Decimal | None = None
    drawn_rate_mg_per_kg_per_h: Decimal | None = None  # what the pump delivers: rate x drawn mg / pump volume / kg
    rounding: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def drawn_differs(self) -> bool:
        """The syringe's steps made the drawn dose differ from the ordered dose."""
        return self.drawn_dose_mg is not None and self.drawn_dose_mg != self.dose_mg


def compute_dose(rule: DoseOrder, weight_kg: object, product: Product | None, policy: Policy = None) -> DosePlan:
    """Turn an order into a dose plan for today's weight and the product on hand."""
    if not isinstance(rule, DoseOrder):
        raise DoseInputError("rule", "must be a DoseOrder")
    dose_inc = setting_value(_SETTINGS, policy, "session.dose.dose_increment_mg")
    vol_inc = setting_value(_SETTINGS, policy, "session.dose.volume_increment_ml")
    rate_inc = setting_value(_SETTINGS, policy, "session.dose.rate_increment_ml_per_h")
    rounding = [f"Dose rounded half up to {dose_inc} mg (clinic policy)."]
    sources = [rule.source]
    weight = _checked_weight(rule, weight_kg)
    hours = Decimal(rule.infusion_minutes) / 60 if rule.infusion_minutes else None
    dose_mg = round_to(_exact_mg(rule, weight, hours), dose_inc)
    if dose_mg <= 0:
        raise DoseInputError("dose", f"the dose rounds to 0 mg at {dose_inc} mg steps")
    per_kg = rule.mg_per_kg if rule.mg_per_kg is not None else (
        (dose_mg / weight).quantize(Decimal("0.001")) if weight is not None else None)

    if rule.route is Route.ESKETAMINE_NASAL:
        return _esketamine_plan(rule, weight, per_kg, sources)
    if product is None:
        if rule.route is Route.ORAL_SUBLINGUAL:
            return DosePlan(rule.route, rule.basis, weight, dose_mg, per_kg,
                            rounding=tuple(rounding), sources=tuple(sources))
        raise DoseInputError("product", "choose the product (its concentration in mg/mL) to compute a volume")
    if not isinstance(product, Product):
        raise DoseInputError("product", "must be a Product")
    plan = _draw(dose_mg, weight, product, vol_inc, policy, rounding)
    if rule.route is Route.IV:
        plan.update(_pump(rule, dose_mg, weight, hours, plan, rate_inc, rounding))
    return DosePlan(rule.route, rule.basis, weight, dose_mg, per_kg, **plan,
                    rounding=tuple(rounding), sources=tuple(sources))


def _checked_weight(rule: DoseOrder, weight_kg: object) -> Decimal | None:
    """Today's weight, required for a weight-based order and checked against the plausible range."""
    if weight_kg is None and not rule.is_weight_based:
        return None
    if weight_kg is None:
        raise DoseInputError("weight_kg", "today's weight is required for a mg/kg dose")
    weight = to_decimal(weight_kg, "weight_kg", error=DoseInputError)
    low, high = WEIGHT_KG_RANGE
    if not low <= weight <= high:
        raise DoseInputError("weight_kg", f"{weight} kg is outside {low}–{high} kg; check the entry")
    return weight


def _exact_mg(rule: DoseOrder, weight: Decimal | None, hours: Decimal | None) -> Decimal:
    """The ordered dose in mg before rounding: mg/kg x weight, a fixed mg, or mg/kg/h x weight x hours."""
    if rule.basis is DoseBasis.MG_PER_KG:
        return rule.mg_per_kg * weight
    if rule.basis is DoseBasis.FIXED_MG:
        return rule.fixed_mg
    return rule.mg_per_kg_per_h * weight * hours


def _esketamine_plan(rule: DoseOrder, weight, per_kg, sources: list[str]) -> DosePlan:
    dose_mg = rule.fixed_mg.normalize()  # whole devices: no rounding
    devices = int(dose_mg / ESKETAMINE_MG_PER_DEVICE)
    if not 1 <= devices <= ESKETAMINE_MAX_DEVICES:
        raise DoseInputError("fixed_mg", "esketamine is given as 1 to 3 devices of 28 mg (28, 56 or 84 mg)")
    return DosePlan(rule.route, rule.basis, weight, dose_mg, per_kg, device_count=devices,
                    device_spacing_min=ESKETAMINE_DEVICE_SPACING_MIN,
                    rounding=("Esketamine: whole 28 mg devices, no rounding.",),
                    sources=tuple(dict.fromkeys([*sources, "spravato-pi"])))


def _draw(dose_mg: Decimal, weight, product: Product, vol_inc: Decimal, policy: Policy, rounding: list[str]) -> dict:
    """The volume to draw at the syringe's steps, refused when its rounding error exceeds the clinic's limit."""
    conc = product.concentration_mg_per_ml
    draw_ml = round_to(dose_mg / conc, vol_inc)
    if draw_ml <= 0:
        raise DoseInputError("product", f"{dose_mg} mg rounds to 0 mL at {conc} mg/mL; use a weaker concentration")
    max_error = setting_value(_SETTINGS, policy, "session.dose.max_volume_rounding_error_percent")
    error_percent = abs(draw_ml * conc - dose_mg) / dose_mg * 100
    if error_percent > max_error:
        raise DoseInputError("product", f"{draw_ml} mL of {conc} mg/mL is {draw_ml * conc} mg, "
                                        f"{error_percent:.0f}% off the {dose_mg} mg dose; use a weaker concentration")
    rounding.append(f"Volume to draw rounded half up to the syringe's {vol_inc} mL steps (clinic policy).")
    drawn_mg = draw_ml * conc
    drawn_per_kg = _per_kg(drawn_mg, weight)
    if drawn_mg != dose_mg:
        rounding.append(f"The drawn dose is {_mg(drawn_mg)} mg"
                        + (f" ({drawn_per_kg} mg/kg)" if drawn_per_kg is not None else "")
                        + f", not the {_mg(dose_mg)} mg ordered: {draw_ml} mL at {_mg(conc)} mg/mL.")
    return dict(concentration_mg_per_ml=conc, draw_volume_ml=draw_ml, drawn_dose_mg=drawn_mg,
                drawn_dose_mg_per_kg=drawn_per_kg)


def _pump(rule: DoseOrder, dose_mg: Decimal, weight, hours: Decimal, draw: dict, rate_inc: Decimal,
          rounding: list[str]) -> dict:
    """An IV infusion's pump volume and rate (mL/h at the clinic's step), and the rates they give."""
    draw_ml, drawn_mg = draw["draw_volume_ml"], draw["drawn_dose_mg"]
    pump_ml = rule.infusion_volume_ml if rule.infusion_volume_ml is not None else draw_ml
    if pump_ml < draw_ml:
        raise DoseInputError("infusion_volume_ml",
                             f"a {pump_ml} mL bag/syringe cannot hold the {draw_ml} mL to draw")
    rate = round_to(pump_ml / hours, rate_inc)
    if rate <= 0:
        raise DoseInputError("infusion_volume_ml", "the pump rate rounds to 0 mL/h")
    rounding.append(f"Pump rate rounded half up to {rate_inc} mL/h (clinic policy).")
    rate_mg_per_h = (dose_mg / hours).quantize(Decimal("0.1"))
    return dict(
        infusion_minutes=rule.infusion_minutes, infusion_volume_ml=pump_ml, pump_rate_ml_per_h=rate,
        rate_mg_per_h=rate_mg_per_h,
        rate_mg_per_kg_per_h=_rate_per_kg(rule, dose_mg, hours, weight),
        drawn_rate_mg_per_kg_per_h=_per_kg(rate * drawn_mg / pump_ml, weight),
    )


def _per_kg(mg: Decimal, weight: Decimal | None) -> Decimal | None:
    return (mg / weight).quantize(Decimal("0.001")) if weight is not None else None


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _rate_per_kg(rule: DoseOrder, dose_mg: Decimal, hours: Decimal, weight: Decimal | None) -> Decimal | None:
    """mg/kg/h: exact from the order when it is per kg, else from the rounded dose and the weight."""
    if rule.mg_per_kg_per_h is not None:
        return rule.mg_per_kg_per_h
    if rule.mg_per_kg is not None:
        return (rule.mg_per_kg / hours).quantize(Decimal("0.001"))
    return (dose_mg / hours / weight).quantize(Decimal("0.001")) if weight is not None else None
