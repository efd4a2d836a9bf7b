"""Figures for the FHIR closing note (prints; never asserts on time).

Run: .venv/bin/python bench/bench_fhir.py [--reset] [--patients N] [--responses N]

1. The ten Synthea bundles in tests/fhir/data/synthea-r4 (with their hospital and practitioner
   bundles): how many resources of each type they hold, how many the importer imported and how many
   it reported unmapped or refused. The import runs in a transaction that is rolled back.
2. FHIR search response times, p50/p95 over REQUESTS requests after one warm-up, against ``/healthz``,
   on a large clinic seeded with ``manage seed_large_clinic`` (20,000 patients by default) in the
   PostgreSQL database ``kc_bench_f18b`` (override with BENCH_DATABASE_URL), with a bearer token.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _largeclinic import ensure_database, percentile, seed_clinic  # noqa: E402  (bench/, beside this script)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kc_bench_f18b")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")  # throwaway secret key; nothing else changes
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fhir" / "data" / "synthea-r4"
REQUESTS = 30


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def synthea_figures(user) -> None:
    from django.db import transaction

    from ketamine_clinic.audit.services import Context
    from ketamine_clinic.fhir.importer import import_path

    held = Counter()
    for file in sorted(SAMPLES.glob("*.json")):
        for entry in json.loads(file.read_text())["entry"]:
            held[entry["resource"]["resourceType"]] += 1
    with transaction.atomic():
        report = import_path(Context(user=user), SAMPLES)
        transaction.set_rollback(True)
    refused = Counter(t for _, t, _ in report.refused)
    print(f"Synthea sample ({len(list(SAMPLES.glob('*.json')))} files): resources per type\n")
    print(f"{'type':28s} {'held':>6s} {'imported':>9s} {'unmapped':>9s} {'refused':>8s}")
    for rtype in sorted(held, key=lambda t: -held[t]):
        print(f"{rtype:28s} {held[rtype]:6d} {report.imported[rtype]:9d} {report.unmapped[rtype]:9d} {refused[rtype]:8d}")
    print(f"{'total':28s} {sum(held.values()):6d} {sum(report.imported.values()):9d} {sum(report.unmapped.values()):9d} {sum(refused.values()):8d}\n")


def search_figures(org, user) -> None:
    from django.test import Client

    from ketamine_clinic.accounts.services import create_token
    from ketamine_clinic.assessments.models import QuestionnaireResponse
    from ketamine_clinic.patients.models import Patient

    token = create_token(None, user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
    pid = QuestionnaireResponse.objects.filter(organization=org).values_list("patient__public_id", flat=True).first()
    patient = Patient.objects.get(public_id=pid)
    urls = [
        ("/healthz (baseline)", "/healthz"),
        ("metadata", "/fhir/r4/metadata"),
        ("Patient?identifier=<mrn>", f"/fhir/r4/Patient?identifier={patient.mrn}"),
        ("Patient?family=<name>", f"/fhir/r4/Patient?family={patient.family_name}"),
        ("Patient?name=<given>", f"/fhir/r4/Patient?name={patient.given_name}"),
        ("Patient?birthdate=ge1980", "/fhir/r4/Patient?birthdate=ge1980-01-01"),
        ("Patient?_count=100 (page 1)", "/fhir/r4/Patient?_count=100"),
        ("Patient?_count=100&_offset=19000", "/fhir/r4/Patient?_count=100&_offset=19000"),
        ("Observation?patient&code=44261-6", f"/fhir/r4/Observation?patient={pid}&code=44261-6"),
        ("Observation?patient&category=survey", f"/fhir/r4/Observation?patient={pid}&category=survey"),
        ("Condition?patient", f"/fhir/r4/Condition?patient={pid}"),
        ("Patient/<id>/$everything", f"/fhir/r4/Patient/{pid}/$everything?_count=100"),
    ]
    print(f"FHIR search on {org.slug}: {Patient.objects.filter(organization=org).count():,} patients, "
          f"{QuestionnaireResponse.objects.filter(organization=org).count():,} responses; {REQUESTS} requests each\n")
    print(f"{'request':38s} {'status':>6s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for label, url in urls:
        status = client.get(url).status_code  # warm-up
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1e3)
        print(f"{label:38s} {status:6d} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}", flush=True)


def main() -> None:
    ensure_database(DB_URL, "--reset" in sys.argv)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from ketamine_clinic.accounts.models import Organization, User

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    slug, patients, responses = "bench-fhir", _arg("--patients", 20_000), _arg("--responses", 400_000)
    seed_clinic(slug, patients, responses)
    org, user = Organization.objects.get(slug=slug), User.objects.get(username=f"{slug}-prescriber")
    synthea_figures(user)
    search_figures(org, user)


if __name__ == "__main__":
    main()
