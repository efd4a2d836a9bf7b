"""Validation of patient input, shared by the HTML forms and the API (one door, one set of rules)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.urls import reverse_lazy
from django.utils import timezone

from ketamine_clinic.clinical import icd10cm
from ketamine_clinic.clinical.codes import icd10cm_display, is_valid_icd10cm, normalize_icd10cm
from ketamine_clinic.clinical.medications import drug_class_for
from ketamine_clinic.clinical.plausibility import PLAUSIBLE_WEIGHT_KG

from .models import Allergy, AntidepressantTrial, DrugClass, SexAtBirth, TestResult

# Plausibility bounds for what a person can weigh or measure; anything outside is a typing error.
WEIGHT_KG_MIN, WEIGHT_KG_MAX = PLAUSIBLE_WEIGHT_KG  # clinic policy, defined once in clinical/plausibility.py
HEIGHT_CM_MIN, HEIGHT_CM_MAX = Decimal("40.0"), Decimal("250.0")
OLDEST_AGE_YEARS = 120

phone_validator = RegexValidator(r"^[0-9+()\-. x]{7,40}$", "Enter a phone number: digits, spaces, + ( ) - . only.")
npi_validator = RegexValidator(r"^[0-9]{10}$", "An NPI has exactly 10 digits.")
mrn_validator = RegexValidator(r"^[A-Za-z0-9\-]{1,32}$", "An MRN uses letters, digits and dashes (at most 32).")


def validate_birth_date(value: dt.date, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()  # the active zone: the user's location
    if value > today:
        raise forms.ValidationError("Date of birth cannot be in the future.")
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise forms.ValidationError(f"Date of birth is more than {OLDEST_AGE_YEARS} years ago.")


# A required choice starts on this empty option, so the user must choose (no answer is preselected).
CHOOSE = ("", "Choose…")


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.Form):
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    preferred_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(widget=DateInput, validators=[validate_birth_date])
    sex_at_birth = forms.ChoiceField(choices=[CHOOSE, *SexAtBirth.choices])
    gender_identity = forms.CharField(max_length=60, required=False)
    pronouns = forms.CharField(max_length=40, required=False)
    mrn = forms.CharField(
        label="MRN", max_length=32, required=False, validators=[mrn_validator], help_text="Leave empty to generate one."
    )
    phone = forms.CharField(max_length=40, required=False, validators=[phone_validator])
    email = forms.EmailField(max_length=254, required=False)
    address_line = forms.CharField(max_length=300, required=False)
    city = forms.CharField(max_length=100, required=False)
    region = forms.CharField(label="State / region", max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    emergency_contact_name = forms.CharField(max_length=150, required=False)
    emergency_contact_relationship = forms.CharField(max_length=60, required=False)
    emergency_contact_phone = forms.CharField(max_length=40, required=False, validators=[phone_validator])
    referring_provider_name = forms.CharField(max_length=150, required=False)
    referring_provider_phone = forms.CharField(max_length=40, required=False, validators=[phone_validator])
    referring_provider_npi = forms.CharField(
        label="Referring provider NPI", max_length=10, required=False, validators=[npi_validator]
    )

    DEMOGRAPHIC_FIELDS = (
        "given_name family_name preferred_name date_of_birth sex_at_birth gender_identity pronouns mrn phone "
        "email address_line city region postal_code emergency_contact_name emergency_contact_relationship "
        "emergency_contact_phone referring_provider_name referring_provider_phone referring_provider_npi"
    ).split()

    def clean(self):
        data = super().clean()
        for name in ("given_name", "family_name", "preferred_name"):
            if isinstance(data.get(name), str):
                data[name] = " ".join(data[name].split())
        return data


class RegistrationForm(PatientForm):
    """Registration may carry the first weight and height (patient-reported at intake)."""

    weight_kg = forms.DecimalField(
        label="Weight (kg)", required=False, max_digits=5, decimal_places=1, min_value=WEIGHT_KG_MIN, max_value=WEIGHT_KG_MAX
    )
    height_cm = forms.DecimalField(
        label="Height (cm)", required=False, max_digits=4, decimal_places=1, min_value=HEIGHT_CM_MIN, max_value=HEIGHT_CM_MAX
    )
    home_location = forms.UUIDField(required=False, widget=forms.HiddenInput)


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(widget=DateInput)
    weight_kg = forms.DecimalField(
        label="Weight (kg)", max_digits=5, decimal_places=1, min_value=WEIGHT_KG_MIN, max_value=WEIGHT_KG_MAX
    )
    height_cm = forms.DecimalField(
        label="Height (cm)", required=False, max_digits=4, decimal_places=1, min_value=HEIGHT_CM_MIN, max_value=HEIGHT_CM_MAX
    )

    def clean_measured_on(self):
        value = self.cleaned_data["measured_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("A measurement cannot be dated in the future.")
        return value


class AllergyForm(forms.Form):
    substance = forms.CharField(max_length=150)
    reaction = forms.CharField(max_length=200, required=False)
    severity = forms.ChoiceField(choices=Allergy.Severity.choices, initial=Allergy.Severity.UNKNOWN)


class MedicationForm(forms.Form):
    name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={
        "list": "medication-names", "autocomplete": "off", "hx-get": reverse_lazy("patients:lookup_drug_class"),
        "hx-trigger": "input changed delay:250ms", "hx-target": "#drug-class-hint", "hx-swap": "outerHTML",
    }))
    drug_class = forms.ChoiceField(
        choices=[("", "From the name (choose if not recognised)")] + list(DrugClass.choices), required=False,
        help_text="Left empty, the class follows from a recognised medication name.",
    )
    dose = forms.CharField(max_length=100, required=False)
    started_on = forms.DateField(widget=DateInput, required=False)

    def clean(self):
        data = super().clean()
        name, chosen = data.get("name"), data.get("drug_class")
        if not name:
            return data
        known = drug_class_for(name)
        if known is None and not chosen:
            self.add_error("drug_class", f"Choose the drug class: “{name}” is not in the clinic's medication list.")
        elif known is not None and chosen and chosen != known:
            # A recognised drug keeps its real class: an MAOI filed as "other" would slip past the
            # eligibility rules that look for MAOIs.
            self.add_error("drug_class", f"{name.split()[0].title()} belongs to the class {DrugClass(known).label}, not {DrugClass(chosen).label}.")
        else:
            data["drug_class"] = known or chosen
        return data


class TrialForm(forms.Form):
    drug = forms.CharField(max_length=150)
    dose_mg_per_day = forms.DecimalField(
        label="Dose (mg/day)", max_digits=7, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("10000")
    )
    weeks = forms.IntegerField(min_value=0, max_value=520)
    adequate = forms.TypedChoiceField(
        choices=[CHOOSE, ("true", "Yes"), ("false", "No")], coerce=lambda v: v in (True, "true", "True", "1", 1)
    )
    outcome = forms.ChoiceField(choices=[CHOOSE, *AntidepressantTrial.Outcome.choices])
    current_episode = forms.TypedChoiceField(
        choices=[CHOOSE, ("true", "Yes"), ("false", "No")], coerce=lambda v: v in (True, "true", "True", "1", 1)
    )


class DiagnosisForm(forms.Form):
    icd10_code = forms.CharField(
        label="ICD-10-CM code", max_length=8,
        widget=forms.TextInput(attrs={
            "list": "icd10cm-options", "autocomplete": "off", "hx-get": reverse_lazy("patients:lookup_icd10cm"),
            "hx-trigger": "input changed delay:250ms", "hx-target": "#icd10cm-options",
        }),
        help_text="Type a code or part of its description to look it up.",
    )
    display = forms.CharField(max_length=200, required=False, help_text="Left empty, the code's ICD-10-CM description")
    onset_on = forms.DateField(widget=DateInput, required=False)

    def clean_icd10_code(self):
        code = normalize_icd10cm(self.cleaned_data["icd10_code"])
        if not is_valid_icd10cm(code):
            raise forms.ValidationError("Not an ICD-10-CM code: expected a letter, two characters, and optionally a dot and up to 4 more (e.g. F33.1).")
        if not icd10cm.exists(code):
            raise forms.ValidationError(f"{code} is not in {icd10cm.RELEASE}. Type part of the description to look the code up.")
        return code

    def clean(self):
        data = super().clean()
        if data.get("icd10_code") and not data.get("display"):
            known = icd10cm.lookup(data["icd10_code"])
            data["display"] = icd10cm_display(data["icd10_code"]) or (known.display if known else "")
        return data


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="Reason for correction",
        max_length=300,
        help_text="Why this entry is being corrected; kept with the earlier version in the history",
        error_messages={"required": "Say why this entry is being corrected."},
    )
    # The version the user is looking at; a save against a newer one is refused, not merged.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class TestResultForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of test", choices=[("", "Choose")] + list(TestResult.Kind.choices))
    name = forms.CharField(label="Test", max_length=150, help_text="e.g. 12-lead ECG, hepatic function panel")
    performed_on = forms.DateField(label="Date performed", widget=DateInput)
    result = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The findings as reported, e.g. sinus rhythm 72/min, QTc 420 ms")
    interpretation = forms.ChoiceField(choices=[("", "Choose")] + list(TestResult.Interpretation.choices))

    def clean_performed_on(self):
        value = self.cleaned_data["performed_on"]
        if value > dt.date.today():
            raise forms.ValidationError("A test cannot be dated in the future.")
        return value


SUBRECORD_FORMS = {
    "measurement": MeasurementForm,
    "allergy": AllergyForm,
    "medication": MedicationForm,
    "trial": TrialForm,
    "diagnosis": DiagnosisForm,
    "result": TestResultForm,
}


def correction_form(kind: str) -> type[forms.Form]:
    """The kind's own fields, then the reason and the hidden version (base order sets field order)."""
    return type(f"{kind.title()}CorrectionForm", (CorrectionForm, SUBRECORD_FORMS[kind]), {})


def form_data_from(obj, form_class) -> dict:
    """An entry's recorded values as form input (yes/no choices are the strings "true"/"false")."""
    data = {}
    for name in form_class.base_fields:
        value = getattr(obj, name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        data[name] = "" if value is None else value
    return data
