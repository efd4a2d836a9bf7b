"""Input checks for provider profiles, shared by the pages and the API (services validate with them)."""

from django import forms

from .rules.identifiers import US_STATES, dea_problem, npi_problem
from .rules.taxonomy import TAXONOMIES

TAXONOMY_CHOICES = [(t.code, f"{t.code} — {t.display}") for t in TAXONOMIES]
STATE_CHOICES = [("", "Choose…")] + [(s, s) for s in US_STATES]
MAX_LANGUAGES = 12


class ProfileForm(forms.Form):
    npi = forms.CharField(label="NPI", max_length=10, required=False, help_text="10 digits; the check digit is verified")
    taxonomy_codes = forms.MultipleChoiceField(label="NUCC taxonomy codes", choices=TAXONOMY_CHOICES, required=False)
    primary_taxonomy = forms.ChoiceField(label="Primary taxonomy", choices=[("", "None")] + TAXONOMY_CHOICES, required=False)
    dea_number = forms.CharField(label="DEA number", max_length=9, required=False)
    dea_expires_on = forms.DateField(label="DEA registration expires", required=False)
    languages = forms.CharField(max_length=300, required=False, help_text="Comma-separated, e.g. English, Spanish")

    def __init__(self, *args, last_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.last_name = last_name

    def clean_npi(self):
        npi = self.cleaned_data["npi"].strip()
        if npi and (problem := npi_problem(npi)):
            raise forms.ValidationError(problem)
        return npi

    def clean_dea_number(self):
        dea = self.cleaned_data["dea_number"].strip().upper()
        if dea and (problem := dea_problem(dea, self.last_name)):
            raise forms.ValidationError(problem)
        return dea

    def clean_languages(self):
        names = [n.strip() for n in self.cleaned_data["languages"].split(",") if n.strip()]
        if len(names) > MAX_LANGUAGES:
            raise forms.ValidationError(f"At most {MAX_LANGUAGES} languages.")
        if any(len(n) > 40 for n in names):
            raise forms.ValidationError("A language name has at most 40 characters.")
        return list(dict.fromkeys(names))

    def clean(self):
        data = super().clean()
        codes = data.get("taxonomy_codes") or []
        primary = data.get("primary_taxonomy") or ""
        if codes and not primary:
            self.add_error("primary_taxonomy", "Choose which taxonomy code is the primary one.")
        elif primary and primary not in codes:
            data["taxonomy_codes"] = [primary, *codes]
        if data.get("dea_number") and not data.get("dea_expires_on"):
            self.add_error("dea_expires_on", "Give the DEA registration's expiry date.")
        if data.get("taxonomy_codes") and primary:  # the primary first
            data["taxonomy_codes"] = [primary] + [c for c in data["taxonomy_codes"] if c != primary]
        return data


class LicenceForm(forms.Form):
    state = forms.ChoiceField(choices=STATE_CHOICES)
    number = forms.CharField(label="Licence number", max_length=40)
    expires_on = forms.DateField(label="Expires on")


class CredentialForm(forms.Form):
    title = forms.CharField(max_length=150, help_text="e.g. KAP training certificate")
    issuer = forms.CharField(max_length=150, required=False)
    issued_on = forms.DateField(required=False)
    expires_on = forms.DateField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("issued_on") and data.get("expires_on") and data["expires_on"] < data["issued_on"]:
            self.add_error("expires_on", "The expiry is before the issue date.")
        return data
