"""Predictions for the API and the planner screen: validation errors become field errors."""

import numpy as np

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.clinical import pk
from ketamine_clinic.core.errors import ValidationFailed

from .clinic_policy import MAX_VIRTUAL_PATIENTS


def _field_error(exc: pk.PKInputError) -> ValidationFailed:
    return ValidationFailed({exc.field: [exc.message]}, message=f"{exc.field}: {exc.message}")


def predict(actor, *, model, weight_kg, age_years, sex, doses, times_min, n_virtual=0, seed=0,
            ceiling_ng_ml=None) -> dict:
    require(actor, "pk.use")
    try:
        result = pk.predict(model, weight_kg, age_years, sex, doses, times_min).to_dict()
        if n_virtual:
            if not isinstance(n_virtual, int) or not 1 <= n_virtual <= MAX_VIRTUAL_PATIENTS:
                raise ValidationFailed({"n_virtual": [f"Choose 1 to {MAX_VIRTUAL_PATIENTS} virtual patients."]})
            band = pk.population(model, weight_kg, age_years, sex, doses, times_min, n=n_virtual, seed=seed,
                                 ceiling_ng_ml=ceiling_ng_ml).to_dict()
            result["population"] = band
    except pk.PKInputError as exc:
        raise _field_error(exc) from None
    return result


def tci(actor, *, model, weight_kg, target_ng_ml, duration_min, age_years, sex, max_rate_mg_per_min=None) -> dict:
    require(actor, "pk.use")
    kwargs = {"age_years": age_years, "sex": sex}
    if max_rate_mg_per_min is not None:
        kwargs["max_rate_mg_per_min"] = max_rate_mg_per_min
    try:
        return pk.tci(model, weight_kg, target_ng_ml, duration_min, **kwargs).to_dict()
    except pk.PKInputError as exc:
        raise _field_error(exc) from None


def time_grid_min(hours: float, points: int = 241) -> list[float]:
    return np.linspace(0.0, hours * 60.0, points).tolist()
