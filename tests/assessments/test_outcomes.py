"""Clinic outcomes: computed by the clinical core per patient, aggregated in the database with a
fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.outcomes import report
from ketamine_clinic.patients.services import add_subrecord

from tests.support.factories import PatientFactory
from tests.support.assessments import phq9
from tests.support.people import ctx_for


def _course(nurse, front_desk, prescriber, name, dx, totals, start_days_ago=30):
    patient = PatientFactory(registered_by=front_desk, given_name=name, family_name="Course")
    if dx:
        add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": dx})
    start = timezone.now() - dt.timedelta(days=start_days_ago)
    for week, total in enumerate(totals):
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=total), mode="staff_paper",
                                 completed_at=start + dt.timedelta(days=7 * week))
    return patient


@pytest.fixture
def cohort(nurse, front_desk, prescriber):
    return [
        _course(nurse, front_desk, prescriber, "Ada", "F33.2", [20, 12, 9, 4]),   # response day 14, remission day 21
        _course(nurse, front_desk, prescriber, "Ben", "F33.1", [18, 16, 15]),     # no response
        _course(nurse, front_desk, prescriber, "Cy", "F43.12", [24, 12]),         # response day 7 (exactly 50 %)
        _course(nurse, front_desk, prescriber, "Di", "F41.1", [15]),              # baseline only
    ]


def test_outcome_rows_come_from_the_clinical_core(cohort):
    ada = PatientOutcome.objects.get(patient=cohort[0])
    assert (ada.baseline_total, ada.latest_total, ada.follow_up_count, ada.latest_change) == (20, 4, 3, -16)
    assert ada.responded and ada.remitted and ada.days_to_first_response == pytest.approx(14)
    assert ada.latest_percent_change == pytest.approx(-80)
    cy = PatientOutcome.objects.get(patient=cohort[2])
    assert cy.responded and cy.days_to_first_response == pytest.approx(7)


def test_summary_rates_and_indications(nurse, cohort):
    today = timezone.localdate()
    s = report.outcomes_summary(ctx_for(nurse), today - dt.timedelta(days=60), today, "phq9")
    overall = s["overall"]
    assert overall["patients"] == 4 and overall["with_follow_up"] == 3 and overall["responders"] == 2
    assert overall["response_rate"] == pytest.approx(2 / 3) and overall["remission_rate"] == pytest.approx(1 / 3)
    assert overall["mean_days_to_response"] == pytest.approx(10.5)
    assert overall["mean_change"] == pytest.approx((-16 - 3 - 12) / 3)
    groups = {g["key"]: g for g in s["by_indication"]}
    assert groups["depression"]["patients"] == 2 and groups["depression"]["responders"] == 1
    assert groups["ptsd"]["patients"] == 1 and groups["ptsd"]["response_rate"] == 1.0
    assert groups["gad"]["with_follow_up"] == 0 and groups["gad"]["response_rate"] is None
    assert groups["pain"]["patients"] == 0
    assert [g["key"] for g in s["by_route"]] == ["none"] and s["by_route"][0]["patients"] == 4


def test_period_selects_the_cohort_by_baseline_date(nurse, front_desk, prescriber, cohort):
    _course(nurse, front_desk, prescriber, "Old", "F33.2", [20, 5], start_days_ago=400)
    today = timezone.localdate()
    recent = report.outcomes_summary(ctx_for(nurse), today - dt.timedelta(days=60), today)
    everything = report.outcomes_summary(ctx_for(nurse), today - dt.timedelta(days=500), today)
    assert recent["overall"]["patients"] == 4 and everything["overall"]["patients"] == 5


def test_the_number_of_queries_does_not_grow_with_the_data(nurse, front_desk, prescriber, client_for):
    client = client_for(nurse)
    _course(nurse, front_desk, prescriber, "One", "F33.2", [20, 8])
    assert client.get("/assessments/outcomes/").status_code == 200  # the sign-in's last-seen write, once a minute
    with CaptureQueriesContext(connection) as small:
        assert client.get("/assessments/outcomes/").status_code == 200
    for i in range(6):
        _course(nurse, front_desk, prescriber, f"P{i}", ["F33.1", "F31.81", "F42.2", "G89.4", "F40.10", "F43.10"][i], [15 + i, 10, 6, 3])
    with CaptureQueriesContext(connection) as large:
        assert client.get("/assessments/outcomes/").status_code == 200
    assert len(large) == len(small)


def test_dashboard_page_and_csv_export(client_for, therapist, cohort):
    client = client_for(therapist)
    body = client.get("/assessments/outcomes/").content.decode()
    assert "Depression (F32/F33)" in body and "By route and protocol" in body
    export = client.get("/assessments/outcomes/?format=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert rows[0]["group"] == "All patients" and rows[0]["patients"] == "4" and rows[0]["response_rate"] == "0.6667"
    assert [r["group"] for r in rows][1:] == [f"Indication: {label}" for _, label, _ in report.INDICATION_GROUPS] + [
        "Route: No treatment plan", "Protocol: No treatment plan"]


def test_dashboard_rejects_a_backwards_period_and_unknown_instrument(client_for, api, therapist):
    client = client_for(therapist)
    assert client.get("/assessments/outcomes/?date_from=2026-02-01&date_to=2026-01-01").status_code == 422
    assert client.get("/assessments/outcomes/?instrument=cssrs").status_code == 422
    bad = api(therapist, "get", "/outcomes/summary?from=2026-02-01&to=2026-01-01")
    assert bad.status_code == 422 and "to" in bad.json()["errors"]
    assert api(therapist, "get", "/outcomes/summary?from=yesterday").status_code == 422


def test_api_summary_json(api, nurse, cohort):
    today = timezone.localdate()
    body = api(nurse, "get", f"/outcomes/summary?from={today - dt.timedelta(days=60)}&to={today}").json()
    assert body["from"] == str(today - dt.timedelta(days=60)) and body["instrument_key"] == "phq9"
    assert body["overall"]["responders"] == 2 and body["response_min_reduction_percent"] == 50
    assert body["remission_max_total"] == 4 and len(body["by_indication"]) == 7


def test_a_clinic_setting_changes_the_outcome_once_recomputed(clinic_admin, cohort):
    from django.core.management import call_command

    from ketamine_clinic.clinic_settings import change_setting

    ben = PatientOutcome.objects.get(patient=cohort[1])  # 18 -> 15: 17 % better, no response at 50 %
    assert not ben.responded
    change_setting(ctx_for(clinic_admin), "outcomes.response_min_reduction_percent", 15, "Audit of a lenient definition")
    call_command("refresh_outcomes")
    ben.refresh_from_db()
    assert ben.responded


def _plan(patient, prescriber, location, protocol_key, route, status="active"):
    from ketamine_clinic.clinical.protocols import PROTOCOLS, protocol_to_dict
    from ketamine_clinic.plans.models import TreatmentPlan

    protocol = PROTOCOLS[protocol_key]
    return TreatmentPlan.objects.create(
        organization=patient.organization, patient=patient, protocol_source="library", protocol_key=protocol_key,
        protocol_version=protocol.version, protocol_title=protocol.title, protocol_data=protocol_to_dict(protocol),
        route=route, phase_name=protocol.phases[0].name, session_count=6, location=location,
        start_date=timezone.localdate(), preferred_time=dt.time(9), status=status, created_by=prescriber,
        activated_at=timezone.now() if status != "draft" else None,
    )


def test_outcomes_by_route_and_protocol_follow_the_first_signed_plan(nurse, prescriber, location, cohort):
    ada, ben, cy, di = cohort
    _plan(ada, prescriber, location, "iv-racemic-induction", "iv")
    _plan(ben, prescriber, location, "iv-racemic-induction", "iv")
    _plan(cy, prescriber, location, "esketamine-trd", "esketamine_nasal")
    _plan(di, prescriber, location, "iv-racemic-induction", "iv", status="draft")  # a draft counts as no plan
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        s = report.outcomes_summary(ctx_for(nurse), today - dt.timedelta(days=60), today, "phq9")
    routes = {g["key"]: g for g in s["by_route"]}
    assert routes["iv"]["patients"] == 2 and routes["iv"]["responders"] == 1 and routes["iv"]["response_rate"] == 0.5
    assert routes["esketamine_nasal"]["responders"] == 1 and routes["esketamine_nasal"]["label"].startswith("Esketamine")
    assert routes["none"]["patients"] == 1
    protocols = {g["key"]: g for g in s["by_protocol"]}
    assert protocols["iv-racemic-induction"]["patients"] == 2 and protocols["esketamine-trd"]["patients"] == 1
    assert len(queries) <= 20
