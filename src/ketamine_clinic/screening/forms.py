"""Input checks for screening, shared by the HTML pages and the API.

The intake evaluation itself is validated by ``Evaluation.from_dict`` (the clinical core owns
those rules); the ``EvaluationForm`` only turns form fields into that dict and maps the core's
field errors back onto form fields.
"""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from ketamine_clinic.clinical.eligibility import (
    MedicalHistory,
    LiverDisease,
    Status,
)
from ketamine_clinic.clinical.eligibility.indications import Indication
from ketamine_clinic.clinical.routes import Route

from .models import EligibilityDecision

ROUTE_CHOICES = [(r.value, r.label) for r in Route]
CHOOSE = ("", "Choose…")
STATUS_CHOICES = [(Status.NONE.value, "None"), (Status.HISTORY.value, "In the past"), (Status.ACTIVE.value, "Current / active")]
YES_NO_UNKNOWN = [("", "Not recorded"), ("true", "Yes"), ("false", "No")]
TRI = {"": None, "true": True, "false": False}

MEDICAL_BOOLEANS = [
    ("hypertension", "Hypertension"),
    ("cardiovascular_disease", "Cardiovascular disease"),
    ("aneurysmal_vascular_disease_or_avm", "Aneurysmal vascular disease or AV malformation"),
    ("intracerebral_hemorrhage_history", "History of intracerebral hemorrhage"),
    ("raised_intracranial_pressure", "Raised intracranial pressure"),
    ("raised_intraocular_pressure", "Raised intraocular pressure (e.g. glaucoma)"),
    ("seizures", "Seizure disorder"),
    ("hyperthyroidism", "Hyperthyroidism"),
    ("bladder_symptoms", "Bladder or urinary symptoms"),
    ("sleep_apnea", "Sleep apnea"),
    ("pregnant", "Pregnant"),
    ("breastfeeding", "Breastfeeding"),
    ("hypersensitivity_to_ketamine_or_esketamine", "Hypersensitivity to ketamine or esketamine"),
]
assert {n for n, _ in MEDICAL_BOOLEANS} | {"hypertension_controlled", "cardiovascular_disease_poorly_controlled", "liver_disease"} == set(
    MedicalHistory.__dataclass_fields__
), "the evaluation form must cover every medical-history field of the clinical core"

_TOP_LEVEL_FIELDS = {"weight_kg", "ride_home_arranged", "phq9_item9_baseline", "episode_duration_weeks"}
_PATH_INDEX = re.compile(r"^indications\[(\d+)\]")


def _tri(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class EvaluationForm(forms.Form):
    """Every staff-entered part of the intake evaluation. Trials, interacting medications and the
    starting weight come from the patient registry (see ``services.registry_prefill``)."""

    episode_duration_weeks = forms.FloatField(label="Current episode duration (weeks)", required=False)
    psychotherapy = forms.BooleanField(label="Psychotherapy tried", required=False)
    ect = forms.BooleanField(label="ECT tried", required=False)
    tms = forms.BooleanField(label="TMS tried", required=False)
    # No answer is preselected: "none" recorded because nobody asked would read as a safe history.
    psychosis = forms.ChoiceField(label="Psychosis", choices=[CHOOSE, *STATUS_CHOICES])
    mania = forms.ChoiceField(label="Mania or hypomania", choices=[CHOOSE, *STATUS_CHOICES])
    substance_use_disorder = forms.ChoiceField(label="Substance use disorder", choices=[CHOOSE, *STATUS_CHOICES])
    ketamine_or_pcp_misuse = forms.ChoiceField(label="Ketamine or PCP misuse", choices=[CHOOSE, *STATUS_CHOICES])
    regular_alcohol_use = forms.BooleanField(label="Regular alcohol use", required=False)
    hypertension_controlled = forms.ChoiceField(
        label="Hypertension controlled?", choices=YES_NO_UNKNOWN, required=False, help_text="Required when hypertension is ticked."
    )
    cardiovascular_disease_poorly_controlled = forms.ChoiceField(
        label="Cardiovascular disease poorly controlled?", choices=YES_NO_UNKNOWN, required=False,
        help_text="Required when cardiovascular disease is ticked.",
    )
    liver_disease = forms.ChoiceField(label="Liver disease", choices=[CHOOSE, *((v.value, v.value.capitalize()) for v in LiverDisease)])
    systolic_mmhg = forms.IntegerField(label="Baseline systolic (mmHg)", required=False)
    diastolic_mmhg = forms.IntegerField(label="Baseline diastolic (mmHg)", required=False)
    heart_rate_per_min = forms.IntegerField(label="Baseline heart rate (/min)", required=False)
    weight_kg = forms.FloatField(label="Weight (kg)", required=False, help_text="Prefilled from the latest measurement.")
    ride_home_arranged = forms.ChoiceField(label="Ride home can be arranged", choices=[("", "Not yet asked"), ("true", "Yes"), ("false", "No")], required=False)
    phq9_item9_baseline = forms.ChoiceField(
        label="PHQ-9 item 9 at baseline", choices=[("", "Not known")] + [(str(i), str(i)) for i in range(4)], required=False
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    report = forms.UUIDField(required=False, widget=forms.HiddenInput)

    MEDICAL_BOOLEANS = MEDICAL_BOOLEANS
    INDICATIONS = list(Indication)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in MEDICAL_BOOLEANS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        for ind in Indication:
            self.fields[f"ind_{ind.value}"] = forms.BooleanField(label=ind.label, required=False)
            self.fields[f"codes_{ind.value}"] = forms.CharField(
                label=f"ICD-10-CM codes for {ind.label.lower()}", max_length=200, required=False,
                help_text="Comma-separated, e.g. F33.2",
                widget=forms.TextInput(attrs={"aria-label": f"ICD-10-CM codes for {ind.label.lower()}"}),
            )

    # -- grouping for the template --------------------------------------------------------------
    def indication_rows(self):
        return [(self[f"ind_{i.value}"], self[f"codes_{i.value}"]) for i in Indication]

    def medical_fields(self):
        return [self[name] for name, _ in MEDICAL_BOOLEANS]

    def clean(self):
        data = super().clean()
        vitals = [data.get(k) for k in ("systolic_mmhg", "diastolic_mmhg", "heart_rate_per_min")]
        if any(v is not None for v in vitals) and not all(v is not None for v in vitals):
            for k, v in zip(("systolic_mmhg", "diastolic_mmhg", "heart_rate_per_min"), vitals):
                if v is None:
                    self.add_error(k, "Enter all three baseline vital signs, or none.")
        return data

    # -- conversion -----------------------------------------------------------------------------
    def to_evaluation_dict(self, prefill: dict) -> dict:
        """The evaluation dict for ``Evaluation.from_dict``; ``prefill`` holds the registry parts."""
        d = self.cleaned_data
        indications = []
        for ind in Indication:
            if d.get(f"ind_{ind.value}"):
                codes = [c.strip() for c in (d.get(f"codes_{ind.value}") or "").split(",") if c.strip()]
                indications.append({"indication": ind.value, "icd10cm_codes": codes})
        vitals = None
        if d.get("systolic_mmhg") is not None:
            vitals = {k: d[k] for k in ("systolic_mmhg", "diastolic_mmhg", "heart_rate_per_min")}
        medical = {name: bool(d.get(name)) for name, _ in MEDICAL_BOOLEANS}
        medical["liver_disease"] = d["liver_disease"]
        medical["hypertension_controlled"] = TRI[d.get("hypertension_controlled") or ""]
        medical["cardiovascular_disease_poorly_controlled"] = TRI[d.get("cardiovascular_disease_poorly_controlled") or ""]
        item9 = d.get("phq9_item9_baseline")
        return {
            "indications": indications,
            "prior_treatments": {
                "antidepressant_trials": prefill["antidepressant_trials"],
                "psychotherapy": bool(d.get("psychotherapy")),
                "ect": bool(d.get("ect")),
                "tms": bool(d.get("tms")),
            },
            "psychiatric_history": {"psychosis": d["psychosis"], "mania": d["mania"]},
            "substance_use": {
                "substance_use_disorder": d["substance_use_disorder"],
                "ketamine_or_pcp_misuse": d["ketamine_or_pcp_misuse"],
                "regular_alcohol_use": bool(d.get("regular_alcohol_use")),
            },
            "medical_history": medical,
            "interacting_medications": prefill["interacting_medications"],
            "baseline_vitals": vitals,
            "weight_kg": d.get("weight_kg"),
            "ride_home_arranged": TRI[d.get("ride_home_arranged") or ""],
            "phq9_item9_baseline": int(item9) if item9 not in (None, "") else None,
            "episode_duration_weeks": d.get("episode_duration_weeks"),
        }

    @staticmethod
    def initial_from(data: dict) -> dict:
        """Form initial values from a stored evaluation dict (the reverse of ``to_evaluation_dict``)."""
        initial: dict = {}
        for p in data.get("indications", []):
            initial[f"ind_{p['indication']}"] = True
            initial[f"codes_{p['indication']}"] = ", ".join(p.get("icd10cm_codes", []))
        pt = data.get("prior_treatments", {})
        for k in ("psychotherapy", "ect", "tms"):
            initial[k] = pt.get(k, False)
        initial.update(data.get("psychiatric_history", {}))
        initial.update(data.get("substance_use", {}))
        med = dict(data.get("medical_history", {}))
        for k in ("hypertension_controlled", "cardiovascular_disease_poorly_controlled"):
            med[k] = _tri(med.get(k))
        initial.update(med)
        initial.update(data.get("baseline_vitals") or {})
        initial["weight_kg"] = data.get("weight_kg")
        initial["ride_home_arranged"] = _tri(data.get("ride_home_arranged"))
        item9 = data.get("phq9_item9_baseline")
        initial["phq9_item9_baseline"] = "" if item9 is None else str(item9)
        initial["episode_duration_weeks"] = data.get("episode_duration_weeks")
        return initial

    @staticmethod
    def map_errors(errors: dict[str, list[str]], evaluation_dict: dict) -> dict[str, list[str]]:
        """The clinical core's error paths (``medical_history.hypertension_controlled``,
        ``indications[0].icd10cm_codes[1]``) as form field names; the rest as page-level errors."""
        out: dict[str, list[str]] = {}
        trials = evaluation_dict.get("prior_treatments", {}).get("antidepressant_trials", [])
        for path, messages in errors.items():
            field = None
            match = _PATH_INDEX.match(path)
            if match and "icd10cm_codes" in path:
                i = int(match.group(1))
                inds = evaluation_dict.get("indications", [])
                if i < len(inds):
                    field = f"codes_{inds[i]['indication']}"
            elif path == "indications":
                messages = [f"Presenting indications: {m}" for m in messages]
            elif path.startswith("prior_treatments.antidepressant_trials["):
                i = int(path.split("[", 1)[1].split("]", 1)[0])
                drug = trials[i]["drug"] if i < len(trials) else "?"
                attr = path.rsplit(".", 1)[-1].replace("_", " ")
                messages = [f"Antidepressant trial '{drug}' (from the chart) — {attr}: {m}. Correct it on the chart." for m in messages]
            elif path.startswith("interacting_medications"):
                messages = [f"Interacting medications (from the chart): {m}" for m in messages]
            else:
                last = path.rsplit(".", 1)[-1]
                if last in _TOP_LEVEL_FIELDS or path.split(".", 1)[0] in {
                    "prior_treatments", "psychiatric_history", "substance_use", "medical_history", "baseline_vitals"
                }:
                    field = last
                else:
                    messages = [f"{path}: {m}" for m in messages]
            out.setdefault(field or "__all__", []).extend(messages)
        return out


# -- the patient-reported part (portal) -------------------------------------------------------------
PATIENT_STATUS_CHOICES = [("none", "No"), ("history", "Yes, in the past"), ("active", "Yes, currently")]
YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_NOT_SURE = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]

# (answer key, plain-language question, choices). Keys match the evaluation's field names where
# an answer maps one to one; "liver_disease" is a yes/no the staff turn into a severity.
PATIENT_QUESTIONS = [
    ("substance_use_disorder", "Have you had a problem with alcohol or drug use?", PATIENT_STATUS_CHOICES),
    ("ketamine_or_pcp_misuse", "Have you ever used ketamine or PCP other than as prescribed?", PATIENT_STATUS_CHOICES),
    ("regular_alcohol_use", "Do you drink alcohol regularly?", YES_NO),
    ("hypertension", "Do you have high blood pressure?", YES_NO),
    ("hypertension_controlled", "If yes: is your blood pressure well controlled (by treatment or otherwise)?", YES_NO_NOT_SURE),
    ("cardiovascular_disease", "Do you have heart disease (e.g. heart attack, heart failure, irregular heartbeat)?", YES_NO),
    ("aneurysmal_vascular_disease_or_avm", "Have you been told you have an aneurysm or an arteriovenous malformation (AVM)?", YES_NO),
    ("intracerebral_hemorrhage_history", "Have you ever had bleeding in the brain?", YES_NO),
    ("raised_intracranial_pressure", "Have you been told you have raised pressure inside the skull?", YES_NO),
    ("raised_intraocular_pressure", "Do you have glaucoma or raised pressure in the eye?", YES_NO),
    ("liver_disease", "Do you have liver disease?", YES_NO),
    ("seizures", "Have you had seizures or epilepsy?", YES_NO),
    ("hyperthyroidism", "Do you have an overactive thyroid?", YES_NO),
    ("bladder_symptoms", "Do you have bladder or urinary problems (pain, urgency, blood in urine)?", YES_NO),
    ("sleep_apnea", "Do you have sleep apnea?", YES_NO),
    ("hypersensitivity_to_ketamine_or_esketamine", "Have you had an allergic reaction to ketamine or esketamine (Spravato)?", YES_NO),
    ("pregnant", "Are you pregnant, or could you be?", YES_NO),
    ("breastfeeding", "Are you breastfeeding?", YES_NO),
    ("ride_home_arranged", "Can someone take you home after each treatment? (You must not drive that day.)", YES_NO),
]
OPTIONAL_PATIENT_ANSWERS = {"hypertension_controlled"}


class PatientIntakeForm(forms.Form):
    """The portal questionnaire. Saving for later accepts gaps; sending it needs every answer."""

    def __init__(self, *args, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        for key, question, choices in PATIENT_QUESTIONS:
            self.fields[key] = forms.ChoiceField(label=question, choices=choices, required=False, widget=forms.RadioSelect)

    def clean(self):
        data = super().clean()
        if self.submitting:
            for key, _, _ in PATIENT_QUESTIONS:
                if key in OPTIONAL_PATIENT_ANSWERS:
                    continue
                if not data.get(key) and key not in self.errors:
                    self.add_error(key, "Please answer this question.")
            if data.get("hypertension") == "yes" and not data.get("hypertension_controlled"):
                self.add_error("hypertension_controlled", "Please answer this question (or choose “Not sure”).")
        return data

    def answers(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v}


def overlay_patient_answers(initial: dict, answers: dict) -> tuple[dict, list[str], list[str]]:
    """Apply a patient's answers to evaluation form values.

    Returns (initial, changed field names, notes for staff). Answers without a one-to-one field
    (liver disease yes; blood pressure control "not sure") become notes the staff must resolve.
    """
    out = dict(initial)
    changed, notes = [], []
    for key, value in answers.items():
        if key in ("substance_use_disorder", "ketamine_or_pcp_misuse"):
            new = value
        elif key == "hypertension_controlled":
            if value == "not_sure":
                notes.append("Patient is not sure whether their blood pressure is controlled: decide and record it.")
                continue
            new = "true" if value == "yes" else "false"
        elif key == "liver_disease":
            if value == "yes":
                notes.append("Patient reports liver disease: record its severity.")
            continue
        elif value in ("yes", "no"):
            new = value == "yes"
            if key == "ride_home_arranged":
                new = "true" if new else "false"
        else:
            continue
        if out.get(key) != new:
            changed.append(key)
        out[key] = new
    return out, changed, notes


# -- decisions, consent, REMS -----------------------------------------------------------------------
class DecisionForm(forms.Form):
    evaluation = forms.UUIDField(widget=forms.HiddenInput)
    route = forms.ChoiceField(choices=ROUTE_CHOICES)
    decision = forms.ChoiceField(choices=EligibilityDecision.Decision.choices)
    override_reason = forms.CharField(
        label="Reason", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to approve a route that needs prescriber review (relative contraindication).",
    )
    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_override_reason(self):
        return " ".join((self.cleaned_data.get("override_reason") or "").split())


class ConsentSignForm(forms.Form):
    signed_name = forms.CharField(label="Patient's full name, typed by the patient", max_length=200)
    agree = forms.BooleanField(label="The patient has read the consent and agrees", required=True)

    def clean_signed_name(self):
        return " ".join(self.cleaned_data["signed_name"].split())


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=500)

    def clean_reason(self):
        value = " ".join(self.cleaned_data["reason"].split())
        if not value:
            raise forms.ValidationError("Say why the consent is revoked.")
        return value


class ConsentDocumentForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 20}), max_length=50000)
    change_note = forms.CharField(label="What changed", max_length=300)
    requires_reconsent = forms.BooleanField(
        label="Patients must sign again", required=False,
        help_text="Tick for a material change: consents signed on earlier versions stop counting.",
    )

    def clean_body(self):
        value = self.cleaned_data["body"].strip()
        if len(value) < 50:
            raise forms.ValidationError("The consent text is too short (at least 50 characters).")
        return value


class DateInput(forms.DateInput):
    input_type = "date"


class RemsEnrollmentForm(forms.Form):
    enrolled_on = forms.DateField(widget=DateInput)
    patient_signed_name = forms.CharField(label="Patient signature (typed full name)", max_length=200)
    prescriber = forms.ChoiceField(label="Prescriber who signed", help_text="A prescriber of this clinic.")
    rems_patient_id = forms.CharField(label="REMS patient ID", max_length=40, required=False)

    def __init__(self, *args, prescribers=(), today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()  # the service passes the patient's today (core.localtime)
        self.fields["prescriber"].choices = [("", "Choose…")] + [(str(u.public_id), u.name) for u in prescribers]

    def clean_enrolled_on(self):
        value = self.cleaned_data["enrolled_on"]
        if value > self.today:
            raise forms.ValidationError("The enrollment date cannot be in the future.")
        return value

    def clean_patient_signed_name(self):
        return " ".join(self.cleaned_data["patient_signed_name"].split())
