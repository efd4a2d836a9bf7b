"""The predicted plasma curve for a prescribed dose, for the plan and session screens."""

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from ketamine_clinic.core.charts import LineStyle, Series, line_chart_svg
from ketamine_clinic.clinical import pk
from ketamine_clinic.clinic_settings import policy_for

from ketamine_clinic.clinical.protocols import esketamine_dose_mg

from .clinic_policy import DISPLAY_CEILING, MODEL_FOR_ROUTE


@dataclass(frozen=True)
class Curve:
    model_title: str
    dose_mg: float
    peak_ng_ml: float
    peak_min: float
    ceiling_ng_ml: float
    minutes_above: float  # the typical patient's
    svg: str
    warnings: list[str] = field(default_factory=list)
    problem: str = ""  # why no curve could be drawn
    band_n: int = 0  # virtual patients behind the 5-95% band
    share_above: float | None = None  # of them, the fraction whose level passes the ceiling
    low_confidence: list[dict] = field(default_factory=list)  # measured peaks beside a low-confidence route (pk.engine)


# Virtual patients for the band on plan and session screens: enough for stable 5th/95th
# percentiles, a few milliseconds to compute.
BAND_VIRTUAL_PATIENTS = 200


def dose_mg(unit: str, amount: Decimal, weight_kg: float | None, duration_min: float | None) -> float | None:
    """The dose in mg for a plan's dose rule; None when the weight needed is unknown."""
    amount = float(amount)
    if unit == "mg":
        return amount
    if unit == "devices":
        return float(esketamine_dose_mg(int(amount)))
    if weight_kg is None:
        return None
    if unit == "mg/kg":
        return amount * weight_kg
    if unit == "mg/kg/h" and duration_min:
        return amount * weight_kg * duration_min / 60.0
    return None


def predicted_curve(organization, *, route: str, unit: str, amount: Decimal, duration_min: float | None,
                    weight_kg: float | None, age_years: float, sex: str, hours: float = 4.0) -> Curve:
    model_key, pk_route = MODEL_FOR_ROUTE[route]
    model = pk.MODELS[model_key]
    ceiling = float(policy_for(organization, DISPLAY_CEILING.key)[DISPLAY_CEILING.key])
    mg = dose_mg(unit, amount, weight_kg, duration_min)
    if mg is None:
        return Curve(model.title, 0, 0, 0, ceiling, 0, "", problem="Record the patient's weight to see the predicted levels.")
    duration = float(duration_min or 0) if pk_route == "iv" else 0.0
    times = np.linspace(0.0, hours * 60.0, 241)
    try:
        prediction = pk.predict(model_key, weight_kg or 70.0, age_years, sex if sex in ("female", "male") else "unknown",
                                [{"route": pk_route, "mg": mg, "start_min": 0.0, "duration_min": duration}], times)
    except pk.PKInputError as exc:
        return Curve(model.title, mg, 0, 0, ceiling, 0, "", problem=f"No prediction: {exc.field} {exc.message}")
    peak_min, peak = prediction.peak()
    above = prediction.time_above_min(ceiling)
    band = pk.population(model_key, weight_kg or 70.0, age_years, sex if sex in ("female", "male") else "unknown",
                         [{"route": pk_route, "mg": mg, "start_min": 0.0, "duration_min": duration}], times,
                         n=BAND_VIRTUAL_PATIENTS, ceiling_ng_ml=ceiling)
    top = max(peak, ceiling, float(band.p95_ng_ml.max())) * 1.1
    minutes = times.tolist()
    svg = line_chart_svg(
        [Series("Typical patient", list(zip(minutes, prediction.concentration_ng_ml.tolist())), LineStyle("solid", "none", stroke_width=2.5)),
         Series("5th percentile", list(zip(minutes, band.p5_ng_ml.tolist())), LineStyle("dotted", "none")),
         Series("95th percentile", list(zip(minutes, band.p95_ng_ml.tolist())), LineStyle("dashed", "none"))],
        width=640, height=300, y_min=0, y_max=top,
        horizontal_lines=[(ceiling, f"Ceiling {ceiling:g} ng/mL (clinic policy)", "dashdot")],
        title=f"Predicted plasma level: {mg:.0f} mg ({model.title})", x_label="Minutes from dose start", y_label="ng/mL",
    )
    return Curve(model.title, mg, peak, peak_min, ceiling, above, svg, list(prediction.warnings),
                 band_n=band.n, share_above=band.share_above_ceiling, low_confidence=prediction.low_confidence)
