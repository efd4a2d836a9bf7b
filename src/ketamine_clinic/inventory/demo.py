"""Demo controlled-substance record for the Riverbend clinic, built through the services: both
locations registered, ketamine vials and Spravato devices received, one vial moved to Northside,
doses drawn, given and the remainder wasted with a witness, and a close-of-business count with a
small discrepancy left open for the clinic admin to assess."""

import datetime as dt

from django.utils import timezone

from ketamine_clinic.audit.services import Context

from . import services
from .models import Container


def seed_inventory(admin, prescriber, nurse, locations, patients, password: str) -> None:
    a_ctx, n_ctx = Context(user=admin, source_ip="127.0.0.1"), Context(user=nurse, source_ip="127.0.0.1")
    now = timezone.now()
    downtown, north = locations[0], locations[1]
    for location, dea in ((downtown, "FR1234563"), (north, "FR7654329")):
        services.register_location(a_ctx, {"location": location.public_id, "registrant_name": "Riverbend Ketamine Clinic PC",
                                           "dea_number": dea})
    supplier = services.create_supplier(a_ctx, {"name": "Empire Medical Supply", "address": "300 Commerce Way, Albany, NY 12205",
                                                "dea_number": "RE2468139"})
    ketamine = services.create_product(a_ctx, {"name": "Ketamine HCl", "ndc": "0409-2051-05", "form": "vial",
                                               "concentration_mg_per_ml": "50", "container_volume_ml": "10", "multi_dose": True,
                                               "unit_cost": "12.40"})
    spravato = services.create_product(a_ctx, {"name": "Spravato (esketamine)", "ndc": "50458-028-02", "form": "nasal_device",
                                               "concentration_mg_per_ml": "140", "container_volume_ml": "0.2", "unit_cost": "295.00"})
    received_at = now - dt.timedelta(days=12)
    vials = _receive(a_ctx, downtown, supplier, ketamine, 4, "KX2231", received_at, days_to_expiry=400)
    _receive(a_ctx, downtown, supplier, spravato, 6, "SPR5510", received_at, days_to_expiry=300)
    services.transfer(a_ctx, {"container": vials[3].label, "to_location": north.public_id, "reason": "Northside stock"},
                      now=received_at + dt.timedelta(hours=2))

    witness = {"witness": prescriber.username, "witness_secret": password}
    for days_ago, patient in zip((10, 7, 3), patients[:3]):
        at = now - dt.timedelta(days=days_ago)
        drawn = services.draw(n_ctx, {"container": vials[0].label, "patient": patient.public_id, "quantity_ml": "0.8"}, now=at)
        services.administer(n_ctx, {"draw": drawn.public_id, "quantity_mg": "35"}, now=at + dt.timedelta(minutes=40))
        services.waste(n_ctx, {"draw": drawn.public_id, "quantity_mg": "5", **witness}, now=at + dt.timedelta(minutes=45))
    counted_at = now - dt.timedelta(days=1)
    lines = {c.label: "10" for c in Container.objects.filter(location=downtown).select_related("product") if c.product.pk == ketamine.pk}
    lines |= {c.label: "0.2" for c in Container.objects.filter(location=downtown, product=spravato)}
    lines[vials[0].label] = "7.55"  # the ledger says 7.6 mL: a 0.05 mL discrepancy to explain
    lines.pop(vials[3].label, None)
    services.record_count(a_ctx, {"location": downtown.public_id, "timing": "close", "kind": "routine", "lines": lines,
                                  "note": "Weekly count"}, now=counted_at)


def _receive(ctx, location, supplier, product, count: int, lot: str, at, *, days_to_expiry: int) -> list:
    received_on = timezone.localtime(at, location.tz).date()
    receipt = services.receive(ctx, {"location": location.public_id, "supplier": supplier.public_id, "product": product.public_id,
                                     "invoice_number": f"EMS-{lot}", "received_on": received_on.isoformat(), "lot_number": lot,
                                     "expiry_date": (received_on + dt.timedelta(days=days_to_expiry)).isoformat(),
                                     "container_count": count}, now=at)
    return list(receipt.containers.order_by("id"))
