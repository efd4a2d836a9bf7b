"""Input forms of the session day. They check shape and type only; clinical ranges and rules are
checked by ``clinical.session`` (so a systolic of 400 is refused by the core with its message).

Times are text (``YYYY-MM-DDTHH:MM`` from a browser, or ISO 8601 with an offset from the API);
the service reads a time without an offset in the location's time zone.
"""

from django import forms

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import DosingIndication, SeriousnessCriterion, Severity, SideEffect

from .models import DOSE_UNIT_CHOICES, INDICATION_CHOICES, EntryKind

YES_NO_BLANK = [("", "—"), ("yes", "Yes"), ("no", "No")]
DATETIME_HELP = "Leave empty for now."


class TimeInput(forms.TextInput):
    input_type = "datetime-local"


class DateInput(forms.DateInput):
    input_type = "date"


def time_field(label, required=False, help_text=DATETIME_HELP):
    return forms.CharField(label=label, required=required, max_length=40, widget=TimeInput, help_text=help_text)


class StartSessionForm(forms.Form):
    location = forms.CharField(max_length=40)
    route = forms.ChoiceField(choices=[("", "Choose…")] + [(r.value, r.label) for r in Route])  # no route preselected
    indication = forms.ChoiceField(choices=INDICATION_CHOICES, initial=DosingIndication.DEPRESSION.value, required=False)
    dose_unit = forms.ChoiceField(choices=[("", "Choose…"), *DOSE_UNIT_CHOICES], label="Dose unit")
    dose_amount = forms.DecimalField(label="Ordered dose", max_digits=12, decimal_places=3)
    infusion_minutes = forms.IntegerField(label="Infusion duration (min)", required=False, help_text="IV only")
    infusion_volume_ml = forms.DecimalField(label="Bag / syringe volume (mL)", required=False, max_digits=9, decimal_places=1,
                                            help_text="IV only; empty = the pump runs the drawn volume")
    product_name = forms.CharField(label="Product", max_length=120)
    concentration_mg_per_ml = forms.DecimalField(label="Concentration (mg/mL)", required=False, max_digits=9, decimal_places=2,
                                                 help_text="Not needed for esketamine devices")
    ordered_by = forms.CharField(label="Ordered by (prescriber)", max_length=40)
    checked_in_at = time_field("Checked in at")


class ChecklistForm(forms.Form):
    """Session-level checklist facts. Every field is optional: only the ones sent change."""

    weight_today_kg = forms.DecimalField(label="Today's weight (kg)", required=False, max_digits=7, decimal_places=1)
    last_food_at = time_field("Last food", help_text="When the patient last ate")
    last_liquid_at = time_field("Last liquids", help_text="When the patient last drank")
    ride_home_confirmed = forms.ChoiceField(label="Ride home confirmed", choices=YES_NO_BLANK, required=False)
    can_become_pregnant = forms.ChoiceField(label="Can become pregnant", choices=YES_NO_BLANK, required=False)
    pregnancy_test = forms.ChoiceField(label="Pregnancy test today", required=False,
                                       choices=[("", "—"), ("negative", "Negative"), ("positive", "Positive")])


class VitalsForm(forms.Form):
    observed_at = time_field("Taken at")
    systolic_mmhg = forms.IntegerField(label="Systolic (mmHg)", required=False)
    diastolic_mmhg = forms.IntegerField(label="Diastolic (mmHg)", required=False)
    heart_rate_per_min = forms.IntegerField(label="Heart rate (/min)", required=False)
    spo2_percent = forms.IntegerField(label="SpO2 (%)", required=False)
    respiratory_rate_per_min = forms.IntegerField(label="Respiratory rate (/min)", required=False)
    temperature_c = forms.DecimalField(label="Temperature (°C)", required=False, max_digits=5, decimal_places=1)
    note = forms.CharField(required=False, max_length=300)


EVENT_KINDS = [(k.value, k.label) for k in EntryKind]


class EventForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Choose…"), *EVENT_KINDS])
    occurred_at = time_field("When")
    score = forms.IntegerField(required=False, label="Score", help_text="CADSS total 0–92 or MOAA/S 0–5")
    effect = forms.ChoiceField(required=False, label="Side effect",
                               choices=[("", "—")] + [(e.value, e.value.replace("_", " ").capitalize()) for e in SideEffect])
    severity = forms.ChoiceField(required=False, choices=[("", "—")] + [(s.value, s.value.capitalize()) for s in Severity])
    medication = forms.CharField(required=False, max_length=120, label="Rescue medication")
    dose = forms.CharField(required=False, max_length=60, label="Dose and route", help_text="e.g. ondansetron 4 mg IV")
    description = forms.CharField(required=False, max_length=500, label="Description")
    criteria = forms.MultipleChoiceField(required=False, label="Seriousness",
                                         choices=[(c.value, c.value.replace("_", " ").capitalize()) for c in SeriousnessCriterion],
                                         widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(required=False, max_length=300)


STOCK_HELP = "The container's label (or scan its QR code): lot and expiry come from it and the dose is drawn from stock"


class StartDosingForm(forms.Form):
    container = forms.CharField(required=False, max_length=40, label="Container from stock", help_text=STOCK_HELP,
                                widget=forms.TextInput(attrs={"list": "stock-containers", "autocomplete": "off"}))
    lot_number = forms.CharField(required=False, max_length=40, label="Lot number", help_text="Only without a container")
    expiry_date = forms.DateField(required=False, label="Expiry date", widget=DateInput)
    started_at = time_field("Started at")
    cosigner = forms.CharField(required=False, max_length=150, label="Co-signing clinician (username)")
    cosigner_password = forms.CharField(required=False, max_length=200, label="Co-signer's password",
                                        widget=forms.PasswordInput)
    cosign_reason = forms.CharField(required=False, max_length=500, label="Reason for going above the soft limit")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DeviceForm(forms.Form):
    given_at = time_field("Given at")
    container = forms.CharField(required=False, max_length=40, label="Device from stock", help_text=STOCK_HELP,
                                widget=forms.TextInput(attrs={"list": "stock-containers", "autocomplete": "off"}))
    lot_number = forms.CharField(required=False, max_length=40, label="Lot number", help_text="Only without a device from stock")
    expiry_date = forms.DateField(required=False, label="Expiry date", widget=DateInput)


class RateChangeForm(forms.Form):
    at = time_field("At")
    rate_ml_per_h = forms.DecimalField(label="New rate (mL/h)", max_digits=9, decimal_places=1, help_text="0 = pause")
    reason = forms.CharField(required=False, max_length=300)


class StopForm(forms.Form):
    stopped_at = time_field("Stopped at")
    reason = forms.CharField(required=False, max_length=300)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


PADSS_CHOICES = [("", "—"), ("0", "0"), ("1", "1"), ("2", "2")]


class DischargeForm(forms.Form):
    padss_vital_signs = forms.IntegerField(label="PADSS: vital signs (0–2)")
    padss_activity_mental_status = forms.IntegerField(label="PADSS: activity and mental status (0–2)")
    padss_pain_nausea_vomiting = forms.IntegerField(label="PADSS: pain, nausea, vomiting (0–2)")
    padss_bleeding = forms.IntegerField(label="PADSS: bleeding (0–2)")
    padss_intake_output = forms.IntegerField(label="PADSS: intake and output (0–2)")
    escort_present = forms.BooleanField(required=False, label="Escort present")
    clinician_judges_ready = forms.BooleanField(required=False, label="I judge the patient ready to leave")
    ready_without_minimum_min = forms.IntegerField(
        required=False, min_value=0, max_value=1440, label="Without the minimum observation, ready after (min)",
        help_text="Esketamine: asked by the REMS monitoring form")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BpDecisionForm(forms.Form):
    note = forms.CharField(max_length=500, label="Risk–benefit decision",
                           help_text="Why dosing may proceed despite the blood pressure")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CssrsDecisionForm(forms.Form):
    note = forms.CharField(max_length=500, label="Decision on the high-risk C-SSRS",
                           help_text="Why dosing may proceed today despite the high-risk C-SSRS, and the safety plan")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(max_length=500, label="Action taken")


class EndSessionForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why the session ends without a dose")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RemsSubmitForm(forms.Form):
    submission_reference = forms.CharField(required=False, max_length=80, label="REMS confirmation number")
