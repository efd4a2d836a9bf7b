"""Inventory fixtures: a registered location, a supplier, ketamine vials and esketamine devices
received into stock, built through the services as a clinic admin would."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.models import Container

from .people import PASSWORD, ctx_for

SUPPLIER_DEA = "BJ6125341"
CLINIC_DEA = "AB1234563"


@pytest.fixture
def registration(clinic_admin, location):
    return services.register_location(ctx_for(clinic_admin), {"location": location.public_id, "registrant_name": "Test Clinic PC",
                                                              "dea_number": CLINIC_DEA})


@pytest.fixture
def supplier(clinic_admin):
    return services.create_supplier(ctx_for(clinic_admin), {"name": "Henry Schein", "address": "135 Duryea Rd, Melville, NY 11747",
                                                            "dea_number": SUPPLIER_DEA})


@pytest.fixture
def ketamine(clinic_admin):
    return services.create_product(ctx_for(clinic_admin), {
        "name": "Ketamine HCl", "ndc": "0409-2051-05", "form": "vial", "concentration_mg_per_ml": "50",
        "container_volume_ml": "10", "multi_dose": True, "unit_cost": "12.50"})


@pytest.fixture
def spravato(clinic_admin):
    return services.create_product(ctx_for(clinic_admin), {
        "name": "Spravato (esketamine)", "ndc": "50458-028-02", "form": "nasal_device", "concentration_mg_per_ml": "140",
        "container_volume_ml": "0.2", "unit_cost": "300"})


def receive(admin, location, supplier, product, *, count=2, expiry=None, lot="LOT-A1", days_ago=1):
    """Received ``days_ago`` days ago (so doses backdated within the day can be drawn from it)."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    return services.receive(ctx_for(admin), {
        "location": location.public_id, "supplier": supplier.public_id, "product": product.public_id,
        "invoice_number": "INV-100", "received_on": timezone.localdate(at).isoformat(), "lot_number": lot,
        "expiry_date": (expiry or timezone.localdate() + dt.timedelta(days=365)).isoformat(), "container_count": count}, now=at)


@pytest.fixture
def vials(clinic_admin, location, registration, supplier, ketamine):
    receipt = receive(clinic_admin, location, supplier, ketamine)
    return list(Container.objects.filter(receipt=receipt).order_by("id"))


@pytest.fixture
def devices(clinic_admin, location, registration, supplier, spravato):
    receipt = receive(clinic_admin, location, supplier, spravato, count=3, lot="SPR-1")
    return list(Container.objects.filter(receipt=receipt).order_by("id"))


def witness_data(witness, secret=PASSWORD):
    return {"witness": witness.username, "witness_secret": secret}
