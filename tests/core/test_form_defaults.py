"""Forms start empty or on the safe choice: nothing clinical or irreversible is preselected."""

import inspect

import pytest
from django import forms

from ketamine_clinic.patients import forms as patient_forms
from ketamine_clinic.pharmacology import forms as pk_forms
from ketamine_clinic.plans import forms as plan_forms
from ketamine_clinic.plans.models import PlanStatus
from ketamine_clinic.screening import forms as screening_forms
from ketamine_clinic.treatments import forms as treatment_forms


# (form, field) -> the preselected value, each deliberate: an unknown allergy severity; the check-in
# indication, which the check-in service itself defaults to depression (a plan's check-in sets chronic
# pain); the PK planner's what-if inputs (a simulation, nothing is recorded).
# Posted by the page's buttons and hidden inputs, never shown as a select.
NOT_SHOWN_AS_CHOICES = {("DecisionForm", "route"), ("DecisionForm", "decision")}
SAFE_DEFAULTS = {
    ("AllergyForm", "severity"): "unknown",
    ("StartSessionForm", "indication"): "depression",
    ("PlannerForm", "model"): "domino-1984",
    ("PlannerForm", "route"): "iv",
    ("PlannerForm", "dose_unit"): "mg_per_kg",
    ("PlannerForm", "n_virtual"): 0,
}


def _choice_fields():
    for module in (patient_forms, plan_forms, pk_forms, treatment_forms, screening_forms):
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.Form) and form_class.__module__ == module.__name__:
                form = form_class()
                for field_name, field in form.fields.items():
                    if (name, field_name) in NOT_SHOWN_AS_CHOICES:
                        continue
                    if isinstance(field, forms.ChoiceField) and not isinstance(
                            field.widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):  # checkboxes start unticked
                        yield name, field_name, form, field


CHOICE_FIELDS = list(_choice_fields())


@pytest.mark.parametrize("form_name, field_name, form, field", CHOICE_FIELDS,
                         ids=[f"{f}.{n}" for f, n, _, _ in CHOICE_FIELDS])
def test_choice_field_starts_empty_or_on_a_safe_choice(form_name, field_name, form, field):
    initial = form.get_initial_for_field(field, field_name)
    expected = SAFE_DEFAULTS.get((form_name, field_name))
    if expected is not None:
        assert initial == expected
        return
    assert initial in (None, "")
    if not isinstance(field.widget, forms.RadioSelect):  # radio buttons start with none ticked
        assert list(field.choices)[0][0] == "", "the first option (shown selected) must be the empty one"


def test_sex_at_birth_must_be_chosen():
    form = patient_forms.PatientForm(data={"given_name": "Owen", "family_name": "Hale", "date_of_birth": "1980-01-02"})
    assert not form.is_valid() and "sex_at_birth" in form.errors


def test_plan_status_form_preselects_nothing_and_a_blank_choice_changes_nothing(client_for, prescriber, draft):
    plan = draft()
    html = client_for(prescriber).get(f"/plans/{plan.public_id}/").content.decode()
    select = html[html.index('<select name="status"'):]
    select = select[:select.index("</select>")]
    assert 'required' in select and '<option value="" selected>Choose…</option>' in select
    assert select.count("selected") == 1
    response = client_for(prescriber).post(f"/plans/{plan.public_id}/status/", {"status": "", "reason": "x"})
    assert response.status_code in (302, 400)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_outsider_cannot_reach_the_plan_status_form(client_for, outsider, draft):
    plan = draft()
    assert client_for(outsider).get(f"/plans/{plan.public_id}/").status_code == 404
