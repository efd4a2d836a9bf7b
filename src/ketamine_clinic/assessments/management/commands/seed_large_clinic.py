"""Seed a large synthetic clinic fast, for benchmarks: by default 20,000 patients and 400,000
PHQ-9 responses over about two years.

Everything goes in with ``bulk_create`` in batches: no per-row services, so NO audit events,
revisions or timeline lines are written for this synthetic bulk data (the audit trail records
real actions only). Scores still come from the clinical core: each distinct total is scored once
with ``clinical.instruments.score`` and reused, and each patient's outcome row is computed with
``summarize_outcomes`` exactly as the service does. Synthetic PHQ-9s never have item 9 positive,
so no alerts are seeded. Staff accounts get unusable passwords (sign in with force_login, or set
one with ``manage changepassword``).
"""

import datetime as dt
import math
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location, Organization, RoleAssignment, User
from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.assessments.models import PatientOutcome, QuestionnaireResponse, ResponseMode, ResponseStatus
from ketamine_clinic.assessments.clinic_policy import clinic_settings
from ketamine_clinic.assessments.services import outcome_fields, summarize_points
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.patients.models import Diagnosis, Patient

GIVEN = "Ava Mia Emma Olivia Sofia Grace Liam Noah Ethan Mason Lucas Owen Priya Ravi Diego Hana".split()
FAMILY = "Nguyen Patel Garcia Johnson Okafor Kowalski Schmidt Rossi Haddad Tanaka Murphy Silva Cohen Brooks".split()
DIAGNOSES = [  # (code, display, weight): mostly depression, as in ketamine clinics
    ("F33.2", "Major depressive disorder, recurrent severe without psychotic features", 40),
    ("F32.2", "Major depressive disorder, single episode, severe without psychotic features", 15),
    ("F31.81", "Bipolar II disorder", 10),
    ("F43.10", "Post-traumatic stress disorder, unspecified", 12),
    ("F41.1", "Generalized anxiety disorder", 8),
    ("F40.10", "Social phobia, unspecified", 4),
    ("F42.2", "Mixed obsessional thoughts and acts", 4),
    ("G89.4", "Chronic pain syndrome", 7),
]


def phq9_answers(total: int) -> dict[str, int]:
    """Items 1-8 filled up to ``total`` (at most 24); item 9 always 0 (no synthetic alerts)."""
    answers, remaining = {}, total
    for n in range(1, 9):
        answers[f"phq9-{n}"] = min(3, remaining)
        remaining -= answers[f"phq9-{n}"]
    answers["phq9-9"] = 0
    return answers


class Command(BaseCommand):
    help = "Seed a large synthetic clinic with bulk_create (no audit rows for synthetic bulk data)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=20_000)
        parser.add_argument("--responses", type=int, default=400_000)
        parser.add_argument("--slug", default="large-clinic")
        parser.add_argument("--name", default="")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch-patients", type=int, default=1000)

    def handle(self, *args, **opts):
        n_patients, n_responses = opts["patients"], opts["responses"]
        if n_patients < 1 or n_responses < n_patients:
            raise CommandError("Need at least one patient and at least one response per patient.")
        slug = opts["slug"]
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"A clinic with slug {slug!r} exists already; choose another --slug.")
        rng = random.Random(opts["seed"])
        started = time.perf_counter()
        instrument = ci.get_instrument("phq9")
        scored = {t: (phq9_answers(t), ci.score("phq9", phq9_answers(t))) for t in range(0, 25)}
        now = timezone.now()

        org, location, staff = _create_clinic(slug, opts["name"])
        org_settings = clinic_settings(org.pk)
        per_patient = [n_responses // n_patients + (1 if i < n_responses % n_patients else 0) for i in range(n_patients)]
        done_patients = done_responses = 0
        batch = opts["batch_patients"]
        for first in range(0, n_patients, batch):
            indexes = range(first, min(first + batch, n_patients))
            with transaction.atomic():
                patients = _create_patients(rng, org, location, staff, slug, indexes)
                responses, outcomes = [], []
                for i, patient in zip(indexes, patients):
                    points = _add_trajectory(rng, responses, org, patient, staff, per_patient[i], now, instrument, scored)
                    fields = outcome_fields(summarize_points("phq9", points, org_settings))
                    outcomes.append(PatientOutcome(organization=org, patient=patient, instrument_key="phq9", computed_at=now, **fields))
                QuestionnaireResponse.objects.bulk_create(responses, batch_size=5000)
                PatientOutcome.objects.bulk_create(outcomes, batch_size=5000)
            done_patients += len(patients)
            done_responses += len(responses)
            self.stdout.write(f"  {done_patients:,} patients, {done_responses:,} responses ({time.perf_counter() - started:.0f} s)")
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {org.name!r} (slug {slug}): {done_patients:,} patients, {done_responses:,} PHQ-9 responses "
            f"in {time.perf_counter() - started:.1f} s. Staff: " + ", ".join(u.username for u in staff.values())
            + ". No audit events were written for this synthetic bulk data."
        ))


def _create_clinic(slug: str, name: str):
    """The organization, one location and one staff member per role (no usable password)."""
    with transaction.atomic():
        org = Organization.objects.create(name=name or f"Synthetic clinic {slug}", slug=slug, mrn_prefix=slug[:2].upper())
        location = Location.objects.create(organization=org, name="Main", time_zone="America/New_York")
        staff = {}
        for role in (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.CLINIC_ADMIN):
            user = User(username=f"{slug}-{role.value}", organization=org, first_name=role.label, default_location=location)
            user.set_unusable_password()
            user.save()
            RoleAssignment.objects.create(user=user, role=role)
            staff[role] = user
    return org, location, staff


def _create_patients(rng, org, location, staff, slug: str, indexes) -> list:
    """A batch of patients, each with one diagnosis (drawn by DIAGNOSES weight)."""
    codes = [c for c, _, w in DIAGNOSES for _ in range(w)]
    displays = {c: d for c, d, _ in DIAGNOSES}
    patients = Patient.objects.bulk_create([
        Patient(
            organization=org, mrn=f"{org.mrn_prefix}{i + 1:06d}", given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY), date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000)),
            sex_at_birth=rng.choice(["female", "male"]), email=f"p{i}@{slug}.example.org", home_location=location,
        )
        for i in indexes
    ])
    Diagnosis.objects.bulk_create([
        Diagnosis(patient=p, icd10_code=(code := rng.choice(codes)), display=displays[code], recorded_by=staff[Role.PRESCRIBER])
        for p in patients
    ])
    return patients


def _add_trajectory(rng, responses: list, org, patient, staff, count: int, now, instrument, scored) -> list:
    """``count`` weekly PHQ-9 responses improving from a baseline (exponential approach plus noise),
    appended to ``responses``; returns the (time, total) points."""
    span_days = 7 * (count - 1)
    start = now - dt.timedelta(days=span_days + rng.randint(1, 730 - min(span_days, 700)), hours=rng.randint(0, 23))
    baseline = rng.randint(12, 24)
    improvement = rng.uniform(0.1, 0.9)
    tau = rng.uniform(1.5, 6)
    points = []
    for k in range(count):
        at = start + dt.timedelta(days=7 * k, minutes=rng.randint(0, 600))
        expected = baseline * (1 - improvement * (1 - math.exp(-k / tau)))
        total = baseline if k == 0 else max(0, min(24, round(expected + rng.gauss(0, 1.5))))
        answers, score = scored[total]
        points.append((at, total))
        responses.append(QuestionnaireResponse(
            organization=org, patient=patient, instrument_key="phq9", instrument_version=instrument.version,
            status=ResponseStatus.SUBMITTED, mode=ResponseMode.PORTAL if k % 3 else ResponseMode.STAFF_PAPER,
            entered_by=staff[Role.NURSE] if k % 3 == 0 else None, answers=answers,
            started_at=at, updated_at=at, completed_at=at, submitted_at=at,
            total=score.total, band=score.band or "", band_label=score.band_label or "",
            item_flags=[], suicide_risk=score.suicide_risk, risk_level="", risk_reasons=list(score.risk_reasons),
            subscores=dict(score.subscores), recall_period=score.recall_period, loinc_total=score.loinc_total or "",
        ))
    return points
