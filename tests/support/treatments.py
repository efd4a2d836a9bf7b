"""Session-day support: orders per route, a session checked in through the service, and a helper
that clears every checklist item so each test can break exactly one (``ready`` is in ``plans``)."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.treatments import services

from .people import ctx_for, make_user

ORDERS = {
    "iv": {"route": "iv", "dose_unit": "mg/kg", "dose_amount": "0.5", "infusion_minutes": 40,
           "infusion_volume_ml": "100", "product_name": "Ketamine HCl 50 mg/mL vial", "concentration_mg_per_ml": "50"},
    "esketamine_nasal": {"route": "esketamine_nasal", "dose_unit": "devices", "dose_amount": "2",
                         "product_name": "Spravato 28 mg nasal device"},
    "im": {"route": "im", "dose_unit": "mg/kg", "dose_amount": "0.5", "product_name": "Ketamine HCl 50 mg/mL vial",
           "concentration_mg_per_ml": "50"},
    "oral_sublingual": {"route": "oral_sublingual", "dose_unit": "mg", "dose_amount": "100",
                        "product_name": "Ketamine troche 100 mg"},
}
NORMAL_VITALS = {"systolic_mmhg": 122, "diastolic_mmhg": 78, "heart_rate_per_min": 72, "spo2_percent": 98,
                 "respiratory_rate_per_min": 14}


def ago(minutes: float) -> str:
    return (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def second_nurse(org, location):
    return make_user(org, "second_nurse", [Role.NURSE], location=location)


@pytest.fixture
def order_data(location, prescriber):
    def make(route="iv", **extra):
        data = dict(ORDERS[route], location=str(location.public_id), ordered_by=str(prescriber.public_id),
                    indication="depression")
        data.update(extra)
        return data
    return make


@pytest.fixture
def new_session(nurse, patient, order_data):
    """Check a patient in (not screened unless the test calls ``ready``)."""
    def make(route="iv", who=None, user=None, **extra):
        return services.start_session(ctx_for(user or nurse), who or patient, order_data(route, **extra))
    return make


def clear_checklist(nurse, session, *, vitals_at=None, weight="70.0"):
    """Every item of the checklist satisfied (for a patient ``ready`` has screened)."""
    ctx = ctx_for(nurse)
    data = {"last_food_at": ago(300), "last_liquid_at": ago(180), "ride_home_confirmed": "yes",
            "defer_phq9": "Completed on paper, scanning later", "defer_cssrs": "Asked verbally: no ideation",
            "defer_pain_nrs": "Not applicable today"}
    if weight:
        data["weight_today_kg"] = weight
    session = services.update_checklist(ctx, session, data)
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, observed_at=vitals_at or ""))
    session.refresh_from_db()
    return session


@pytest.fixture
def cleared():
    return clear_checklist


@pytest.fixture
def dosing_ready(ready, new_session, nurse):
    """A screened patient, checked in (backdated) with every checklist item clear."""
    def make(route="iv", checked_in_min_ago=200, **extra):
        ready(route)
        session = new_session(route, checked_in_at=ago(checked_in_min_ago), **extra)
        return clear_checklist(nurse, session, vitals_at=ago(checked_in_min_ago - 5))
    return make


def lot(expiry_days=365, **extra):
    data = {"lot_number": "KX2231", "expiry_date": (dt.date.today() + dt.timedelta(days=expiry_days)).isoformat()}
    data.update(extra)
    return data
