"""Pharmacokinetics of racemic ketamine and esketamine: pure Python + NumPy, no Django.

Public API (JSON-friendly plain values; every result has ``to_dict()``):

- ``MODELS`` / ``list_models()``: the models, their routes, validated ranges and sourced parameters.
- ``predict(model, weight_kg, age_years, sex, doses, times_min)`` -> ``Prediction``.
- ``tci(model, weight_kg, target_ng_ml, duration_min, age_years=, sex=)`` -> ``TCIResult``.
- ``population(model, weight_kg, age_years, sex, doses, times_min, n, seed)`` -> ``PopulationResult``.
- ``PKInputError`` (``field``, ``message``) for any bad input.
"""

from .engine import Dose, Prediction, predict
from .errors import PKInputError
from .models import ALL_ROUTES, MODELS, SETTINGS, PKModel, list_models
from .population import PopulationResult, population
from .tci import TCIResult, tci

__all__ = [
    "ALL_ROUTES", "MODELS", "SETTINGS", "Dose", "PKInputError", "PKModel", "PopulationResult",
    "Prediction", "TCIResult", "list_models", "population", "predict", "tci",
]
