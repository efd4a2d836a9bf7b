"""Validation of referral input: the public forms (hostile input: every field checked and capped)
and the inbox's staff forms. Shared by the pages and the API."""

from django import forms

from ketamine_clinic.clinical import icd10cm
from ketamine_clinic.directory.rules.identifiers import npi_problem
from ketamine_clinic.patients.forms import CHOOSE, DateInput, phone_validator, validate_birth_date
from ketamine_clinic.patients.models import SexAtBirth

from . import rules
from .models import ReferralStatus, Urgency

LIST_MAX_CHARS = 3000


class _PatientPart(forms.Form):
    patient_given_name = forms.CharField(label="Patient's first name", max_length=100)
    patient_family_name = forms.CharField(label="Patient's last name", max_length=100)
    patient_date_of_birth = forms.DateField(label="Patient's date of birth", widget=DateInput, validators=[validate_birth_date])
    patient_phone = forms.CharField(label="Patient's phone", max_length=40, validators=[phone_validator])
    patient_email = forms.EmailField(label="Patient's e-mail", max_length=254, required=False)
    reason = forms.CharField(label="Reason for the referral", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.ROUTINE)
    consent_to_contact = forms.BooleanField(
        label="The patient agrees to be contacted by the clinic", error_messages={"required": "The clinic may contact the patient only with their consent: tick this box."})

    def clean(self):
        data = super().clean()
        for name in ("patient_given_name", "patient_family_name"):
            if isinstance(data.get(name), str):
                data[name] = " ".join(data[name].split())
        return data


class SelfReferralForm(_PatientPart):
    """A patient asks for an appointment from a clinic's public page (urgency is the clinic's call)."""

    urgency = None
    reason = forms.CharField(label="What would you like help with?", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    consent_to_contact = forms.BooleanField(
        label="I agree that the clinic contacts me by phone or e-mail about this request",
        error_messages={"required": "The clinic may contact you only with your consent: tick this box."})


class ClinicianReferralForm(_PatientPart):
    referrer_name = forms.CharField(label="Your name", max_length=150)
    referrer_npi = forms.CharField(label="Your NPI", max_length=10)
    referrer_practice = forms.CharField(label="Practice", max_length=200)
    referrer_phone = forms.CharField(label="Your phone", max_length=40, validators=[phone_validator])
    referrer_fax = forms.CharField(label="Your fax", max_length=40, required=False, validators=[phone_validator])
    diagnoses = forms.CharField(
        label="Diagnoses (ICD-10-CM)", max_length=LIST_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, the code first: F33.1 Major depressive disorder, recurrent, moderate")
    medications = forms.CharField(
        label="Current medications", max_length=LIST_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: name then dose, e.g. sertraline 100 mg daily")
    trials = forms.CharField(
        label="Antidepressant trials", max_length=LIST_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: drug, dose in mg/day, weeks, outcome (no response, partial, response, intolerance, ongoing)")
    consent_to_letters = forms.BooleanField(
        label="The patient agrees that the clinic writes to me about their care (letters when seen and at the end of the treatment series)",
        required=False)

    def clean_referrer_npi(self):
        npi = self.cleaned_data["referrer_npi"].strip()
        if problem := npi_problem(npi):
            raise forms.ValidationError(problem)
        return npi

    def clean_diagnoses(self):
        found, problems = rules.parse_diagnoses(self.cleaned_data["diagnoses"])
        problems += [f"{d['code']} is not in {icd10cm.RELEASE}." for d in found if not icd10cm.exists(d["code"])]
        if problems:
            raise forms.ValidationError(problems)
        return found

    def clean_medications(self):
        found, problems = rules.parse_medications(self.cleaned_data["medications"])
        if problems:
            raise forms.ValidationError(problems)
        return found

    def clean_trials(self):
        found, problems = rules.parse_trials(self.cleaned_data["trials"])
        if problems:
            raise forms.ValidationError(problems)
        return found


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[c for c in ReferralStatus.choices if c[0] not in ("new", "registered")])
    reason = forms.CharField(max_length=500, required=False, help_text="Required when declining")
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("status") == ReferralStatus.DECLINED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the referral is declined.")
        return data


class AcceptForm(forms.Form):
    """Register a new chart from the referral, or link an existing patient chosen among the candidates."""

    patient = forms.UUIDField(required=False, help_text="An existing patient to link (one of the candidates)")
    sex_at_birth = forms.ChoiceField(choices=[CHOOSE, *SexAtBirth.choices], required=False)
    confirm_new = forms.BooleanField(required=False, label="None of the candidates is this patient: register a new chart")
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("patient") and not data.get("sex_at_birth"):
            self.add_error("sex_at_birth", "Choose the sex at birth to register a new chart (or link an existing patient).")
        return data
