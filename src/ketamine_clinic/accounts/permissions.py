"""The one permission matrix: which role may do what.

Every view, API endpoint and service asks ``has_permission(user, action)`` (or ``require``);
nothing else decides access. The README shows this matrix; a test keeps the two in step.
"""

from enum import StrEnum

from ketamine_clinic.core.errors import PermissionDenied  # noqa: F401  (defined in the kernel; re-exported)


class Role(StrEnum):
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    THERAPIST = "therapist"
    FRONT_DESK = "front_desk"
    CLINIC_ADMIN = "clinic_admin"
    BILLER = "biller"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PRESCRIBER: "Prescriber",
    Role.NURSE: "Nurse",
    Role.THERAPIST: "Therapist",
    Role.FRONT_DESK: "Front desk",
    Role.CLINIC_ADMIN: "Clinic admin",
    Role.BILLER: "Biller",
}

P, N, T, F, A = Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK, Role.CLINIC_ADMIN
B = Role.BILLER
# Clinical roles who see invoices and payments only where the clinic's setting allows it.
CLINICAL_ROLES_FOR_MONEY = frozenset({P, N, T})
ALL_STAFF = frozenset(Role)

# action -> (roles allowed, what it means). Patients act only on their own record through the
# portal; that rule lives in the portal's read helpers, not here.
MATRIX: dict[str, tuple[frozenset[Role], str]] = {
    "patient.view": (ALL_STAFF, "Search patients and open a chart"),
    "patient.register": (frozenset({P, N, F, A}), "Register a new patient"),
    "patient.edit_demographics": (frozenset({P, N, F, A}), "Edit contact, demographic and referral details"),
    "patient.edit_clinical": (frozenset({P, N}), "Record weight, allergies, medications, trials, diagnoses"),
    "patient.record_reported": (frozenset({P, N, F}), "Carry a referral's reported diagnoses, medications and trials into the chart, marked as reported"),
    "patient.view_history": (frozenset({P, N, T, A}), "See every earlier version of a record"),
    "evaluation.view": (frozenset({P, N, T}), "Read intake evaluations, eligibility results and decisions"),
    "evaluation.edit": (frozenset({P, N}), "Complete an intake evaluation"),
    "eligibility.sign": (frozenset({P}), "Sign an eligibility decision per route (and override relative contraindications)"),
    "consent.manage_documents": (frozenset({P, A}), "Edit the clinic's consent documents (a new version each time)"),
    "consent.witness": (frozenset({P, N, F}), "Witness a patient's consent, or record its revocation"),
    "rems.enroll": (frozenset({P, N}), "Record Spravato REMS patient enrollment"),
    "assessment.view": (frozenset({P, N, T}), "See questionnaire responses, scores and trajectories"),
    "assessment.enter": (frozenset({P, N, T}), "Enter a questionnaire on a patient's behalf, or amend one"),
    "measures.send_link": (frozenset({P, N, T, F}), "Send a due questionnaire to a patient as a link"),
    "alert.acknowledge": (frozenset({P, N, T}), "Acknowledge a suicide-risk alert with the action taken"),
    "outcomes.view": (frozenset({P, N, T, A}), "See clinic-wide outcomes (aggregates, CSV export)"),
    "pk.use": (frozenset({P, N}), "Use the pharmacokinetic planner (predicted levels, TCI)"),
    "protocol.manage": (frozenset({P, A}), "Copy and edit the clinic's treatment protocols (a new version each time)"),
    "plan.view": (frozenset({P, N, T, F}), "See treatment plans"),
    "plan.edit": (frozenset({P, N}), "Draft a treatment plan"),
    "plan.sign": (frozenset({P}), "Activate, pause, stop a plan or change its dose (signed)"),
    "schedule.view": (ALL_STAFF, "See the schedule and the Today list"),
    "schedule.manage": (frozenset({P, N, F, A}), "Book, reschedule, cancel appointments, mark no-shows"),
    "resources.manage": (frozenset({A}), "Manage rooms, chairs, staff availability and opening hours"),
    "session.view": (frozenset({P, N, T}), "See treatment sessions and the chair board"),
    "session.run": (frozenset({P, N}), "Run a session: check-in, checklist, dose, vitals, monitoring, discharge"),
    "session.cosign": (frozenset({P, N}), "Co-sign a dose above a soft limit (a second clinician)"),
    "session.bp_decision": (frozenset({P}), "Document the esketamine blood-pressure risk-benefit decision"),
    "session.cssrs_decision": (frozenset({P}), "Document the decision to dose despite a high-risk C-SSRS"),
    "rems.form": (frozenset({P, N}), "Prepare and mark submitted the Spravato REMS monitoring forms"),
    "inventory.view": (frozenset({P, N, A}), "See controlled-substance stock, containers and the ledger"),
    "inventory.administer": (frozenset({P, N}), "Draw controlled substances for a patient, record what was given, waste or return the rest"),
    "inventory.witness": (frozenset({P, N}), "Witness a waste or destruction (re-entering one's own password or code)"),
    "inventory.receive": (frozenset({A}), "Receive and transfer stock; manage products, suppliers and DEA registrations"),
    "inventory.count": (frozenset({A}), "Count stock, resolve discrepancies, record loss or theft and DEA deadlines"),
    "inventory.dispose": (frozenset({A}), "Destroy stock, return it to a reverse distributor, correct ledger events"),
    "inventory.report": (frozenset({A}), "Print controlled-substance reports (log, inventory, Form 41, Form 106)"),
    "note.list": (frozenset({P, N, T, F}), "See which notes a patient has (kind, date, author, status), not their text"),
    "note.read": (frozenset({P, N, T}), "Read clinical and therapy progress notes, print them as PDF"),
    "note.write_medical": (frozenset({P, N}), "Write, sign and add addenda to medical notes (intake, administration, progress)"),
    "note.write_therapy": (frozenset({T}), "Write, sign and add addenda to therapy notes (KAP preparation, dosing, integration, DAP)"),
    "note.manage_templates": (frozenset({P, A}), "Edit the clinic's note templates (a new version each time)"),
    "psychotherapy_note.write": (frozenset({T}), "Keep psychotherapy notes: apart from the record, only their author reads them"),
    "psychotherapy_note.read_disclosed": (frozenset({P, N, T}), "Read a psychotherapy note its author disclosed to you on the patient's written authorization (that note only, read-only, audited)"),
    "education.view": (frozenset({P, N, T, F}), "Read the education library and what a patient was sent, opened and acknowledged"),
    "education.assign": (frozenset({P, N, T}), "Send education pages to a patient"),
    "education.manage": (frozenset({P, A}), "Publish the clinic's own version of an education page (a new version each time)"),
    "audit.view": (frozenset({A}), "Browse the audit trail"),
    "org.manage": (frozenset({A}), "Manage staff accounts, roles, locations and security settings"),
    "api.token_self": (ALL_STAFF, "Create an API token for oneself"),
    "directory.view": (ALL_STAFF, "See the clinic's provider profiles (NPI, taxonomy, licences, DEA, credentials)"),
    "directory.edit_own": (frozenset({P, N, T}), "Edit one's own provider profile"),
    "directory.edit_any": (frozenset({A}), "Edit any clinician's provider profile, import NPPES data, see expiring licences"),
    "directory.listing_manage": (frozenset({A}), "Publish and edit the clinic's listing in the public clinic finder"),
    "referrals.view": (frozenset({P, N, F}), "See the referral inbox: referrals and appointment requests from outside"),
    "referrals.manage": (frozenset({P, N, F}), "Change a referral's status, accept it into a chart, generate and send letters"),
    # Billing: clinical roles see a visit's codes; money only with the clinic setting
    # billing.clinical_roles_see_payments (read in billing.clinic_policy).
    "billing.view_codes": (ALL_STAFF, "See a visit's billing codes and the code list"),
    "billing.code": (frozenset({B, A}), "Review, edit and finalize a visit's billing lines"),
    "billing.setup": (frozenset({B, A}), "Edit the fee schedule and the practice's and providers' billing numbers"),
    "billing.coverage": (frozenset({F, B, A}), "Record insurance coverage, self-pay status and prior authorizations"),
    "billing.view_money": (frozenset({F, B, A}), "See invoices, payments, balances and estimates"),
    "billing.collect": (frozenset({F, B, A}), "Issue invoices and estimates, record payments"),
    "billing.adjust": (frozenset({B, A}), "Record refunds and adjustments (with a reason)"),
    "fhir.bulk_export": (frozenset({P, A}), "Start FHIR bulk exports of the clinic's records and download their files"),
}


def user_roles(user) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.organization_id is None:
        return frozenset()
    return user.role_set


def has_permission(user, action: str) -> bool:
    if action not in MATRIX:
        raise KeyError(f"unknown action {action!r}")  # a typo must fail loudly, never grant
    return bool(user_roles(user) & MATRIX[action][0])


def denied(action: str) -> PermissionDenied:
    """The error for a refused ``action``, saying in words what the role may not do."""
    return PermissionDenied(action, f"Your role does not allow: {MATRIX[action][1].lower()}.")


def require(user, action: str) -> None:
    if not has_permission(user, action):
        raise denied(action)


def matrix_markdown() -> str:
    """The matrix as a Markdown table, as it stands in the README."""
    roles = list(Role)
    head = "| Action | " + " | ".join(r.label for r in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = [
        f"| {desc} (`{action}`) | " + " | ".join("yes" if r in allowed else "—" for r in roles) + " |"
        for action, (allowed, desc) in MATRIX.items()
    ]
    return "\n".join([head, rule, *rows])
