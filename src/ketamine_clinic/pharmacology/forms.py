from django import forms

from ketamine_clinic.clinical import pk
from ketamine_clinic.clinical.plausibility import PLAUSIBLE_WEIGHT_KG

from .clinic_policy import DISPLAY_CEILING

ROUTE_LABELS = {
    "iv": "IV (bolus if duration 0, else infusion)",
    "im": "IM injection",
    "intranasal": "Intranasal (racemic)",
    "esketamine_nasal": "Esketamine nasal spray (28 mg devices)",
    "oral": "Oral",
    "sublingual": "Sublingual",
}


class PlannerForm(forms.Form):
    model = forms.ChoiceField(choices=[(m.key, m.title) for m in pk.MODELS.values()], initial="domino-1984")
    weight_kg = forms.FloatField(label="Weight (kg)", min_value=float(PLAUSIBLE_WEIGHT_KG[0]),
                                 max_value=float(PLAUSIBLE_WEIGHT_KG[1]), initial=70)
    age_years = forms.FloatField(label="Age (years)", min_value=0, max_value=120, initial=40)
    sex = forms.ChoiceField(choices=[("", "Choose…"), ("female", "Female"), ("male", "Male")])
    route = forms.ChoiceField(choices=list(ROUTE_LABELS.items()), initial="iv")
    dose_unit = forms.ChoiceField(choices=[("mg_per_kg", "mg/kg"), ("mg", "mg")], initial="mg_per_kg")
    dose = forms.FloatField(min_value=0, max_value=5000, initial=0.5)
    duration_min = forms.FloatField(label="Infusion duration (min)", min_value=0, max_value=1440, initial=40)
    hours = forms.FloatField(label="Show (hours)", min_value=0.5, max_value=48, initial=4)
    ceiling_ng_ml = forms.FloatField(
        label="Ceiling (ng/mL)", min_value=DISPLAY_CEILING.minimum, max_value=DISPLAY_CEILING.maximum,
        initial=DISPLAY_CEILING.default, help_text=DISPLAY_CEILING.description,
    )
    n_virtual = forms.TypedChoiceField(
        label="Population band", coerce=int, initial=0,
        choices=[(0, "Typical patient only"), (200, "200 virtual patients"), (1000, "1,000 virtual patients")],
    )

    def dose_mg(self) -> float:
        d = self.cleaned_data
        return d["dose"] * d["weight_kg"] if d["dose_unit"] == "mg_per_kg" else d["dose"]
