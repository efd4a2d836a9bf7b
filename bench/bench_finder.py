"""Benchmark of the public clinic finder's radius search over 5,000 published locations (prints
figures; never asserts on time).

Run: .venv/bin/python bench/bench_finder.py [N_LOCATIONS]

Uses a throwaway SQLite file (override with BENCH_DATABASE_URL, e.g. a PostgreSQL database of your
own), migrates it, and bulk-creates N published clinics with one location each at random real ZIP
codes (the rows are bench fixtures, not audited writes). It then times ``directory.services.search``
30 times per radius (25, 100, 500 miles) from Albany, NY (12207) and prints p50/p95 in ms and the
number of matches.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/kc_bench_finder.sqlite3")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from ketamine_clinic.accounts.models import Location, Organization  # noqa: E402
from ketamine_clinic.directory import geo, services  # noqa: E402
from ketamine_clinic.directory.models import ClinicListing  # noqa: E402


def seed(n: int) -> None:
    if ClinicListing.objects.filter(published=True).count() >= n:
        return
    rng = random.Random(17)
    zips = sorted(geo._centroids())
    orgs = Organization.objects.bulk_create(
        [Organization(name=f"Bench clinic {i}", slug=f"bench-{i}", mrn_prefix="BC") for i in range(n)])
    Location.objects.bulk_create([Location(organization=o, name="Main", postal_code=rng.choice(zips)) for o in orgs])
    ClinicListing.objects.bulk_create([ClinicListing(
        organization=o, published=True, display_name=o.name, routes=["iv"], indications=["ptsd"],
        accepting_new_patients=True, languages=["English"], good_faith_estimate_notice="GFE") for o in orgs])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    call_command("migrate", verbosity=0)
    seed(n)
    geo.centroid("12207")  # load the ZIP table once (about 42,000 centroids), as a running server has
    print(f"finder search over {ClinicListing.objects.filter(published=True).count()} published locations ({DB_URL.split(':')[0]})")
    for radius in (25, 100, 500):
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            results, total = services.search({"zip": "12207", "radius_miles": str(radius), "route": "iv"})
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(f"  radius {radius:>3} mi: {total:>5} matches, p50 {statistics.median(times):6.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms")


if __name__ == "__main__":
    main()
