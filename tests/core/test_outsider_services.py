"""Defence in depth: a write service refuses another clinic's record even when it is called directly,
without the organization-scoped lookup the pages and the API do first. The outsider here holds every
role, so the only thing that can refuse is the organization check: NotFound, and nothing written in
our clinic (rows and audit events counted per table).

The second test is the sweep that keeps the list complete: every public service function that takes
a clinic record and calls ``require_own_clinic`` (or ``_enter``) is called here."""

import ast
from pathlib import Path

import pytest

import ketamine_clinic
from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.billing import services as billing
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.education import services as education
from ketamine_clinic.fhir.bulk import services as fhir_bulk
from ketamine_clinic.fhir.smart import services as fhir_smart
from ketamine_clinic.notes import services as notes
from ketamine_clinic.patients import services as patients
from ketamine_clinic.plans import services as plans
from ketamine_clinic.plans.services import reminders
from ketamine_clinic.referrals import services as referrals
from ketamine_clinic.screening import services as screening
from ketamine_clinic.treatments import services as treatments
from tests.support.outsider import _row_counts
from tests.support.people import ctx_for, make_user

# name -> call(our objects, the outsider's context). Data is deliberately minimal: the organization
# check comes before validation, so a missing field must not be what refuses.
CALLS = {
    "assessments.responses_for": lambda o, ctx: assessments.responses_for(ctx, o["patient"]),
    "assessments.amend_response": lambda o, ctx: assessments.amend_response(ctx, o["response"], {}, "why"),
    "assessments.create_link": lambda o, ctx: assessments.create_link(ctx, o["patient"], "phq9"),
    "assessments.send_measure_link": lambda o, ctx: assessments.send_measure_link(ctx, o["patient"], "phq9"),
    "plans.create_plan": lambda o, ctx: plans.create_plan(ctx, o["patient"], {}),
    "patients.open_portal_account": lambda o, ctx: patients.open_portal_account(ctx, o["patient"], {"username": "x"}),
    "treatments.record_cssrs_decision": lambda o, ctx: treatments.record_cssrs_decision(ctx, o["session"], {}),
    "plans.activate_plan": lambda o, ctx: plans.activate_plan(ctx, o["plan"], "go"),
    "plans.change_status": lambda o, ctx: plans.change_status(ctx, o["plan"], "paused", "why"),
    "plans.change_dose": lambda o, ctx: plans.change_dose(ctx, o["plan"], {"dose": "0.5", "reason": "why"}),
    "plans.signal_relapse": lambda o, ctx: plans.signal_relapse(ctx, o["plan"], {}),
    "plans.accept_proposal": lambda o, ctx: plans.accept_proposal(ctx, o["proposal"], "why"),
    "plans.decline_proposal": lambda o, ctx: plans.decline_proposal(ctx, o["proposal"], "why"),
    "plans.create_feed": lambda o, ctx: reminders.create_feed(ctx, o["patient"]),
    "plans.revoke_feed": lambda o, ctx: reminders.revoke_feed(ctx, o["patient"]),
    "screening.sign_decision": lambda o, ctx: screening.sign_decision(
        ctx, o["patient"], {"evaluation": str(o["evaluation"].public_id), "route": "iv", "decision": "approve"}),
    "screening.witness_consent": lambda o, ctx: screening.witness_consent(ctx, o["consent"].patient, o["consent"].public_id),
    "screening.sign_consent": lambda o, ctx: screening.sign_consent(ctx, o["patient"], "iv", {}, via="clinic"),
    "screening.revoke_consent": lambda o, ctx: screening.revoke_consent(ctx, o["consent"].patient, o["consent"].public_id, {}),
    "screening.get_evaluation_for": lambda o, ctx: screening.get_evaluation_for(
        ctx, o["evaluation"].patient, o["evaluation"].public_id),
    "treatments.start_session": lambda o, ctx: treatments.start_session(ctx, o["patient"], {}),
    "screening.enroll_rems": lambda o, ctx: screening.enroll_rems(ctx, o["patient"], {}),
    "screening.withdraw_rems": lambda o, ctx: screening.withdraw_rems(ctx, o["rems_enrollment"].patient, o["rems_enrollment"].public_id, {}),
    "screening.save_evaluation": lambda o, ctx: screening.save_evaluation(ctx, o["patient"], {}, complete=False),
    "screening.decisions_for": lambda o, ctx: screening.decisions_for(ctx, o["patient"]),
    "screening.evaluations_for": lambda o, ctx: screening.evaluations_for(ctx, o["patient"]),
    "patients.update_patient": lambda o, ctx: patients.update_patient(ctx, o["patient"], {"given_name": "X"}),
    "patients.add_subrecord": lambda o, ctx: patients.add_subrecord(ctx, o["patient"], "allergy", {"substance": "x"}),
    "patients.record_no_known_allergies": lambda o, ctx: patients.record_no_known_allergies(ctx, o["patient"]),
    "patients.correct_subrecord": lambda o, ctx: patients.correct_subrecord(
        ctx, o["allergy"].patient, "allergy", o["allergy"].public_id, {}, "why"),
    "patients.set_subrecord_status": lambda o, ctx: patients.set_subrecord_status(
        ctx, o["allergy"].patient, "allergy", o["allergy"].public_id, "entered_in_error", "why"),
    "patients.set_care_team": lambda o, ctx: patients.set_care_team(ctx, o["patient"], []),
    "treatments.update_checklist": lambda o, ctx: treatments.update_checklist(ctx, o["session"], {}),
    "treatments.record_bp_decision": lambda o, ctx: treatments.record_bp_decision(ctx, o["session"], {}),
    "treatments.discharge": lambda o, ctx: treatments.discharge(ctx, o["session"], {}),
    "treatments.end_without_dose": lambda o, ctx: treatments.end_without_dose(ctx, o["session"], {"reason": "why"}),
    "treatments.start_dosing": lambda o, ctx: treatments.start_dosing(ctx, o["session"], {}),
    "treatments.record_device": lambda o, ctx: treatments.record_device(ctx, o["session"], {}),
    "treatments.change_rate": lambda o, ctx: treatments.change_rate(ctx, o["session"], {}),
    "treatments.stop_dosing": lambda o, ctx: treatments.stop_dosing(ctx, o["session"], {}),
    "treatments.save_draft": lambda o, ctx: treatments.save_draft(ctx, o["session"], "vitals", {"hr": "80"}),
    "treatments.clear_draft": lambda o, ctx: treatments.clear_draft(ctx, o["session"], "vitals"),
    "treatments.record_vitals": lambda o, ctx: treatments.record_vitals(ctx, o["session"], {}),
    "treatments.record_event": lambda o, ctx: treatments.record_event(ctx, o["session"], {}),
    "treatments.acknowledge_alert": lambda o, ctx: treatments.acknowledge_alert(
        ctx, o["session"], o["session_alert"].public_id, {}),
    "treatments.generate_rems_form": lambda o, ctx: treatments.generate_rems_form(ctx, o["session"]),
    "treatments.mark_rems_submitted": lambda o, ctx: treatments.mark_rems_submitted(ctx, o["rems_form"], {}),
    "notes.notes_for_patient": lambda o, ctx: notes.notes_for_patient(ctx, o["patient"]),
    "notes.resolve_links": lambda o, ctx: notes.resolve_links(ctx, o["patient"]),
    "notes.start_note": lambda o, ctx: notes.start_note(ctx, o["patient"], "progress"),
    "notes.own_psychotherapy_notes": lambda o, ctx: notes.own_psychotherapy_notes(ctx, o["patient"]),
    "notes.write_psychotherapy_note": lambda o, ctx: notes.write_psychotherapy_note(ctx, o["patient"], "x"),
    "notes.eligible_recipients": lambda o, ctx: notes.eligible_recipients(ctx, o["psychotherapy_note"]),
    "notes.disclose_psychotherapy_note": lambda o, ctx: notes.disclose_psychotherapy_note(ctx, o["psychotherapy_note"], {}),
    "notes.disclosures_of": lambda o, ctx: notes.disclosures_of(ctx, o["psychotherapy_note"]),
    "notes.revoke_disclosure": lambda o, ctx: notes.revoke_disclosure(ctx, o["psychotherapy_note"], "x"),
    "education.assign_pages": lambda o, ctx: education.assign_pages(ctx, o["patient"], ["preparing-for-a-session"]),
    "education.assign_pack": lambda o, ctx: education.assign_pack(ctx, o["patient"], "iv"),
    "education.assignments_for": lambda o, ctx: education.assignments_for(ctx, o["patient"]),
    "billing.add_prior_authorization": lambda o, ctx: billing.add_prior_authorization(ctx, o["patient"], {}),
    "billing.propose_for_session": lambda o, ctx: billing.propose_for_session(ctx, o["session"], {}),
    "patients.add_reported_subrecord": lambda o, ctx: patients.add_reported_subrecord(ctx, o["patient"], "diagnosis", {}, reported_by="x"),
    "referrals.change_status": lambda o, ctx: referrals.change_status(ctx, o["referral"], {}),
    "referrals.accept": lambda o, ctx: referrals.accept(ctx, o["referral"], {}),
    "referrals.generate_letter": lambda o, ctx: referrals.generate_letter(ctx, o["referral"], "first_seen"),
    "referrals.letter_for_sending": lambda o, ctx: referrals.letter_for_sending(ctx, o["referral"], o["referral_letter"].public_id),
    "billing.issue_estimate": lambda o, ctx: billing.issue_estimate(ctx, o["patient"], {}),
    "billing.add_coverage": lambda o, ctx: billing.add_coverage(ctx, o["patient"], {}),
    "billing.record_estimate_due": lambda o, ctx: billing.record_estimate_due(ctx, o["patient"], {}),
    "fhir.start": lambda o, ctx: fhir_bulk.start(ctx, "group", ["Patient"], None, "x", group=o["location"]),
    "fhir.cancel": lambda o, ctx: fhir_bulk.cancel(ctx, o["fhir_export"]),
    "fhir.file_for": lambda o, ctx: fhir_bulk.file_for(ctx, o["fhir_export"], "Patient.ndjson"),
    "fhir.register_client": lambda o, ctx: fhir_smart.register_client(ctx, "x", "{}", "system/Patient.read", o["staff_user"]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_service_called_directly_refuses_another_clinics_record(name, outsider_sweep, outsider_world, outsider_org):
    objects, _ = outsider_world.data
    ours = objects["patient"].organization
    intruder = make_user(outsider_org, "intruder", list(Role))  # every role: only the clinic can refuse
    before = _row_counts(ours)
    with pytest.raises(NotFound):
        CALLS[name](objects, ctx_for(intruder))
    assert _row_counts(ours) == before


# require_own_clinic, or a door that calls it first thing (the session-day services' _enter, and
# _predose_decision and _enter_timed, which start with _enter).
CHECKS = {"require_own_clinic", "_enter", "_predose_decision", "_enter_timed"}


def _checked_services():
    """(app, function) of every public service function that calls the organization check."""
    root = Path(ketamine_clinic.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if "services" not in str(rel) or "migrations" in rel.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and any(
                    isinstance(n, ast.Call) and getattr(n.func, "id", "") in CHECKS for n in ast.walk(node)):
                found.add(f"{rel.parts[0]}.{node.name}")
    return found


def test_every_service_with_the_organization_check_is_called_by_an_outsider_here():
    assert _checked_services() - set(CALLS) == set()


# Clinic records a service may be handed; a public service taking one as its second argument checks
# its organization, or says here why it need not.
RECORDS = {"Patient", "TreatmentPlan", "TreatmentSession", "BoosterProposal", "RemsForm", "QuestionnaireResponse", "Location", "User"}
CHECKED_ELSEWHERE = {
    "accounts.set_default_location": "compares the user's and the location's organization with the actor's",
    "accounts.create_token": "compares the user's organization with the actor's (or no actor: the operator's CLI)",
    "accounts.set_roles": "compares the user's organization with the actor's",
    "plans.plans_for": "filters the plans by the actor's organization",
    "screening.save_reported_intake": "the patient's own portal account only (_require_own)",
    "assessments.save_draft": "_check_actor: the organization for staff, the patient's own account or link otherwise",
    "assessments.submit_response": "_check_actor, as save_draft",
    "assessments.raise_alert": "called by submit_response and amend_response after their check",
    "plans.propose_maintenance_for": "called by change_status after its check, and on induction_finished",
    "treatments.board_rows": "reads through sessions_for(ctx), scoped to the actor's clinic",
    "education.get_own_assignment": "portal: the patient is resolved from the signed-in account, the page filtered by it",
    "education.open_assignment": "portal: get_own_assignment, as above",
    "education.acknowledge_assignment": "portal: get_own_assignment, as above",
}


def _record_services():
    """(app.function, calls require_own_clinic) for public service functions taking a clinic record."""
    root = Path(ketamine_clinic.__file__).parent
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if "services" not in str(rel) or "migrations" in rel.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            args = node.args.args if isinstance(node, ast.FunctionDef) else []
            if node.name.startswith("_") if args else True:
                continue
            if len(args) >= 2 and args[0].arg == "ctx" and args[1].annotation is not None \
                    and ast.unparse(args[1].annotation) in RECORDS:
                yield f"{rel.parts[0]}.{node.name}", any(
                    isinstance(n, ast.Call) and getattr(n.func, "id", "") in CHECKS for n in ast.walk(node))


def test_every_service_taking_a_clinic_record_checks_its_organization():
    unchecked = {name for name, checked in _record_services() if not checked}
    assert unchecked - set(CHECKED_ELSEWHERE) == set()
