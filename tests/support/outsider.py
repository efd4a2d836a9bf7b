"""The outsider sweep, shared by ``tests/<app>/test_outsider.py``: every URL pattern (walked from the
resolver) and every API operation (read from the ninja API object) of one app is requested, GET and
POST, by the outsider clinic's staff (clinic admin + prescriber + front desk of another organization)
with OUR clinic's real object ids. Each must answer 404, or 403 where the role is refused; also
accepted: 405 (no such method), for the API 400/422 (the empty body is refused before any lookup),
and a redirect that refuses (a portal page sending staff home, or an error message such as "No such
user."). Never 200 with our data, never 500, and nothing written in our clinic.

A URL or operation belongs to the app whose module defines its view (``ketamine_clinic.<app>....``).
``tests/core/test_outsider_sweep.py`` fails when one belongs to no app's sweep, or has a path parameter
without a sample value below, so the tables grow with the URLs. POSTs go through the Django test
client as it does them (CSRF checks off), so they reach the view.

Our clinic is the demo seed, made once per run (``outsider_world``) inside a transaction that is rolled
back after the last sweep; the sweeps run last among the database tests so that no other test sees it.
"""

import re

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

# Pages that do not show our data by design, by route name (namespace:name) or name prefix, with why.
PUBLIC = {
    "home": "Today page: shows only the signed-in user's own clinic (checked below for our data anyway)",
    "healthz": "health check, no clinic data",
    "account_": "allauth sign-in, sign-out, password and e-mail pages act on the signed-in user only",
    "mfa_": "allauth two-factor pages act on the signed-in user only",
    "assessments:link": "one-time questionnaire link: the secret token is the authorization",
    "plans:ics": "ICS calendar feed: the secret token is the authorization",
    "api-v1:openapi-json": "API schema, no clinic data",
    "api-v1:openapi-view": "API docs page, no clinic data",
    "api-v1:api-root": "API root, no clinic data",
    "finder:search": "public clinic finder: shows only what clinics chose to publish (opt-in listing)",
    "finder:clinic": "public clinic page: shows only what the clinic chose to publish (opt-in listing)",
    "api-v1:finder_search": "public clinic finder API: only published listings",
    "api-v1:finder_clinic": "public clinic page API: only published listings",
    "fhir:metadata": "FHIR CapabilityStatement, no clinic data",
    "fhir_import": "FHIR upload form: shows only the report of the signed-in user's own upload",
    "fhir:smart_configuration": "SMART discovery document, no clinic data",
    "fhir:smart_token": "SMART token endpoint: the signed client assertion is the authorization",
    "fhir_smart_clients": "SMART client registration: lists only the signed-in admin's own clinic's clients",
    "fhir:plan_net": "public Plan-Net directory export: only published clinic listings, as the finder shows them",
    "referrals_public:index": "public list of the published clinics a clinician may refer to (opt-in listing)",
    "referrals_public:refer": "public referral form of a published clinic: takes a submission, never shows one",
    "referrals_public:request": "public appointment-request form of a published clinic: takes a submission, never shows one",
}

# A path parameter's sample value, by parameter name; `public_id` (and a few names shared by two
# kinds of object) are given per route name in BY_ROUTE. Each value is one of OUR clinic's objects.
BY_PARAM = {
    "patient_id": lambda o: o["patient"].public_id,
    "evaluation_id": lambda o: o["evaluation"].public_id,
    "consent_id": lambda o: o["consent"].public_id,
    "enrollment_id": lambda o: o["rems_enrollment"].public_id,
    "document_id": lambda o: o["consent_document"].public_id,
    "plan_id": lambda o: o["plan"].public_id,
    "proposal_id": lambda o: o["proposal"].public_id,
    "appointment_id": lambda o: o["appointment"].public_id,
    "session_id": lambda o: o["session"].public_id,
    "location_id": lambda o: o["location"].public_id,
    "form_id": lambda o: o["rems_form"].public_id,
    "token_id": lambda o: o["token"].public_id,
    "record_id": lambda o: o["allergy"].public_id,
    "kind": lambda o: "allergy",
    "route": lambda o: "iv",
    "form_key": lambda o: "vitals",
    "outcome": lambda o: "cancel",
    "decision": lambda o: "accept",
    "container_id": lambda o: o["cs_container"].public_id,
    "draw_id": lambda o: o["cs_draw"].public_id,
    "discrepancy_id": lambda o: o["cs_discrepancy"].public_id,
    "deadline_id": lambda o: o["cs_deadline"].public_id,
    "report": lambda o: "log",
    "note_id": lambda o: o["note"].public_id,
    "psychotherapy_note_id": lambda o: o["psychotherapy_note"].public_id,
    "assignment_id": lambda o: o["education_assignment"].public_id,
    "slug": lambda o: "preparing-for-a-session",  # a shipped education page (no clinic data)
    "version": lambda o: o["education_page"].version,  # our clinic's own version of that page
    "template_kind": lambda o: "progress",
    "user_id": lambda o: o["staff_user"].public_id,
    "clinician_id": lambda o: o["staff_user"].public_id,
    "state": lambda o: "NY",
    "visit_id": lambda o: o["billable_visit"].public_id,
    "line_id": lambda o: o["charge_line"].public_id,
    "invoice_id": lambda o: o["invoice"].public_id,
    "estimate_id": lambda o: o["estimate"].public_id,
    "coverage_id": lambda o: o["coverage"].public_id,
    "receipt_number": lambda o: o["ledger_entry"].receipt_number,
    "resource_type": lambda o: "Patient",  # fhir: /fhir/r4/<resource_type>/<resource_id>
    "resource_id": lambda o: o["patient"].public_id,
    "group_id": lambda o: o["location"].public_id,  # fhir: a Group is a location's patients
    "job_id": lambda o: o["fhir_export"].public_id,
    "file_name": lambda o: "Patient.ndjson",
    "referral_id": lambda o: o["referral"].public_id,
    "letter_id": lambda o: o["referral_letter"].public_id,
    "letter_kind": lambda o: "first_seen",
}

BY_ROUTE = {
    "patients:chart": {"public_id": "patient"},
    "patients:edit": {"public_id": "patient"},
    "patients:history": {"public_id": "patient"},
    "patients:care_team": {"public_id": "patient"},
    "patients:no_known_allergies": {"public_id": "patient"},
    "patients:result_attachment": {"public_id": "patient", "record_id": "result"},
    "patients:subrecord_add": {"public_id": "patient"},
    "patients:subrecord_correct": {"public_id": "patient"},
    "patients:subrecord_status": {"public_id": "patient"},
    "portal:request_change": {"public_id": "appointment"},
    "screening:overview": {"public_id": "patient"},
    "screening:evaluation_new": {"public_id": "patient"},
    "screening:evaluation": {"public_id": "patient"},
    "screening:evaluation_edit": {"public_id": "patient"},
    "screening:decision_sign": {"public_id": "patient"},
    "screening:consent": {"public_id": "patient"},
    "screening:consent_witness": {"public_id": "patient"},
    "screening:consent_revoke": {"public_id": "patient"},
    "screening:rems": {"public_id": "patient"},
    "screening:rems_withdraw": {"public_id": "patient"},
    "assessments:portal_done": {"public_id": "response"},
    "assessments:portal_form": {"key": "instrument"},
    "assessments:patient": {"public_id": "patient"},
    "assessments:enter": {"public_id": "patient", "key": "instrument"},
    "assessments:create_link": {"public_id": "patient"},
    "assessments:trajectory": {"public_id": "patient"},
    "assessments:response": {"public_id": "response"},
    "assessments:amend": {"public_id": "response"},
    "assessments:acknowledge": {"public_id": "risk_alert"},
    "plans:location_setup": {"public_id": "location"},
    "plans:protocol": {"key": "protocol"},
    "plans:protocol_edit": {"key": "protocol"},
    "plans:patient": {"public_id": "patient"},
    "plans:new": {"public_id": "patient"},
    "plans:book": {"public_id": "patient"},
    "plans:calendar_feed": {"public_id": "patient"},
    "plans:appointment": {"public_id": "appointment"},
    "plans:request_handled": {"public_id": "appointment_request"},
    "plans:reschedule": {"public_id": "appointment"},
    "plans:appointment_end": {"public_id": "appointment"},
    "plans:proposal": {"public_id": "proposal"},
    **{f"plans:{name}": {"public_id": "plan"} for name in ("plan", "activate", "status", "dose", "relapse")},
    "treatments:board": {"location_id": "location"},
    "treatments:rems_detail": {"public_id": "rems_form"},
    "treatments:rems_pdf": {"public_id": "rems_form"},
    **{f"treatments:{name}": {"public_id": "session"} for name in (
        "detail", "live", "checklist", "bp_decision", "cssrs_decision", "vitals", "event", "dose", "device", "rate",
        "stop", "discharge", "end", "draft", "tablet_link", "instructions")},
    "treatments:alert_ack": {"public_id": "session", "alert_id": "session_alert"},
    **{f"clinic_admin:{name}": {"public_id": "staff_user"} for name in (
        "user_roles", "user_active", "user_email", "user_password_reset", "user_unlock")},
    "clinic_admin:token_revoke": {"public_id": "token"},
    "clinic_admin:setting_change": {"key": "setting"},
    "inventory:container": {"public_id": "cs_container"},
    "inventory:receipt_labels": {"public_id": "cs_receipt"},
    "inventory:draw_detail": {"public_id": "cs_draw"},
    "inventory:correct": {"public_id": "cs_event"},
    "inventory:discrepancy": {"public_id": "cs_discrepancy"},
    "inventory:deadline_done": {"public_id": "cs_deadline"},
    "billing:ledger": {"kind": "ledger_kind"},
    "billing:patient_write": {"what": "patient_write"},
    "billing:setup_write": {"what": "setup_write"},
    # API routes whose parameter names are shared by two kinds of object.
    "api-v1:instrument_fhir": {"key": "instrument"},
    "api-v1:read_protocol": {"key": "protocol"},
    "api-v1:acknowledge /alerts": {"alert_id": "risk_alert"},
    "api-v1:acknowledge /sessions": {"alert_id": "session_alert"},
}

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _our_clinic():
    """Our clinic from the demo seed (patients, screening, plans, appointments, an infusion in the
    chair, a suicide-risk alert), plus the few objects the seed does not make."""
    from ketamine_clinic.accounts.models import Location, Organization, User
    from ketamine_clinic.accounts.services import create_token
    from ketamine_clinic.assessments.models import QuestionnaireResponse, SuicideRiskAlert
    from ketamine_clinic.clinic_settings import all_settings
    from ketamine_clinic.education.models import EducationAssignment
    from ketamine_clinic.education.models import ClinicEducationPage
    from ketamine_clinic.notes.models import Note, PsychotherapyNote
    from ketamine_clinic.demo.seed import seed_demo
    from ketamine_clinic.patients.models import Allergy, Patient, TestResult
    from ketamine_clinic.plans.models import Appointment, AppointmentRequest, BoosterProposal, TreatmentPlan
    from ketamine_clinic.screening.models import Consent, ConsentDocument, IntakeEvaluation, RemsEnrollment
    from ketamine_clinic.treatments.models import RemsForm, SessionAlert, TreatmentSession

    seed_demo(patients_main=10, patients_outsider=1)
    # The seed's own other clinic has a user called "outsider", as the conftest fixture does.
    User.objects.filter(username="outsider").update(username="seed-outsider")
    ours = Organization.objects.get(slug="riverbend")
    session = TreatmentSession.objects.get(organization=ours)
    patient = session.patient
    nurse = User.objects.get(username="nurse")
    prescriber = User.objects.get(username="prescriber")
    plan = TreatmentPlan.objects.filter(patient__organization=ours).first()
    appointment = Appointment.objects.filter(patient__organization=ours).first()
    today = timezone.localdate()
    create_token(None, prescriber, name="ours")
    objects = {
        "patient": patient,
        "staff_user": nurse,
        "location": Location.objects.filter(organization=ours).first(),
        "session": session,
        "plan": plan,
        "appointment": appointment,
        "evaluation": IntakeEvaluation.objects.filter(patient__organization=ours).first(),
        "consent": Consent.objects.filter(patient__organization=ours).first(),
        "consent_document": ConsentDocument.objects.filter(organization=ours).first(),
        "response": QuestionnaireResponse.objects.filter(patient__organization=ours).first(),
        "risk_alert": SuicideRiskAlert.objects.filter(patient__organization=ours).first(),
        "allergy": Allergy.objects.filter(patient__organization=ours).first(),
        "token": prescriber.api_tokens.get(),
        "note": Note.objects.filter(organization=ours, addenda__isnull=False).first(),
        "psychotherapy_note": PsychotherapyNote.objects.filter(organization=ours).first(),
        "education_assignment": EducationAssignment.objects.filter(organization=ours).first(),
        "education_page": ClinicEducationPage.objects.create(
            organization=ours, slug="preparing-for-a-session", language="en", version=2, title="ours", audience="patient",
            routes="all", phase="before", source="ours", reviewer="ours", review_date=today, body="ours", created_by=prescriber),
        "instrument": "phq9",
        "protocol": plan.protocol_key,
        "setting": next(iter(all_settings())),
        "result": TestResult.objects.create(patient=patient, kind="lab", name="ECG", performed_on=today, result="normal",
                                            interpretation="normal", attachment_name="r.pdf", attachment_type="application/pdf",
                                            attachment=b"%PDF-1.4 ours"),
        "rems_enrollment": RemsEnrollment.objects.create(patient=patient, enrolled_on=today, patient_signed_name="ours",
                                                         prescriber=prescriber, recorded_by=prescriber),
        "appointment_request": AppointmentRequest.objects.create(organization=ours, appointment=appointment, kind="cancel"),
        "proposal": BoosterProposal.objects.create(plan=plan, kind="booster", protocol_source="builtin", protocol_key=plan.protocol_key,
                                                   protocol_version=1, protocol_data={}, visits=[], explanation="ours", source="signal"),
        "session_alert": SessionAlert.objects.create(session=session, kind="vitals", severity="warning", message="ours", source="rule"),
        "rems_form": RemsForm.objects.create(organization=ours, session=session, schema_version="1", treatment_date=today,
                                             due_date=today, generated_by=nurse),
    }
    objects.update(_our_referrals(ours, nurse))
    objects.update(_our_inventory(ours))
    objects.update(_our_billing(ours, patient, session, prescriber, today))
    objects.update(_our_fhir_export(ours, prescriber))
    missing = [name for name, value in objects.items() if value is None]
    assert not missing, f"the demo seed no longer makes: {missing}"
    markers = {ours.name, *Patient.objects.filter(organization=ours).values_list("mrn", flat=True),
               *(str(getattr(o, "public_id")) for o in objects.values() if hasattr(o, "public_id"))}
    return objects, markers


def _our_referrals(ours, nurse):
    """The demo's accepted referral and a letter on it."""
    from ketamine_clinic.referrals.models import Referral, ReferralLetter

    referral = Referral.objects.filter(organization=ours, status="registered").first()
    letter = referral.letters.first() or ReferralLetter.objects.create(
        referral=referral, kind="induction_end", content={}, pdf=b"%PDF-1.4 ours", generated_by=nurse)
    return {"referral": referral, "referral_letter": letter}


def _our_inventory(ours):
    """The demo's controlled-substance record, plus a theft (so DEA deadlines exist)."""
    from ketamine_clinic.accounts.models import User
    from ketamine_clinic.audit.services import Context
    from ketamine_clinic.inventory import services as inventory
    from ketamine_clinic.inventory.models import Container, Deadline, Discrepancy, Draw, LedgerEvent, Receipt

    spare = Container.objects.filter(organization=ours, product__form="nasal_device").last()
    inventory.record_loss(Context(user=User.objects.get(username="admin")), {"container": spare.label, "all": True, "theft": True,
                                                                              "explanation": "ours"})
    return {"cs_container": Container.objects.filter(organization=ours).first(),
            "cs_receipt": Receipt.objects.filter(organization=ours).first(),
            "cs_draw": Draw.objects.filter(organization=ours).first(),
            "cs_event": LedgerEvent.objects.filter(organization=ours, event_type="administer").first(),
            "cs_discrepancy": Discrepancy.objects.filter(organization=ours).first(),
            "cs_deadline": Deadline.objects.filter(organization=ours).first()}


def _our_billing(ours, patient, session, prescriber, today) -> dict:
    """A coded visit with a line, an invoice with a payment, an estimate and a coverage of our clinic."""
    from ketamine_clinic.billing.models import BillableVisit, ChargeLine, Coverage, GoodFaithEstimate, Invoice, LedgerEntry

    visit = BillableVisit.objects.create(organization=ours, patient=patient, session=session, service_date=today,
                                         rendering_provider=prescriber, payer="self_pay", diagnosis_codes=["F33.2"],
                                         created_by=prescriber)
    line = ChargeLine.objects.create(visit=visit, position=1, code="96365", unit_price_usd=450, charge_usd=450,
                                     created_by=prescriber)
    invoice = Invoice.objects.create(organization=ours, patient=patient, number=99, visit=visit, total_usd=450,
                                     issued_by=prescriber)
    entry = LedgerEntry.objects.create(organization=ours, patient=patient, invoice=invoice, kind="payment", method="cash",
                                       amount_usd=100, receipt_number="R-OURS-1", recorded_by=prescriber)
    estimate = GoodFaithEstimate.objects.create(organization=ours, patient=patient, version=99, content={}, total_usd=1,
                                                period_start=today, period_end=today, issued_by=prescriber)
    coverage = Coverage.objects.create(organization=ours, patient=patient, kind="self_pay", effective_from=today,
                                       created_by=prescriber)
    return {"billable_visit": visit, "charge_line": line, "invoice": invoice, "ledger_entry": entry, "estimate": estimate,
            "coverage": coverage, "ledger_kind": "payment", "patient_write": "coverage", "setup_write": "fees"}


def _our_fhir_export(ours, prescriber) -> dict:
    """A finished FHIR bulk export job of our clinic (its files are never reachable by the outsider)."""
    from ketamine_clinic.fhir.models import ExportJob

    job = ExportJob.objects.create(organization=ours, requested_by=prescriber, level="system", types=["Patient"],
                                   request_url="ours", status="done", transaction_time=timezone.now(),
                                   output=[{"type": "Patient", "file": "Patient.ndjson", "count": 1}])
    return {"fhir_export": job}


def _url_patterns(patterns=None, prefix="", namespace=""):
    """(route name, path template, view module) for every URL pattern, walking includes."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _url_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "view_class", entry.callback)
            yield ":".join(filter(None, [namespace, entry.name or ""])), prefix + str(entry.pattern), view.__module__


def _api_operations():
    """(view name, path template, method, view module) for every operation of the ninja API object."""
    from ketamine_clinic.api import api  # imported when a sweep runs, not when pytest loads the plugins

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield (operation.view_func.__name__, "api/v1" + (prefix + path).replace("//", "/"), method,
                           operation.view_func.__module__)


def app_of(module: str) -> str:
    """The app whose module defines a view: ``ketamine_clinic.plans.views`` -> ``plans``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "ketamine_clinic" and len(parts) > 2 else module


def all_requests():
    """(app, route name, path template, method) for every URL pattern and API operation the sweeps request."""
    requests = []
    for name, template, module in _url_patterns():
        if _public_reason(name) or template.startswith("api/v1/"):
            continue  # public pages are listed in PUBLIC; API paths are taken from the API object below
        requests += [(app_of(module), name, template, m) for m in ("GET", "POST")]
    for view_name, template, method, module in _api_operations():
        name = _route_key(f"api-v1:{view_name}", template)
        if _public_reason(name):
            continue
        requests += [(app_of(module), name, template, m) for m in sorted({"GET", "POST", method})]
    return requests


def api_urls_outside_the_api_object():
    """API URLs the resolver knows but the API object does not list (so no sweep would reach them)."""
    api_names = {f"api-v1:{n}" for n, _, _, _ in _api_operations()}
    return [name for name, template, _ in _url_patterns()
            if template.startswith("api/v1/") and name not in api_names and not _public_reason(name)]


def unfilled():
    """Path parameters without a sample value, as messages."""
    missing = set()
    for _, name, template, _ in all_requests():
        route = BY_ROUTE.get(name, {})
        for param in PARAM.findall(template.replace("{", "<").replace("}", ">")):
            if param not in route and (param == "public_id" or param not in BY_PARAM):
                missing.add(f"{name} ({template}): no sample value for path parameter '{param}'")
    return sorted(missing)


def _route_key(name, template):
    """The route name; the two API operations called acknowledge are told apart by their first segment."""
    if name == "api-v1:acknowledge":
        return f"{name} /{template.removeprefix('api/v1/').split('/')[0]}"
    return name


def _fill(name, template, objects):
    """The path with our objects' values, or raise KeyError naming the parameter without a sample."""
    route = BY_ROUTE.get(name, {})

    def value(match):
        param = match.group(1)
        if param in route:
            found = objects[route[param]]
            return str(getattr(found, "public_id", found))
        if param == "public_id" or param not in BY_PARAM:
            raise KeyError(f"{name} ({template}): no sample value for path parameter '{param}'")
        return str(BY_PARAM[param](objects))

    return "/" + PARAM.sub(value, template.replace("{", "<").replace("}", ">"))


def _public_reason(name):
    return next((why for key, why in PUBLIC.items() if name == key or (key.endswith("_") and name.split(":")[-1].startswith(key))), None)


def _refused_by_redirect(name, response, markers):
    """A redirect that refuses: staff sent home from a patient-portal page, or sent back to a list
    with an error message ("No such user.", or the empty form refused before any lookup)."""
    if response.status_code != 302 or any(m in response["Location"] for m in markers):
        return False
    if name.startswith(("portal:", "assessments:portal_", "education:portal_")):
        return response["Location"] == "/"
    return any(m.level >= message_levels.ERROR for m in getattr(response.wsgi_request, "_messages", []))


# How a table's rows reach their organization, tried in order; a table with none is counted whole.
ORG_PATHS = ("organization", "patient__organization", "session__organization", "plan__patient__organization",
             "appointment__patient__organization", "user__organization", "evaluation__patient__organization")


def _row_counts(ours):
    """Rows per table that belong to our clinic (the outsider may write in its own clinic)."""
    counts = {}
    for model in apps.get_models():
        if not model.__module__.startswith("ketamine_clinic") or model._meta.label == "audit.AuditPending":
            continue  # the audit outbox mirrors every event, the outsider's own too: events are checked below
        path = next((p for p in ORG_PATHS if _has_path(model, p)), None)
        counts[model._meta.label] = model.objects.filter(**{path: ours} if path else {}).count()
    return counts


def _has_path(model, path):
    for name in path.split("__")[:-1]:
        field = next((f for f in model._meta.get_fields() if f.name == name and f.many_to_one), None)
        if field is None:
            return False
        model = field.related_model
    return any(f.name == path.split("__")[-1] for f in model._meta.get_fields())


class _World:
    """The seeded clinic and the open transaction that holds it (one per run)."""

    atomic = None
    data = None
    blocker = None


def _close_world():
    if _World.atomic is not None:
        with _World.blocker.unblock():
            transaction.set_rollback(True)
            _World.atomic.__exit__(None, None, None)
            if _World.data is not None:
                seeded = _World.data[0]["patient"].organization
                assert not type(seeded).objects.filter(pk=seeded.pk).exists(), "the seeded clinic outlived the sweeps"
        _World.atomic = _World.data = None


@pytest.fixture(scope="session")
def outsider_world(django_db_setup, django_db_blocker):
    """Our clinic, seeded once, before any test transaction opens (a session fixture is set up first)."""
    if _World.atomic is None:
        _World.blocker = django_db_blocker
        with django_db_blocker.unblock():
            _World.atomic = transaction.atomic()
            _World.atomic.__enter__()
        try:
            with django_db_blocker.unblock():
                _World.data = _our_clinic()
        except BaseException:
            _close_world()  # a failed seed leaves no open transaction behind
            raise
    yield _World
    _close_world()


def _uses_world(item):
    return "outsider_sweep" in getattr(item, "fixturenames", ())


def _django_db_group(item):
    """pytest-django's order: 0 database tests in a transaction, 1 transactional ones, 2 the rest."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or \
            "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The sweeps run together, last of the database tests in a transaction (after pytest-django's
    ordering), so the seeded clinic is made once and seen by no other test."""
    sweeps = [item for item in items if _uses_world(item)]
    if not sweeps:
        return
    rest = [item for item in items if not _uses_world(item)]
    at = next((i for i, item in enumerate(rest) if _django_db_group(item) > 0), len(rest))
    items[:] = rest[:at] + sweeps + rest[at:]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last sweep (its own test transaction rolled back), roll back the seeded clinic."""
    yield
    if _uses_world(item) and (nextitem is None or not _uses_world(nextitem)):
        _close_world()


@pytest.fixture
def outsider_sweep(outsider_world, db, request, client):
    """``outsider_sweep("plans")``: request every URL and API operation of the app as the outsider."""

    def run(app):
        objects, markers = outsider_world.data
        outsider = request.getfixturevalue("outsider")  # after the seed, whose own "outsider" is renamed
        requests = [(name, template, method) for owner, name, template, method in all_requests() if owner == app]
        assert requests, f"no URL or API operation belongs to {app}"
        _sweep(client, outsider, objects, markers, requests)

    return run


def _sweep(client, outsider, objects, markers, requests):
    client.force_login(outsider)
    paths = {}  # (path, method) -> route name: a GET on a POST operation's path is that path's GET once
    for name, template, method in requests:
        paths.setdefault((_fill(name, template, objects), method), name)

    ours = objects["patient"].organization
    before = _row_counts(ours)
    audit_before = set(apps.get_model("audit", "AuditEvent").objects.values_list("id", flat=True))
    client.raise_request_exception = False  # a 500 is one more failure in the list, not the end of the sweep
    failures = []
    for (path, method), name in sorted(paths.items()):
        identifies_ours = any(marker in path for marker in markers)
        if method == "GET":
            response = client.get(path)
        elif path.startswith("/api/"):
            response = client.generic(method, path, "{}", content_type="application/json")
        else:
            response = client.post(path, {})
        body = b"" if getattr(response, "streaming", False) else response.content
        leaked = sorted(m for m in markers if m.encode() in body)
        allowed = {403, 404, 405} | ({400, 422} if path.startswith("/api/") else set())
        if response.status_code >= 500:
            failures.append(f"{method} {path} ({name}): {response.status_code}")
        elif leaked:
            failures.append(f"{method} {path} ({name}): {response.status_code} shows our data {leaked[:3]}")
        elif identifies_ours and response.status_code not in allowed and not _refused_by_redirect(name, response, markers):
            failures.append(f"{method} {path} ({name}): {response.status_code} {response.get('Location', '')}, expected 404 or 403")
        client.force_login(outsider)  # a refused request must not sign the outsider out; keep it signed in
    assert not failures, "\n".join(failures)  # in path order

    assert _row_counts(ours) == before
    # The outsider's requests leave no audit event in our clinic or naming our patients.
    our_patients = {str(p) for p in ours.patients.values_list("public_id", flat=True)}
    new_events = apps.get_model("audit", "AuditEvent").objects.exclude(id__in=audit_before)
    assert [(e.action, e.object_id) for e in new_events if e.organization_id == ours.id or e.patient_id in our_patients] == []
