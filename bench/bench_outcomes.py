"""Benchmark of the outcomes dashboard and a patient's chart pages on PostgreSQL (prints figures;
never asserts on time).

Run: .venv/bin/python bench/bench_outcomes.py [--reset]

Uses the database ``kc_bench`` on the local PostgreSQL (override with BENCH_DATABASE_URL), creates
it and migrates when needed, then seeds (once; ``--reset`` drops and reseeds) a small clinic
(100 patients, 2,000 responses) and a large one (20,000 patients, 400,000 responses) with
``manage seed_large_clinic``. For each clinic it requests, 30 times each with the Django test
client signed in as the clinic's prescriber: the outcomes dashboard over the whole period, a
patient's chart (which includes the assessments section) and the patient's trajectory page. It
prints p50/p95 in ms and the SQL query count per request, so one can see the count does not grow
with the data. Target (issue 4): p95 < 500 ms.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kc_bench")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")  # throwaway secret key; nothing else changes
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")

CLINICS = [("bench-small", 100, 2_000), ("bench-large", 20_000, 400_000)]
REQUESTS = 30
TARGET_P95_MS = 500


def ensure_database(reset: bool) -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure(client, url: str) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}")
    times, counts = [], []
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1e3)
        counts.append(len(queries))
    return percentile(times, 0.5), percentile(times, 0.95), min(counts), max(counts)


def main() -> None:
    reset = "--reset" in sys.argv
    ensure_database(reset)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from ketamine_clinic.accounts.models import Organization, User
    from ketamine_clinic.assessments.models import QuestionnaireResponse

    setup_test_environment()  # test client host and in-memory mail; the database stays kc_bench
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    for slug, patients, responses in CLINICS:
        if not Organization.objects.filter(slug=slug).exists():
            print(f"Seeding {slug}: {patients:,} patients, {responses:,} responses …", flush=True)
            start = time.perf_counter()
            call_command("seed_large_clinic", patients=patients, responses=responses, slug=slug, stdout=open(os.devnull, "w"))
            print(f"  seeded in {time.perf_counter() - start:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    print(f"\nPostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}; "
          f"{REQUESTS} requests each after one warm-up; target p95 < {TARGET_P95_MS} ms\n")
    print(f"{'clinic':12s} {'responses':>10s}  {'page':34s} {'p50 ms':>8s} {'p95 ms':>8s} {'queries':>8s}")
    today = timezone.localdate()
    for slug, _, _ in CLINICS:
        org = Organization.objects.get(slug=slug)
        n = QuestionnaireResponse.objects.filter(organization=org).count()
        user = User.objects.get(username=f"{slug}-prescriber")
        client = Client(raise_request_exception=False)
        client.force_login(user)
        patient = QuestionnaireResponse.objects.filter(organization=org).order_by("patient_id").values_list("patient__public_id", flat=True).first()
        pages = [
            ("outcomes dashboard (all, 3 years)", f"/assessments/outcomes/?date_from={today.replace(year=today.year - 3)}&date_to={today}"),
            ("outcomes summary API", f"/api/v1/outcomes/summary?from={today.replace(year=today.year - 3)}&to={today}"),
            ("patient chart (with assessments)", f"/patients/{patient}/"),
            ("patient trajectory page", f"/assessments/patients/{patient}/trajectory/"),
        ]
        for label, url in pages:
            try:
                p50, p95, qmin, qmax = measure(client, url)
            except RuntimeError as exc:  # a page of another module may be broken; report, go on
                print(f"{slug:12s} {n:>10,d}  {label:34s} not measured: {exc}", flush=True)
                continue
            queries = str(qmin) if qmin == qmax else f"{qmin}-{qmax}"
            flag = "" if p95 < TARGET_P95_MS else "  (above target)"
            print(f"{slug:12s} {n:>10,d}  {label:34s} {p50:8.1f} {p95:8.1f} {queries:>8s}{flag}", flush=True)


if __name__ == "__main__":
    main()
