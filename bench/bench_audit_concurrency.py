"""Concurrent staff writing and reading charts on PostgreSQL: requests, 5xx and lost writes.

Run: .venv/bin/python bench/bench_audit_concurrency.py [--threads 8] [--iterations 25]

Uses the database ``kc_bench_audit`` on the local PostgreSQL (override with BENCH_DATABASE_URL),
drops and recreates it, migrates, and makes one clinic with three shared patients. Each thread
is a signed-in staff member (nurse + front desk) who, per iteration, opens a chart (an audit
event), adds an allergy (a write) and edits the city with the version it just read (409 when a
colleague saved first; that is a refusal, not a loss). All through the Django test client, so a
server error counts as a 5xx instead of stopping the run. Lost writes: allergies answered 302
but not stored, plus accepted edits not reflected in the patient's version. Never asserts.
Run it against an older checkout with ``PYTHONPATH=<that checkout>/src`` to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kc_bench_audit")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")  # throwaway keys; nothing else changes
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")


def recreate_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_clinic(threads: int):
    from ketamine_clinic.accounts.models import Organization, RoleAssignment, User
    from ketamine_clinic.accounts.permissions import Role
    from ketamine_clinic.audit.services import Context
    from ketamine_clinic.patients.services import register_patient

    org = Organization.objects.create(name="Bench Clinic", slug="bench", mrn_prefix="BC")
    users = []
    for n in range(threads):
        user = User.objects.create(username=f"staff{n}", organization=org, kind="staff")
        for role in (Role.NURSE, Role.FRONT_DESK):
            RoleAssignment.objects.create(user=user, role=role)
        users.append(user)
    ctx = Context(user=users[0])
    patients = [
        register_patient(ctx, {"given_name": f"Bench{n}", "family_name": "Patient", "date_of_birth": "1980-01-0" + str(n + 1),
                               "sex_at_birth": "female", "phone": "(555) 000-000" + str(n)})
        for n in range(3)
    ]
    return users, patients


def worker(user, patients, iterations, barrier, tally, accepted, lock, thread_no):
    from django.db import connection
    from django.test import Client

    from ketamine_clinic.patients.models import Patient

    client = Client(raise_request_exception=False)
    client.force_login(user)
    barrier.wait()
    try:
        for i in range(iterations):
            patient = patients[(thread_no + i) % len(patients)]
            base = f"/patients/{patient.public_id}/"
            statuses = [client.get(base).status_code]
            substance = f"bench-{thread_no}-{i}"
            r = client.post(base + "allergy/new/", {"substance": substance, "severity": "unknown"})
            statuses.append(r.status_code)
            version = Patient.objects.values_list("version", flat=True).get(pk=patient.pk)
            e = client.post(base + "edit/", {"city": f"C{thread_no}x{i}", "version": version, "reason": "bench"})
            statuses.append(e.status_code)
            with lock:
                tally.update(statuses)
                if r.status_code == 302:
                    accepted["allergies"].append(substance)
                if e.status_code == 302:
                    accepted["edits"][patient.pk] += 1
    finally:
        connection.close()


def run(threads: int, iterations: int) -> dict:
    from ketamine_clinic.patients.models import Allergy, Patient

    users, patients = setup_clinic(threads)
    start_versions = {p.pk: p.version for p in patients}
    barrier, lock, tally = threading.Barrier(threads), threading.Lock(), Counter()
    accepted = {"allergies": [], "edits": Counter()}
    pool = [threading.Thread(target=worker, args=(u, patients, iterations, barrier, tally, accepted, lock, n))
            for n, u in enumerate(users)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    stored = set(Allergy.objects.filter(substance__startswith="bench-").values_list("substance", flat=True))
    lost = len(set(accepted["allergies"]) - stored)
    for p in Patient.objects.filter(pk__in=start_versions):
        lost += abs(accepted["edits"][p.pk] - (p.version - start_versions[p.pk]))
    total = sum(tally.values())
    return {"requests": total, "5xx": sum(v for k, v in tally.items() if k >= 500), "409": tally[409],
            "lost_writes": lost, "seconds": elapsed, "per_second": total / elapsed, "statuses": dict(tally)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=25)
    args = parser.parse_args()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    import logging

    logging.disable(logging.CRITICAL)  # the old code logs every deadlock's traceback
    r = run(args.threads, args.iterations)
    print(f"{args.threads} threads x {args.iterations} iterations (chart read, allergy add, demographics edit)")
    print(f"requests {r['requests']}  5xx {r['5xx']}  409 (stale edit refused) {r['409']}  lost writes {r['lost_writes']}")
    print(f"{r['seconds']:.1f} s, {r['per_second']:.1f} requests/s  statuses {r['statuses']}")
    try:
        from ketamine_clinic.audit.services import seal_pending
        from ketamine_clinic.audit.verify import verify_chain
    except ImportError:  # before the sealed chain
        from ketamine_clinic.audit.services import verify_chain

        seal_pending = None
    started = time.perf_counter()
    sealed = seal_pending() if seal_pending else 0
    result = verify_chain()
    print(f"sealed {sealed} events in {time.perf_counter() - started:.1f} s; chain ok: {result.ok}")


if __name__ == "__main__":
    main()
