"""The chart is the source of truth for eligibility: saves, checks and may_treat read the chart."""

import copy
import datetime as dt

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import PermissionDenied
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.patients.services import add_subrecord, set_subrecord_status
from ketamine_clinic.screening import services
from ketamine_clinic.screening.models import EligibilityDecision, IntakeEvaluation

from tests.support.people import ctx_for
from tests.support.screening import BASE_EVALUATION, approve, complete, consent_in_clinic, evaluation_dict

MAOI = {"name": "phenelzine", "drug_class": "maoi", "dose": "15 mg three times daily"}


def chart(user, patient, kind, data):
    return add_subrecord(ctx_for(user), patient, kind, data)


def without_trials() -> dict:
    data = evaluation_dict()
    data["prior_treatments"]["antidepressant_trials"] = []
    return data


def route_of(body, route):
    """One route's result from an evaluation response or a check response."""
    routes = body["eligibility"]["routes"] if "eligibility" in body else body["routes"]
    return next(r for r in routes if r["route"] == route)


def eighteenth_birthday(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 18, day=28)


# --- saving an evaluation ---------------------------------------------------------------------
def test_saving_an_evaluation_that_leaves_out_a_charted_maoi_keeps_the_maoi(nurse, patient):
    med = chart(nurse, patient, "medication", MAOI)
    ev = complete(nurse, patient)  # the body lists only an SSRI
    assert "maoi" in ev.data["interacting_medications"]
    assert [(c.field, c.record_id) for c in ev.chart_corrections] == [("interacting_medications", str(med.public_id))]
    result = services.eligibility_of(ev)
    assert "psychostimulants-or-maois" in result[Route.IV].rule_ids and result.outcome(Route.IV) != "eligible"
    event = AuditEvent.objects.get(action="evaluation.create")
    assert event.detail["chart_corrections"] == [{"field": "interacting_medications", "record_type": "medication",
                                                  "record_id": str(med.public_id)}]


def test_charted_failed_trials_count_when_the_body_leaves_them_out(nurse, patient):
    for drug in ("sertraline", "venlafaxine"):
        chart(nurse, patient, "trial", {"drug": drug, "dose_mg_per_day": "150", "weeks": 8, "adequate": "true",
                                        "outcome": "no_response", "current_episode": "true"})
    ev = complete(nurse, patient, without_trials())
    result = services.eligibility_of(ev)
    assert result.treatment_resistance.is_resistant
    assert "esketamine-outside-labelled-indication" not in result[Route.ESKETAMINE_NASAL].rule_ids


def test_a_chart_entry_marked_entered_in_error_no_longer_counts(nurse, patient):
    med = chart(nurse, patient, "medication", MAOI)
    set_subrecord_status(ctx_for(nurse), patient, "medication", med.public_id, "entered-in-error", "Wrong patient")
    ev = complete(nurse, patient)
    assert "maoi" not in ev.data["interacting_medications"] and ev.chart_corrections == ()


# --- the API: the chart wins and the response says so -----------------------------------------
def test_api_evaluation_without_the_charted_maoi_reads_the_chart_and_says_so(api, nurse, patient):
    med = chart(nurse, patient, "medication", MAOI)
    response = api(nurse, "post", f"/patients/{patient.public_id}/evaluations", evaluation_dict())
    assert response.status_code == 201, response.content
    body = response.json()
    assert route_of(body, "iv")["outcome"] == "eligible_with_cautions"
    assert "maoi" in body["evaluation"]["interacting_medications"]
    fixes = body["eligibility"]["chart_corrections"]
    assert [(f["record_type"], f["record_id"]) for f in fixes] == [("medication", str(med.public_id))]
    assert "phenelzine" in fixes[0]["message"]
    stored = IntakeEvaluation.objects.get()
    assert "maoi" in stored.data["interacting_medications"]  # nothing without the chart fact was written


def test_api_check_naming_a_patient_reads_the_chart_and_writes_nothing(api, nurse, patient):
    chart(nurse, patient, "allergy", {"substance": "Ketamine", "reaction": "rash", "severity": "moderate"})
    before = (IntakeEvaluation.objects.count(), EligibilityDecision.objects.count())
    anonymous = api(nurse, "post", "/eligibility/check", copy.deepcopy(BASE_EVALUATION))
    assert anonymous.status_code == 200 and route_of(anonymous.json(), "iv")["outcome"] == "eligible"
    named = api(nurse, "post", f"/eligibility/check?patient_id={patient.public_id}", copy.deepcopy(BASE_EVALUATION))
    assert named.status_code == 200, named.content
    assert {r["outcome"] for r in named.json()["routes"]} == {"contraindicated"}
    assert named.json()["chart_corrections"][0]["record_type"] == "allergy"
    assert (IntakeEvaluation.objects.count(), EligibilityDecision.objects.count()) == before


def test_api_check_cannot_name_another_clinics_patient(api, nurse, outsider, patient, outsider_patient):
    assert api(nurse, "post", f"/eligibility/check?patient_id={outsider_patient.public_id}", BASE_EVALUATION).status_code == 404
    assert api(outsider, "post", f"/eligibility/check?patient_id={patient.public_id}", BASE_EVALUATION).status_code == 404


# --- after a decision is signed -----------------------------------------------------------------
CHART_CHANGES = [
    pytest.param("medication", MAOI, True, id="new-maoi"),
    pytest.param("medication", {"name": "lorazepam", "drug_class": "benzodiazepine"}, True, id="new-benzodiazepine"),
    pytest.param("diagnosis", {"icd10_code": "Z33.1", "display": "Pregnant state"}, True, id="pregnancy"),
    pytest.param("diagnosis", {"icd10_code": "I67.1", "display": "Cerebral aneurysm"}, True, id="aneurysm"),
    pytest.param("allergy", {"substance": "esketamine (Spravato)", "severity": "severe"}, True, id="ketamine-allergy"),
    pytest.param("medication", {"name": "escitalopram", "drug_class": "ssri"}, False, id="ssri-does-not-matter"),
    pytest.param("allergy", {"substance": "penicillin", "severity": "unknown"}, False, id="penicillin-does-not-matter"),
]


@pytest.mark.parametrize("kind, data, matters", CHART_CHANGES)
def test_a_chart_change_after_signing_stops_may_treat_until_a_prescriber_re_signs(prescriber, nurse, patient, kind, data, matters):
    today = patient_today(patient)
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    consent_in_clinic(nurse, patient, "iv")
    assert services.may_treat(patient, "iv", today).allowed
    chart(nurse, patient, kind, data)
    permission = services.may_treat(patient, "iv", today)
    assert permission.allowed is not matters, permission.reasons
    state = services.screening_state(patient)
    assert state.routes[Route.IV].chart_changed is matters
    if not matters:
        return
    if services.eligibility_of(ev)[Route.IV].outcome == "contraindicated":  # e.g. an allergy to ketamine
        assert any("contraindicated under the current rules" in r for r in permission.reasons)
        return  # an absolute contraindication cannot be re-approved: the stop stays
    assert any(r.startswith("Chart changed since signed") and "needs prescriber review" in r for r in permission.reasons)
    approve(prescriber, patient, ev, "iv", reason="Reviewed the chart change with the patient; benefit outweighs the risk")
    assert services.may_treat(patient, "iv", today).allowed


def test_only_a_prescriber_of_the_clinic_clears_the_flag(api, prescriber, nurse, outsider, patient):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    chart(nurse, patient, "medication", MAOI)
    with pytest.raises(PermissionDenied):
        approve(nurse, patient, ev, "iv", reason="I looked at it and it is fine to go ahead")
    body = {"evaluation_id": str(ev.public_id), "route": "iv", "decision": "approve", "override_reason": ""}
    assert api(nurse, "post", f"/patients/{patient.public_id}/decisions", body).status_code == 403
    assert api(outsider, "post", f"/patients/{patient.public_id}/decisions", body).status_code == 404
    assert EligibilityDecision.objects.count() == 1
    assert services.screening_state(patient).routes[Route.IV].chart_changed
    assert api(prescriber, "post", f"/patients/{patient.public_id}/decisions", body).status_code == 201
    assert not services.screening_state(patient).routes[Route.IV].chart_changed


def test_the_signed_decision_stores_the_chart_facts_it_rests_on(prescriber, nurse, patient):
    chart(nurse, patient, "medication", {"name": "oxycodone", "drug_class": "opioid"})
    ev = complete(prescriber, patient)
    d = approve(prescriber, patient, ev, "iv")
    assert d.chart_facts == ["medication:opioid"]


# --- age ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("days_after_18th_birthday, age, outcome", [
    (-1, 17, "needs_prescriber_review"),  # 18 tomorrow
    (0, 18, "eligible"),  # 18 today
])
def test_age_on_the_day_comes_from_the_date_of_birth(api, nurse, patient, days_after_18th_birthday, age, outcome):
    today = patient_today(patient)
    patient.date_of_birth = eighteenth_birthday(today) - dt.timedelta(days=days_after_18th_birthday)
    patient.save(update_fields=["date_of_birth"])
    body = api(nurse, "post", f"/patients/{patient.public_id}/evaluations", {**evaluation_dict(), "age_years": 40}).json()
    assert body["evaluation"]["age_years"] == age  # the chart's date of birth wins over the body
    for route in Route:
        result = route_of(body, route.value)
        assert result["outcome"] == outcome, route
        under = [r for r in result["reasons"] if r["rule_id"] == "under-adult-age"]
        assert bool(under) is (age < 18)
        if under:
            assert under[0]["source"] == ("spravato-pi" if route is Route.ESKETAMINE_NASAL else "apa-2017")


# --- where staff see the flag ---------------------------------------------------------------------
def test_the_chart_card_and_the_chair_board_show_the_chart_change(client_for, prescriber, nurse, patient):
    from types import SimpleNamespace

    from django.template import Context as TemplateContext
    from django.template import Template

    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    board = Template("{% load screening_tags %}{% chart_changes_for_board rows tz as flags %}{% chart_changed_strip flags 7 %}")
    rows = [{"session": SimpleNamespace(pk=7, patient=patient, patient_id=patient.pk, route="iv")}]
    assert "Chart changed" not in client_for(nurse).get(f"/patients/{patient.public_id}/").content.decode()
    assert board.render(TemplateContext({"rows": rows, "tz": "America/Los_Angeles"})) == ""
    chart(nurse, patient, "medication", MAOI)
    card = client_for(nurse).get(f"/patients/{patient.public_id}/").content.decode()
    assert "Chart changed since signed" in card and "maoi" in card
    strip = board.render(TemplateContext({"rows": rows, "tz": "America/Los_Angeles"}))
    assert 'data-testid="chart-changed"' in strip and "needs prescriber review" in strip
    from ketamine_clinic.treatments.facts import screening_facts  # what the check-in checklist reads

    check_in = screening_facts(SimpleNamespace(patient=patient, route="iv"), patient_today(patient))
    assert check_in.may_treat is False and any(r.startswith("Chart changed since signed") for r in check_in.reasons)


def test_lisinopril_on_the_chart_suggests_hypertension_on_the_evaluation(api, client_for, nurse, patient):
    med = chart(nurse, patient, "medication", {"name": "lisinopril", "drug_class": "antihypertensive", "dose": "10 mg daily"})
    form = client_for(nurse).get(f"/screening/patients/{patient.public_id}/evaluations/new/").content.decode()
    assert "lisinopril on the chart suggests hypertension" in form
    body = api(nurse, "post", f"/patients/{patient.public_id}/evaluations", evaluation_dict()).json()
    assert [(s["field"], s["record_id"]) for s in body["chart_suggestions"]] == [("medical_history.hypertension", str(med.public_id))]
    assert body["evaluation"]["medical_history"]["hypertension"] is False  # a suggestion, not a chart fact
