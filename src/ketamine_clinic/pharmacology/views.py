"""The dose planner: the predicted plasma curve for a dose, its peak and time above a ceiling."""

import numpy as np
from django.shortcuts import render

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.charts import LineStyle, Series, line_chart_svg
from ketamine_clinic.clinical import pk
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.patients.services import current_measurement, get_patient_for

from . import services
from .forms import PlannerForm


def _initial_for_patient(request):
    public_id = request.GET.get("patient")
    if not public_id:
        return None, {}
    patient = get_patient_for(Context.from_request(request), public_id)
    initial = {"age_years": patient.age_on(patient_today(patient))}
    if patient.sex_at_birth in ("female", "male"):
        initial["sex"] = patient.sex_at_birth
    m = current_measurement(patient)
    if m:
        initial["weight_kg"] = float(m.weight_kg)
    return patient, initial


def _chart(result: dict, ceiling: float) -> str:
    times = result["times_min"]
    series = [Series("Typical patient", list(zip(times, result["concentration_ng_ml"])), LineStyle("solid", "none", stroke_width=2.5))]
    band = result.get("population")
    if band:
        series.append(Series("5th percentile", list(zip(band["times_min"], band["p5_ng_ml"])), LineStyle("dotted", "none")))
        series.append(Series("95th percentile", list(zip(band["times_min"], band["p95_ng_ml"])), LineStyle("dashed", "none")))
    if result.get("metabolite_ng_ml"):
        series.append(Series(result["metabolite_name"] or "Metabolite", list(zip(times, result["metabolite_ng_ml"])), LineStyle("dashdot", "none")))
    top = max(max(y for _, y in s.points) for s in series)
    return line_chart_svg(
        series, width=760, height=380, y_min=0, y_max=max(top, ceiling) * 1.1,
        horizontal_lines=[(ceiling, f"Ceiling {ceiling:g} ng/mL (clinic policy)", "dashed")],
        title="Predicted plasma concentration", x_label="Minutes from first dose", y_label="ng/mL",
    )


@staff_required("pk.use")
def planner(request):
    patient, initial = _initial_for_patient(request)
    form = PlannerForm(request.GET if "model" in request.GET else None, initial=initial)
    context = {"form": form, "patient": patient, "models": pk.MODELS}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        dose = {"route": d["route"], "mg": form.dose_mg(), "start_min": 0.0, "duration_min": d["duration_min"] if d["route"] == "iv" else 0.0}
        try:
            result = services.predict(
                request.user, model=d["model"], weight_kg=d["weight_kg"], age_years=d["age_years"], sex=d["sex"],
                doses=[dose], times_min=services.time_grid_min(d["hours"]), n_virtual=d["n_virtual"],
                ceiling_ng_ml=d["ceiling_ng_ml"],
            )
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                form_field = {"doses[0].mg": "dose", "doses[0].route": "route", "doses[0].duration_min": "duration_min"}.get(field, field)
                for message in messages:
                    form.add_error(form_field if form_field in form.fields else None, message)
        else:
            peak_min, peak_ng_ml = result["peak"]["time_min"], result["peak"]["concentration_ng_ml"]
            above = pk.engine.time_above(np.asarray(result["times_min"]), np.asarray(result["concentration_ng_ml"]), d["ceiling_ng_ml"])
            context.update(
                result=result, dose_mg=dose["mg"], peak_min=peak_min, peak_ng_ml=peak_ng_ml, minutes_above=above,
                svg=_chart(result, d["ceiling_ng_ml"]),
            )
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "pharmacology/planner.html", context, status=status)
