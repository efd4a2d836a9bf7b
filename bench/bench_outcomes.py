"""Benchmark of the outcomes dashboard and API and a patient's chart pages on PostgreSQL, each
against the framework's floor (``/healthz``) measured in the same interleaved run (prints
figures; never asserts on time).

Run: .venv/bin/python bench/bench_outcomes.py [--reset]

Uses the database ``kc_bench`` on the local PostgreSQL (override with BENCH_DATABASE_URL), creates
it and migrates when needed, then seeds (once; ``--reset`` drops and reseeds) three clinics with
``manage seed_large_clinic``: 100 patients (2,000 responses), 2,000 (40,000) and 20,000
(400,000), and builds their outcome group rows and day buckets with ``manage
rebuild_outcome_groups`` (the bulk seed bypasses the services that keep them). For each clinic it
requests, 30 rounds after one warm-up,
signed in as the clinic's prescriber, each page once per round in turn (so machine drift hits the
floor and the pages alike): ``/healthz``, the outcomes dashboard and the summary API over three
years, a patient's chart and trajectory page. It prints p50/p95 in ms, the SQL query count per
request, p95 as a multiple of the floor's p95, and (from the second clinic on) p95 as a multiple of
the same page's p95 at 2,000 patients. Targets (issue 19): outcomes dashboard and API p95 at most
100x the floor at 20,000 patients and at most 2x their own p95 at 2,000; the same query count at
every size.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _largeclinic import ensure_database, percentile, seed_clinic  # noqa: E402  (bench/, beside this script)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kc_bench")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")  # throwaway secret key; nothing else changes
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")

CLINICS = [("bench-small", 100, 2_000), ("bench-medium", 2_000, 40_000), ("bench-large", 20_000, 400_000)]
REFERENCE_SLUG = "bench-medium"  # the "x own p95 at 2,000 patients" column
REQUESTS = 30
FLOOR = ("floor: /healthz", "/healthz")


def _timed(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 entries) would make the count read 0
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed_ms = (time.perf_counter() - start) * 1e3
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}")
    return elapsed_ms, len(queries)


def measure_interleaved(client, pages: list[tuple[str, str]]) -> dict[str, tuple[float, float, int, int] | str]:
    """{label: (p50 ms, p95 ms, min queries, max queries)} or {label: why not measured}: every page
    requested once per round, in turn, after one warm-up each."""
    times: dict[str, list[float]] = {label: [] for label, _ in pages}
    counts: dict[str, list[int]] = {label: [] for label, _ in pages}
    broken: dict[str, str] = {}
    for label, url in pages:
        try:
            _timed(client, url)
        except RuntimeError as exc:  # a page of another module may be broken; report, go on
            broken[label] = str(exc)
    for _ in range(REQUESTS):
        for label, url in pages:
            if label not in broken:
                elapsed_ms, n = _timed(client, url)
                times[label].append(elapsed_ms)
                counts[label].append(n)
    return {
        label: broken.get(label) or (percentile(times[label], 0.5), percentile(times[label], 0.95), min(counts[label]), max(counts[label]))
        for label, _ in pages
    }


def print_row(slug: str, n: int, label: str, figures, floor_p95: float, reference: dict) -> None:
    if isinstance(figures, str):
        print(f"{slug:12s} {n:>10,d}  {label:34s} not measured: {figures}", flush=True)
        return
    p50, p95, qmin, qmax = figures
    queries = str(qmin) if qmin == qmax else f"{qmin}-{qmax}"
    own = f"{p95 / reference[label]:8.1f}x" if label in reference else f"{'':9s}"
    print(f"{slug:12s} {n:>10,d}  {label:34s} {p50:8.1f} {p95:8.1f} {queries:>8s} {p95 / floor_p95:8.1f}x {own}", flush=True)


def main() -> None:
    reset = "--reset" in sys.argv
    ensure_database(DB_URL, reset)
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
        seed_clinic(slug, patients, responses)

    print(f"\nPostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}; "
          f"{REQUESTS} interleaved rounds after one warm-up\n")
    print(f"{'clinic':12s} {'responses':>10s}  {'page':34s} {'p50 ms':>8s} {'p95 ms':>8s} {'queries':>8s} {'x floor':>9s} {'x @2,000':>9s}")
    reference: dict[str, float] = {}
    today = timezone.localdate()
    for slug, _, _ in CLINICS:
        org = Organization.objects.get(slug=slug)
        n = QuestionnaireResponse.objects.filter(organization=org).count()
        user = User.objects.get(username=f"{slug}-prescriber")
        client = Client(raise_request_exception=False)
        client.force_login(user)
        patient = QuestionnaireResponse.objects.filter(organization=org).order_by("patient_id").values_list("patient__public_id", flat=True).first()
        pages = [
            FLOOR,
            ("outcomes dashboard (all, 3 years)", f"/assessments/outcomes/?date_from={today.replace(year=today.year - 3)}&date_to={today}"),
            ("outcomes summary API", f"/api/v1/outcomes/summary?from={today.replace(year=today.year - 3)}&to={today}"),
            ("patient chart (with assessments)", f"/patients/{patient}/"),
            ("patient trajectory page", f"/assessments/patients/{patient}/trajectory/"),
        ]
        results = measure_interleaved(client, pages)
        floor = results[FLOOR[0]]
        if isinstance(floor, str):
            raise SystemExit(f"The floor {FLOOR[1]} failed: {floor}")
        for label, _ in pages:
            print_row(slug, n, label, results[label], floor[1], reference)
        if slug == REFERENCE_SLUG:
            reference.update({label: r[1] for label, r in results.items() if not isinstance(r, str)})


if __name__ == "__main__":
    main()
