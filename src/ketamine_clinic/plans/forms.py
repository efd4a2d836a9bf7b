"""Validation of plan and scheduling input, shared by the HTML forms and the API."""

import datetime as dt
import re

from django import forms
from django.utils.dateparse import parse_datetime

from ketamine_clinic.core.dates import calendar_date_validator
from ketamine_clinic.core.versions import MISSING

from .models import AppointmentKind, Resource

# A required choice starts on this empty option, so the user must choose (no answer is preselected).
CHOOSE = ("", "Choose…")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class LocalDateTimeField(forms.DateTimeField):
    """A date and time kept as typed: naive = the location's wall clock (not the server's zone);
    with an offset (API clients) it stays aware."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        text = str(value).strip()
        try:
            result = parse_datetime(text)
        except ValueError:
            result = None
        if result is None:
            for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%m/%d/%Y %H:%M"):
                try:
                    return dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
            raise forms.ValidationError("Enter a date and time such as 2030-03-04 09:30.", code="invalid")
        return result


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)


class PlanForm(forms.Form):
    protocol = forms.CharField(max_length=80, help_text="Protocol key")
    protocol_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    phase = forms.CharField(max_length=60, required=False, help_text="Leave empty for the protocol's first phase.")
    location = forms.UUIDField(widget=forms.Select)
    start_date = forms.DateField(widget=DateInput, validators=[calendar_date_validator], help_text="First session on or after this day.")
    preferred_time = forms.TimeField(widget=TimeInput, help_text="Local time at the location.")
    session_count = forms.IntegerField(required=False, min_value=1, max_value=200,
                                       help_text="Leave empty for the protocol's number.")
    dose = forms.DecimalField(required=False, max_digits=8, decimal_places=3,
                              help_text="In the protocol's unit (mg/kg, mg, or devices of 28 mg); empty = protocol default.")
    therapist = forms.UUIDField(required=False, widget=forms.Select,
                                help_text="For the protocol's preparation/integration sessions.")
    notes = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DoseForm(forms.Form):
    dose = forms.DecimalField(max_digits=8, decimal_places=3)
    reason = ReasonField()


class ReasonForm(forms.Form):
    reason = ReasonField()


class OptionalReasonForm(forms.Form):
    reason = ReasonField(required=False)


class RelapseForm(forms.Form):
    note = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What the clinician observed (e.g. symptoms returning).")
    signal_date = forms.DateField(required=False, widget=DateInput, help_text="Empty = today.")


class ResourceForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=[CHOOSE, *Resource.Kind.choices])
    staff = forms.ChoiceField(required=False, help_text="Only for a staff member's availability.")

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "—")] + [(str(u.public_id), u.name) for u in staff]


def parse_spans(text: str) -> list[tuple[dt.time, dt.time]]:
    spans = []
    for part in [p for p in (text or "").split(",") if p.strip()]:
        m = SPAN_RE.match(part)
        if not m:
            raise forms.ValidationError(f"{part.strip()!r}: write spans like 08:00-12:00, 13:00-18:00.")
        h1, m1, h2, m2 = map(int, m.groups())
        try:
            opens, closes = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError:
            raise forms.ValidationError(f"{part.strip()!r} is not a valid time span.") from None
        if opens >= closes:
            raise forms.ValidationError(f"{part.strip()}: opening must be before closing.")
        spans.append((opens, closes))
    spans.sort()
    for (_, c1), (o2, _) in zip(spans, spans[1:]):
        if o2 < c1:
            raise forms.ValidationError("Spans overlap.")
    return spans


class OpeningHoursForm(forms.Form):
    monday = forms.CharField(required=False, max_length=200)
    tuesday = forms.CharField(required=False, max_length=200)
    wednesday = forms.CharField(required=False, max_length=200)
    thursday = forms.CharField(required=False, max_length=200)
    friday = forms.CharField(required=False, max_length=200)
    saturday = forms.CharField(required=False, max_length=200)
    sunday = forms.CharField(required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for i, name in enumerate(WEEKDAYS):
            try:
                spans = parse_spans(cleaned.get(name, ""))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            if spans:
                hours[i] = spans
        cleaned["hours"] = hours
        return cleaned


class ClosedDateForm(forms.Form):
    date = forms.DateField(widget=DateInput)
    reason = forms.CharField(max_length=200, required=False)


class AppointmentForm(forms.Form):
    location = forms.UUIDField()
    start = LocalDateTimeField(widget=DateTimeLocalInput, help_text="Local time at the location.")
    kind = forms.ChoiceField(choices=[CHOOSE, *AppointmentKind.choices])
    resource = forms.UUIDField(required=False)
    staff = forms.UUIDField(required=False)
    plan = forms.UUIDField(required=False)
    duration_min = forms.IntegerField(required=False, min_value=10, max_value=600)
    reason = forms.CharField(max_length=500, required=False)


class RescheduleForm(forms.Form):
    start = LocalDateTimeField(widget=DateTimeLocalInput, help_text="Local time at the location.")
    resource = forms.UUIDField(required=False)
    reason = ReasonField()
    override_reason = forms.CharField(max_length=500, required=False, label="Reason to book past the prior authorization",
                                      help_text="Only when the move goes past the prior authorization: why anyway.")
    # The version the user read: required, so a move never silently overwrites someone else's.
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": MISSING, "invalid": MISSING})


class ProtocolForm(forms.Form):
    based_on = forms.CharField(max_length=80, widget=forms.HiddenInput)
    based_on_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    key = forms.CharField(max_length=80, help_text="Your protocol's key; keep it to save a new version.")
    reason = forms.CharField(max_length=300, help_text="Why this version (kept with it).")
    protocol = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
                               help_text="The protocol as JSON. Numbers of doses are strings; every rule cites a source key.")
