from typing import Any

from ninja import Field, Router, Schema

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.clinical import pk
from ketamine_clinic.core.schemas import errors

from . import services

router = Router(tags=["pharmacokinetics"])


class PkDoseIn(Schema):
    route: str = Field(..., description="iv, im, intranasal, esketamine_nasal, oral, sublingual")
    mg: float
    start_min: float = 0.0
    duration_min: float = 0.0


class PredictIn(Schema):
    model: str = Field(..., description="A key from GET /api/v1/pk/models")
    weight_kg: float
    age: float = Field(..., description="years")
    sex: str = Field(..., description="female | male")
    doses: list[PkDoseIn] = Field(..., max_length=2000)
    times_min: list[float] = Field(..., max_length=100_000, description="sorted ascending")
    n_virtual: int = Field(0, description="0: typical patient only; 1-2000: add a population median and 5-95% band")
    seed: int = 0


class TciIn(Schema):
    model: str
    weight_kg: float
    target_ng_ml: float
    duration_min: float
    age: float = 40.0
    sex: str = "female"
    max_rate_mg_per_min: float | None = None


@router.get("/pk/models", response={200: list[dict[str, Any]], **errors(401, 403)}, summary="Pharmacokinetic models, their sources, routes and validated ranges")
def models(request):
    require(request.user, "pk.use")
    return pk.list_models()


@router.post("/pk/predict", response={200: dict[str, Any], **errors(400, 401, 403, 422)}, summary="Predicted plasma concentrations (ng/mL) for a regimen")
def predict(request, payload: PredictIn):
    return services.predict(
        request.user, model=payload.model, weight_kg=payload.weight_kg, age_years=payload.age, sex=payload.sex,
        doses=[d.dict() for d in payload.doses], times_min=payload.times_min, n_virtual=payload.n_virtual, seed=payload.seed,
    )


@router.post("/pk/tci", response={200: dict[str, Any], **errors(400, 401, 403, 422)}, summary="Target-controlled infusion: the rate schedule, total mg and mg/kg")
def tci(request, payload: TciIn):
    return services.tci(
        request.user, model=payload.model, weight_kg=payload.weight_kg, target_ng_ml=payload.target_ng_ml,
        duration_min=payload.duration_min, age_years=payload.age, sex=payload.sex, max_rate_mg_per_min=payload.max_rate_mg_per_min,
    )
