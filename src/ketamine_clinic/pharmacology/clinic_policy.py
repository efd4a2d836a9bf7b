"""Clinic settings of the dose planner screens (the engine's own are in clinical/pk)."""

from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY

# CLINICAL.md s.6: dissociation in healthy volunteers at 100-250 ng/mL; the ceiling a clinic wants
# to see time above is its own choice.
DISPLAY_CEILING = Setting(
    "pk.display.ceiling_ng_ml", 250.0, "ng/mL", CLINIC_POLICY,
    "Clinic policy: concentration whose exceedance the planner reports (dissociation is reported at 100-250 ng/mL).",
    minimum=1.0, maximum=5000.0,
)
# Which published model draws the curve on plan and session screens, per route. Clements 1981
# reproduces the published IM/oral/sublingual peaks best of the racemic models (see the PK
# validation tests); Domino 1984 is the usual IV TCI model; Perez-Ruixo 2021 is the esketamine model.
MODEL_FOR_ROUTE = {
    "iv": ("domino-1984", "iv"),
    "im": ("clements-1981", "im"),
    "oral_sublingual": ("clements-1981", "sublingual"),
    "esketamine_nasal": ("perez-ruixo-2021", "esketamine_nasal"),
}
MAX_VIRTUAL_PATIENTS = 2000  # keeps one request under a second on the 2-core machine
SETTINGS = (DISPLAY_CEILING,)
