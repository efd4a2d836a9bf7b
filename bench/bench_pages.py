"""Every main page and API list against the framework's floor (``/healthz``), on PostgreSQL, in ONE
interleaved run (prints figures; never asserts on time).

Run: .venv/bin/python bench/bench_pages.py [--rounds 30] [--reset]

Uses the database ``kc_bench_pages`` on the local PostgreSQL (override with BENCH_DATABASE_URL),
creates and migrates it when needed, seeds once (``--reset`` drops and reseeds) a large clinic with
``manage seed_large_clinic`` (20,000 patients, 400,000 responses), then gives one patient a full
chart through the services (allergies, medications, trials, results, responses, plans, sessions,
screening decisions), so every chart section has rows. Absolute times drift on shared machines, so
each round requests every page once, in turn with the floor, and the table prints each page's p50
and p95, its SQL query count and its p95 as a multiple of the floor's p95 measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

# BENCH_SOURCE_ROOT: measure another checkout's code (e.g. `git archive main src tests` unpacked
# somewhere) with this script, for a before/after table.
ROOT = Path(os.environ.get("BENCH_SOURCE_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.support: the same builders the tests use, to fill one chart

from _largeclinic import ensure_database, percentile, seed_clinic  # noqa: E402  (bench/, beside this script)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kc_bench_pages")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")  # throwaway secret key; nothing else changes
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")

SLUG, PATIENTS, RESPONSES = "bench-large", 20_000, 400_000
# The floor: the trivial view, answered to an anonymous client (the framework's own cost); the same
# view signed in adds what every signed-in request pays (session, user, roles: the middleware).
FLOOR = ("floor: /healthz (anonymous)", "/healthz")
SIGNED_IN_FLOOR = ("/healthz signed in", "/healthz")


def seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    seed_clinic(SLUG, PATIENTS, RESPONSES)


def full_chart_patient():
    """The patient whose chart has rows in every section (filled once, through the services)."""
    from ketamine_clinic.accounts.models import Location, Organization, User
    from ketamine_clinic.accounts.permissions import Role
    from ketamine_clinic.patients.models import Patient
    from ketamine_clinic.plans import scheduling
    from tests.front.test_sections import add_chart_records
    from tests.support.people import ctx_for
    from tests.support.plans import WEEKDAYS_8_TO_18

    from django.db import transaction

    from ketamine_clinic.screening.models import Consent
    from tests.support.people import PATIENT_DATA

    org = Organization.objects.get(slug=SLUG)
    # The consent builders type the test patient's name: the benchmarked patient carries it.
    named = {"given_name": PATIENT_DATA["given_name"], "family_name": PATIENT_DATA["family_name"]}
    patient = Patient.objects.filter(organization=org, **named).first()
    if patient is not None and Consent.objects.filter(patient=patient).exists():
        return patient
    staff = {role: User.objects.get(username=f"{SLUG}-{role.value}") for role in (Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN)}
    location = Location.objects.get(organization=org)
    with transaction.atomic():  # all or nothing, so a failed fill is redone on the next run
        patient = Patient.objects.filter(organization=org).order_by("mrn").first()
        Patient.objects.filter(pk=patient.pk).update(**named)  # synthetic bulk data, like the seed
        patient.refresh_from_db()
        scheduling.set_opening_hours(ctx_for(staff[Role.CLINIC_ADMIN]), location, WEEKDAYS_8_TO_18)
        for name in ("Chair 1", "Chair 2")[location.resources.count():]:
            scheduling.add_resource(ctx_for(staff[Role.CLINIC_ADMIN]), location, {"name": name, "kind": "chair"})
        add_chart_records(3, patient=patient, nurse=staff[Role.NURSE], prescriber=staff[Role.PRESCRIBER],
                          location=location, routes=["iv", "im"])
    return patient


def pages(patient) -> list[tuple[str, str]]:
    from django.utils import timezone

    from ketamine_clinic.plans.models import TreatmentPlan
    from ketamine_clinic.treatments.models import TreatmentSession

    today = timezone.localdate()
    three_years_ago = today.replace(year=today.year - 3)
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-id").first()
    session = TreatmentSession.objects.filter(patient=patient).order_by("-id").first()
    pid = patient.public_id
    return [
        SIGNED_IN_FLOOR,
        ("Today", "/"),
        ("patient search HTML (q=nguy)", "/patients/?q=nguy"),
        ("patient search HTML (MRN)", f"/patients/?q={patient.mrn}"),
        ("patient chart (every section)", f"/patients/{pid}/"),
        ("plan page", f"/plans/patients/{pid}/"),
        ("session page", f"/sessions/{session.public_id}/"),
        ("notes list", f"/notes/patient/{pid}/"),
        ("outcomes dashboard (3 years)", f"/assessments/outcomes/?date_from={three_years_ago}&date_to={today}"),
        ("billing queue", "/billing/"),
        ("inventory ledger", "/inventory/"),
        ("sessions board", f"/sessions/board/{patient.home_location.public_id}/"),
        ("API patients?q=nguy", "/api/v1/patients?q=nguy"),
        ("API patient plans", f"/api/v1/patients/{pid}/plans"),
        ("API patient responses", f"/api/v1/patients/{pid}/responses"),
        ("API patient notes", f"/api/v1/patients/{pid}/notes"),
        ("API alerts", "/api/v1/alerts"),
        ("API appointments", "/api/v1/appointments"),
        ("API inventory stock", "/api/v1/inventory/stock"),
        ("API outcomes summary", f"/api/v1/outcomes/summary?from={three_years_ago}&to={today}"),
        ("API plan", f"/api/v1/plans/{plan.public_id}"),
    ]


def run(client, anonymous, urls: list[tuple[str, str]], rounds: int) -> dict[str, tuple[list[float], list[int], int]]:
    """Each round requests the floor (anonymous) then every page (signed in) once, in order; returns
    label -> (times ms, query counts, status)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = [(*FLOOR, anonymous)] + [(label, url, client) for label, url in urls]
    results = {}
    for label, url, who in plan:  # warm-up, and the status each page answers
        results[label] = ([], [], who.get(url).status_code)
    # As `serve` does before its workers fork (cli._settle_before_fork): what is loaded by now is
    # moved out of the garbage collector's reach, so full collections do not walk it mid-request.
    gc.collect()
    gc.freeze()
    for _ in range(rounds):
        for label, url, who in plan:
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                who.get(url)
                elapsed_ms = (time.perf_counter() - start) * 1e3
            results[label][0].append(elapsed_ms)
            results[label][1].append(len(queries))
    return results


def report(results, rounds: int) -> None:
    from django.db import connection

    floor_p95 = percentile(results[FLOOR[0]][0], 0.95)
    print(f"\nPostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}, "
          f"{PATIENTS:,} patients; {rounds} interleaved rounds after one warm-up\n")
    print(f"| {'page':34s} | status | {'p50 ms':>7s} | {'p95 ms':>7s} | queries | × floor (p95) |")
    print(f"|{'-' * 36}|--------|---------|---------|---------|---------------|")
    for label, (times, counts, status) in results.items():
        queries = str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
        ratio = percentile(times, 0.95) / floor_p95
        print(f"| {label:34s} | {status:6d} | {percentile(times, 0.5):7.1f} | {percentile(times, 0.95):7.1f} "
              f"| {queries:>7s} | {ratio:13.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    ensure_database(DB_URL, args.reset)
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from ketamine_clinic.accounts.models import User

    setup_test_environment()  # test client host and in-memory mail; the database stays the bench one
    seed()
    patient = full_chart_patient()
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=f"{SLUG}-prescriber"))
    results = run(client, Client(raise_request_exception=False), pages(patient), args.rounds)
    import ketamine_clinic

    print(f"\ncode measured: {Path(ketamine_clinic.__file__).parents[1]}")
    report(results, args.rounds)


if __name__ == "__main__":
    main()
