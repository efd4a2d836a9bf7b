"""What the PostgreSQL benchmarks share: their own database, a large seeded clinic, percentiles.

Imported by ``bench_outcomes.py``, ``bench_pages.py`` and ``bench_fhir.py`` (run from the project
root: ``.venv/bin/python bench/<script>.py``; Python puts ``bench/`` on the path).
"""

from __future__ import annotations

import os
import time


def ensure_database(db_url: str, reset: bool) -> None:
    """Create the benchmark database if missing (``reset``: drop it first)."""
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    admin_url = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed_clinic(slug: str, patients: int, responses: int) -> None:
    """Seed ``slug`` once with ``manage seed_large_clinic``. The seed bulk-inserts past the services,
    so the outcome group rows the services keep up to date are rebuilt after it (when this code has
    them), and the planner's statistics refreshed."""
    from django.core.management import CommandError, call_command
    from django.db import connection

    from ketamine_clinic.accounts.models import Organization

    if not Organization.objects.filter(slug=slug).exists():
        print(f"Seeding {slug}: {patients:,} patients, {responses:,} responses …", flush=True)
        start = time.perf_counter()
        call_command("seed_large_clinic", patients=patients, responses=responses, slug=slug, stdout=open(os.devnull, "w"))
        print(f"  seeded in {time.perf_counter() - start:.1f} s", flush=True)
    try:
        call_command("rebuild_outcome_groups", clinic=slug, stdout=open(os.devnull, "w"))
    except CommandError:  # code from before issue 19 (BENCH_SOURCE_ROOT): no such rows to build
        pass
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
