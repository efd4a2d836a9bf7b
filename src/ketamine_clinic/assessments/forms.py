"""Validation of assessment input shared by the HTML forms and the API.

Answers themselves are checked by ``clinical.instruments.validate_answers`` (the one set of
rules); the forms here cover what surrounds them: reasons, the action taken, dates, periods.
"""

import datetime as dt

from django import forms
from django.utils import timezone

from ketamine_clinic.clinical.instruments import AnswerType, Instrument


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=300, strip=True, error_messages={"required": "Say why this response is being corrected."}
    )


# The actions clinicians most often record on a suicide-risk alert (a checklist, not advice): the
# clinician ticks what was done and adds any detail in words.
COMMON_ALERT_ACTIONS = (
    ("cssrs_same_day", "C-SSRS completed the same day"),
    ("safety_plan", "Safety plan reviewed or updated with the patient"),
    ("called_patient", "Called the patient"),
    ("prescriber_informed", "Prescriber informed"),
    ("dosing_held", "Today's dosing held"),
    ("crisis_line", "Crisis line (988) given to the patient"),
    ("emergency_evaluation", "Referred for emergency evaluation"),
)


class AcknowledgeForm(forms.Form):
    actions = forms.MultipleChoiceField(
        choices=COMMON_ALERT_ACTIONS, required=False, widget=forms.CheckboxSelectMultiple, label="Actions taken",
    )
    action_taken = forms.CharField(
        max_length=2000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 3}), label="Details",
    )

    def clean(self):
        data = super().clean()
        text = data.get("action_taken", "")
        if not data.get("actions") and len(text) < 5:
            self.add_error("action_taken", forms.ValidationError(
                "Tick the actions taken or describe them (e.g. C-SSRS done, safety plan, called the patient).",
                code="required",
            ))
        return data

    def action_text(self) -> str:
        """What is stored and shown: the ticked actions in words, then the details."""
        labels = dict(COMMON_ALERT_ACTIONS)
        parts = [labels[key] for key in self.cleaned_data.get("actions", [])]
        text = self.cleaned_data.get("action_taken", "")
        return "; ".join(parts) + (f". {text}" if parts and text else text)


class CompletedAtForm(forms.Form):
    completed_at = forms.DateTimeField(required=False)

    def clean_completed_at(self):
        value = self.cleaned_data.get("completed_at")
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("The date the form was completed cannot be in the future.")
        if value < timezone.now() - dt.timedelta(days=366 * 5):
            raise forms.ValidationError("The date the form was completed is more than 5 years ago.")
        return value


class PeriodForm(forms.Form):
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    instrument = forms.CharField(required=False, max_length=20)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period must not be before its start.")
        return data


def parse_answers(instrument: Instrument, data) -> dict:
    """Form strings -> typed answers. Unparseable values are passed on as they are, so the core's
    validator names them ("Must be a whole number from 0 to 3, got 'x'")."""
    answers: dict = {}
    for item in instrument.items:
        raw = data.get(item.link_id)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            continue
        if isinstance(raw, str):
            raw = raw.strip()
            if item.answer_type is AnswerType.BOOLEAN:
                lowered = raw.lower()
                raw = True if lowered in ("true", "yes", "1") else False if lowered in ("false", "no", "0") else raw
            else:
                try:
                    raw = int(raw)
                except ValueError:
                    pass
        answers[item.link_id] = raw
    return answers
