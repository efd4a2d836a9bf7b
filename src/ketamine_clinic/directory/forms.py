"""Input checks for provider profiles, shared by the pages and the API (services validate with them)."""

from django import forms

from ketamine_clinic.clinical.eligibility.indications import Indication
from ketamine_clinic.clinical.routes import Route

from .geo import centroid
from .rules.finder import ACCESSIBILITY
from .rules.geo import DEFAULT_RADIUS_MILES, MAX_RADIUS_MILES, MIN_RADIUS_MILES
from .rules.identifiers import US_STATES, dea_problem, npi_problem
from .rules.taxonomy import TAXONOMIES

TAXONOMY_CHOICES = [(t.code, f"{t.code} — {t.display}") for t in TAXONOMIES]
STATE_CHOICES = [("", "Choose…")] + [(s, s) for s in US_STATES]
MAX_LANGUAGES = 12
ROUTE_CHOICES = [(r.value, r.label) for r in Route]
INDICATION_CHOICES = [(i.value, i.label) for i in Indication if i is not Indication.OTHER]


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


def _names(text: str, *, limit: int, max_chars: int, label: str) -> list[str]:
    names = list(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))
    if len(names) > limit:
        raise forms.ValidationError(f"At most {limit} {label}.")
    if any(len(n) > max_chars for n in names):
        raise forms.ValidationError(f"Each entry has at most {max_chars} characters.")
    return names


class ListingForm(forms.Form):
    """The clinic's public listing (the clinic admin's page and API)."""

    published = forms.BooleanField(required=False, label="Publish in the public finder")
    display_name = forms.CharField(max_length=200)
    phone = forms.CharField(max_length=40, required=False)
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")
    about = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)
    routes = forms.MultipleChoiceField(choices=ROUTE_CHOICES, required=False)
    indications = forms.MultipleChoiceField(choices=INDICATION_CHOICES, required=False)
    spravato_rems_certified = forms.BooleanField(required=False, label="Spravato REMS-certified treatment center")
    rems_certified_on = forms.DateField(required=False, label="REMS certification date")
    rems_evidence = forms.CharField(max_length=300, required=False, label="REMS evidence (e.g. enrollment confirmation e-mail)")
    kap_offered = forms.BooleanField(required=False, label="Ketamine-assisted psychotherapy (KAP) offered")
    telehealth_states = forms.MultipleChoiceField(choices=[(s, s) for s in US_STATES], required=False)
    accepting_new_patients = forms.BooleanField(required=False)
    insurance_networks = forms.CharField(max_length=600, required=False, help_text="Comma-separated, e.g. Medicare, Aetna")
    self_pay_min_usd = forms.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False)
    self_pay_max_usd = forms.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False)
    sliding_scale = forms.BooleanField(required=False, label="Sliding-scale fees")
    languages = forms.CharField(max_length=300, required=False, help_text="Comma-separated")
    accessibility = forms.MultipleChoiceField(choices=ACCESSIBILITY, required=False)
    good_faith_estimate_notice = forms.CharField(max_length=3000, required=False, widget=forms.Textarea)

    def clean_insurance_networks(self):
        return _names(self.cleaned_data["insurance_networks"], limit=30, max_chars=80, label="networks")

    def clean_languages(self):
        return _names(self.cleaned_data["languages"], limit=MAX_LANGUAGES, max_chars=40, label="languages")

    def clean(self):
        data = super().clean()
        if data.get("spravato_rems_certified") and not data.get("rems_certified_on"):
            self.add_error("rems_certified_on", "Give the date of the REMS certification.")
        if "esketamine_nasal" in (data.get("routes") or []) and not data.get("spravato_rems_certified"):
            self.add_error("spravato_rems_certified", "Esketamine can only be offered by a REMS-certified center.")
        low, high = data.get("self_pay_min_usd"), data.get("self_pay_max_usd")
        if low is not None and high is not None and high < low:
            self.add_error("self_pay_max_usd", "The maximum is below the minimum.")
        if data.get("published") and not (data.get("good_faith_estimate_notice") or "").strip():
            self.add_error("good_faith_estimate_notice", "A published listing shows the good-faith-estimate notice.")
        return data


class FinderForm(forms.Form):
    """The public search: every field optional except the ZIP; sizes capped."""

    zip = forms.RegexField(label="ZIP code", regex=r"^\d{5}$", max_length=5,
                           error_messages={"invalid": "Enter a 5-digit ZIP code."})
    radius_miles = forms.IntegerField(label="Within (miles)", min_value=MIN_RADIUS_MILES, max_value=MAX_RADIUS_MILES,
                                      initial=DEFAULT_RADIUS_MILES, required=False)
    route = forms.ChoiceField(choices=[("", "Any")] + ROUTE_CHOICES, required=False)
    indication = forms.ChoiceField(choices=[("", "Any")] + INDICATION_CHOICES, required=False)
    rems_certified = forms.BooleanField(required=False, label="Spravato REMS-certified")
    kap = forms.BooleanField(required=False, label="Offers KAP")
    telehealth_state = forms.ChoiceField(choices=[("", "Any")] + [(s, s) for s in US_STATES], required=False,
                                         label="Telehealth in state")
    accepting = forms.BooleanField(required=False, label="Accepting new patients")
    insurance = forms.CharField(max_length=80, required=False, label="Insurance network")
    max_price_usd = forms.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False,
                                       label="Self-pay price up to (USD)")
    sliding_scale = forms.BooleanField(required=False, label="Sliding-scale fees")
    language = forms.CharField(max_length=40, required=False)
    accessibility = forms.ChoiceField(choices=[("", "Any")] + list(ACCESSIBILITY), required=False)

    def clean_zip(self):
        zip_code = self.cleaned_data["zip"]
        if centroid(zip_code) is None:
            raise forms.ValidationError("Unknown ZIP code.")
        return zip_code
