"""The demo clinic: two organizations, staff of every role, ~40 synthetic patients.

All data is synthetic. Every write goes through the same services as the screens (the clinic is
founded, staffed and registered as a real one would be), so each record has its audit event and
revision history. Running it twice changes nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from ketamine_clinic.accounts import services as accounts
from ketamine_clinic.accounts.models import Location, Organization, User
from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.audit.services import Context
from ketamine_clinic.inventory.demo import seed_inventory
from ketamine_clinic.education.demo import seed_education
from ketamine_clinic.notes.demo import seed_notes
from ketamine_clinic.directory.demo import seed_listings, seed_profiles
from ketamine_clinic.referrals.demo import seed_referrals
from ketamine_clinic.billing.demo import seed_billing, seed_completed_visit
from ketamine_clinic.patients import services
from ketamine_clinic.plans.demo import seed_schedule

from . import DEMO_PASSWORD
from .care import seed_care

GIVEN_F = "Ava Mia Emma Olivia Sofia Grace Chloe Nora Maya Leah Ruth Irene Dana Hana Priya Lucia".split()
GIVEN_M = "Liam Noah Ethan Mason Lucas Owen Caleb Aaron Marcus Diego Samuel Tomas Andre Felix Ravi".split()
# Real short names people go by (a truncated given name greeted "Owen" as "Owe").
NICKNAMES = {"Olivia": "Liv", "Lucia": "Lucy", "Grace": "Gracie", "Samuel": "Sam", "Tomas": "Tom", "Marcus": "Marc",
             "Andre": "Dre", "Emma": "Em"}
FAMILY = "Nguyen Patel Garcia Johnson Okafor Kowalski Schmidt Rossi Haddad Tanaka Murphy Silva Cohen Brooks Reyes Larsen Dubois Mensah Ortiz Fischer".split()

ANTIDEPRESSANTS = [
    ("Sertraline", "ssri", 150), ("Escitalopram", "ssri", 20), ("Fluoxetine", "ssri", 40),
    ("Venlafaxine XR", "snri", 225), ("Duloxetine", "snri", 60), ("Bupropion XL", "atypical_antidepressant", 300),
    ("Mirtazapine", "atypical_antidepressant", 30), ("Nortriptyline", "tca", 100), ("Vortioxetine", "atypical_antidepressant", 20),
]
OTHER_MEDS = [
    ("Lorazepam", "benzodiazepine", "0.5 mg as needed"), ("Clonazepam", "benzodiazepine", "0.5 mg at night"),
    ("Lamotrigine", "lamotrigine", "200 mg daily"), ("Lisdexamfetamine", "stimulant", "30 mg daily"),
    ("Tramadol", "opioid", "50 mg twice daily"), ("Lisinopril", "antihypertensive", "10 mg daily"),
    ("Phenelzine", "maoi", "45 mg daily"), ("Zolpidem", "z_drug", "5 mg at night"), ("Lithium carbonate", "lithium", "600 mg daily"),
]
DIAGNOSES = ["F33.2", "F33.1", "F32.2", "F31.32", "F31.81", "F43.12", "F41.1", "F42.2", "G89.4", "R45.851", "F40.10"]
ALLERGIES = [("Penicillin", "rash", "moderate"), ("Sulfa drugs", "hives", "mild"), ("Latex", "contact dermatitis", "mild"), ("Codeine", "nausea", "mild")]


def _staff(admin_ctx: Context, username, first, last, roles, credentials="", location=None) -> User:
    return accounts.create_staff_user(admin_ctx, {
        "username": username, "password": DEMO_PASSWORD, "first_name": first, "last_name": last,
        "credentials": credentials, "roles": [r.value for r in roles],
        "default_location": str(location.public_id) if location else "",
    })


def _location(admin_ctx: Context, **data) -> Location:
    return accounts.add_location(admin_ctx, dict(data, time_zone="America/New_York"))


def _patient_data(rng: random.Random, i: int, location: Location) -> dict:
    female = rng.random() < 0.58
    age = rng.randint(19, 74)
    dob = dt.date(2026, 1, 1) - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    return {
        "given_name": given,
        "family_name": rng.choice(FAMILY),
        "preferred_name": NICKNAMES.get(given, "") if rng.random() < 0.1 else "",
        "date_of_birth": dob,
        "sex_at_birth": "female" if female else "male",
        "pronouns": ("she/her" if female else "he/him") if rng.random() < 0.5 else "",
        "phone": f"(555) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
        "email": f"patient{i}@example.org",
        "city": location.city,
        "region": location.region,
        "emergency_contact_name": f"{rng.choice(GIVEN_F + GIVEN_M)} {rng.choice(FAMILY)}",
        "emergency_contact_relationship": rng.choice(["spouse", "parent", "sibling", "friend", "partner"]),
        "emergency_contact_phone": f"(555) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
        "referring_provider_name": rng.choice(["Dr. Hale, Psychiatry", "Dr. Osei, Primary Care", "Dr. Brandt, Pain Medicine", "Self-referred"]),
        "weight_kg": Decimal(rng.randint(50, 120)) + Decimal(rng.randint(0, 9)) / 10,
        "height_cm": Decimal(rng.randint(152, 192)),
        "home_location": str(location.public_id),
    }


def _history(ctx: Context, rng: random.Random, patient) -> None:
    code = rng.choice(DIAGNOSES)
    services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": code})
    if code not in ("R45.851",) and rng.random() < 0.25:
        services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "R45.851"})
    depressive = code.startswith(("F32", "F33", "F31"))
    for drug, _cls, dose in rng.sample(ANTIDEPRESSANTS, rng.randint(1, 4) if depressive else rng.randint(0, 2)):
        weeks = rng.choice([3, 4, 6, 8, 10, 12])
        services.add_subrecord(ctx, patient, "trial", {
            "drug": drug, "dose_mg_per_day": str(dose), "weeks": weeks, "adequate": "true" if weeks >= 6 else "false",
            "outcome": rng.choice(["no_response", "no_response", "partial", "intolerance"]), "current_episode": "true" if rng.random() < 0.8 else "false",
        })
    drug, cls, dose = rng.choice(ANTIDEPRESSANTS)
    services.add_subrecord(ctx, patient, "medication", {"name": drug, "drug_class": cls, "dose": f"{dose} mg daily"})
    for name, cls, dose in rng.sample(OTHER_MEDS, rng.randint(0, 2)):
        services.add_subrecord(ctx, patient, "medication", {"name": name, "drug_class": cls, "dose": dose})
    if rng.random() < 0.3:
        substance, reaction, severity = rng.choice(ALLERGIES)
        services.add_subrecord(ctx, patient, "allergy", {"substance": substance, "reaction": reaction, "severity": severity})


@transaction.atomic
def seed_demo(patients_main: int = 40, patients_outsider: int = 5) -> bool:
    """Seed once; returns False when the demo clinic is already there."""
    if Organization.objects.filter(slug="riverbend").exists():
        return False
    rng = random.Random(20261121)
    main, admin = accounts.found_clinic({"name": "Riverbend Ketamine Clinic", "slug": "riverbend", "mrn_prefix": "RB"},
                                        {"username": "admin", "password": DEMO_PASSWORD, "first_name": "Alex", "last_name": "Morgan"})
    admin_ctx = Context(user=admin, source_ip="127.0.0.1")
    downtown = _location(admin_ctx, name="Downtown", address_line="120 Main Street, Suite 300", city="Albany", region="NY", postal_code="12207", phone="(555) 201-0100")
    north = _location(admin_ctx, name="Northside", address_line="48 Elm Avenue", city="Saratoga Springs", region="NY", postal_code="12866", phone="(555) 201-0200")
    accounts.set_default_location(admin_ctx, admin, downtown)
    prescriber = _staff(admin_ctx, "prescriber", "Priya", "Raman", [Role.PRESCRIBER], "MD", downtown)
    nurse = _staff(admin_ctx, "nurse", "Nora", "Quinn", [Role.NURSE], "RN", downtown)
    therapist = _staff(admin_ctx, "therapist", "Theo", "Alvarez", [Role.THERAPIST], "LCSW", north)
    frontdesk = _staff(admin_ctx, "frontdesk", "Fran", "Delgado", [Role.FRONT_DESK], location=downtown)
    biller = _staff(admin_ctx, "biller", "Bea", "Lindqvist", [Role.BILLER], location=downtown)

    ctx = Context(user=prescriber, source_ip="127.0.0.1")
    front_ctx = Context(user=frontdesk, source_ip="127.0.0.1")
    first = None
    for i in range(patients_main):
        location = downtown if i % 3 else north
        patient = services.register_patient(front_ctx, _patient_data(rng, i, location))
        services.set_care_team(admin_ctx, patient, [prescriber.public_id, nurse.public_id])
        _history(ctx, rng, patient)
        first = first or patient
    services.open_portal_account(front_ctx, first, {"username": "patient", "password": DEMO_PASSWORD})

    other, outsider = accounts.found_clinic({"name": "Harbor Light Wellness", "slug": "harbor-light", "mrn_prefix": "HL"},
                                            {"username": "outsider", "password": DEMO_PASSWORD, "first_name": "Olive", "last_name": "Sands"})
    out_ctx = Context(user=outsider, source_ip="127.0.0.1")
    harbor = _location(out_ctx, name="Harbor Light", address_line="9 Wharf Road", city="Portland", region="ME", postal_code="04101")
    accounts.set_default_location(out_ctx, outsider, harbor)
    accounts.set_roles(out_ctx, outsider, [Role.CLINIC_ADMIN, Role.FRONT_DESK])
    for i in range(patients_outsider):
        services.register_patient(out_ctx, _patient_data(rng, 1000 + i, harbor))

    seed_schedule(admin_ctx, [downtown, north])
    seed_schedule(out_ctx, [harbor])
    seed_inventory(admin, prescriber, nurse, [downtown, north], list(main.patients.order_by("mrn")), DEMO_PASSWORD)
    completed = seed_care(admin, prescriber, nurse, therapist, list(main.patients.order_by("mrn")), rng)
    seed_notes(prescriber, nurse, therapist, first)
    seed_education(nurse, first)
    seed_profiles(admin_ctx, prescriber, nurse, therapist)
    seed_listings(admin_ctx, out_ctx)
    seed_referrals(main.listing.public_id, front_ctx, first)
    seed_billing(admin, biller, prescriber, nurse, list(main.patients.order_by("mrn")), rng)
    if completed is not None:
        seed_completed_visit(biller, frontdesk, completed)
    return True
