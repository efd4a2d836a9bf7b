"""Products, suppliers and DEA registrations of a clinic's locations (clinic admins)."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action

from ..models import Product, ProductForm, Registration, Supplier
from ..rules.dea import dea_number_problem, normalize_dea_number
from ..rules.ndc import normalize_ndc
from ._common import audit, date_field, invalid, our_location, text


def _positive_decimal(data: dict, field: str, places: int, unit: str, *, required: bool = True) -> Decimal | None:
    raw = data.get(field)
    if raw in (None, ""):
        if required:
            raise invalid(field, f"Enter a number of {unit}.")
        return None
    if isinstance(raw, (bool, float)):
        raise invalid(field, f"Enter a decimal number of {unit}.")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise invalid(field, f"Enter a decimal number of {unit}.") from None
    if not value.is_finite() or value <= 0 or value >= 100000:
        raise invalid(field, f"Enter a number of {unit} above 0 and under 100000.")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise invalid(field, f"At most {places} decimals.")
    return value


def _dea_number(data: dict, field: str) -> str:
    value = normalize_dea_number(text(data, field, max_chars=9, label="the DEA number"))
    problem = dea_number_problem(value)
    if problem:
        raise invalid(field, problem)
    return value


def create_product(ctx, data: dict) -> Product:
    require(ctx.user, "inventory.receive")
    org = ctx.user.organization
    form = str(data.get("form") or "")
    if form not in ProductForm.values:
        raise invalid("form", "Choose vial or nasal spray device.")
    try:
        ndc = normalize_ndc(str(data.get("ndc") or ""))
    except ValueError as exc:
        raise invalid("ndc", str(exc)) from None
    fields = {
        "name": text(data, "name", max_chars=120, label="the product name"),
        "ndc": ndc,
        "form": form,
        "concentration_mg_per_ml": _positive_decimal(data, "concentration_mg_per_ml", 2, "mg/mL"),
        "container_volume_ml": _positive_decimal(data, "container_volume_ml", 3, "mL"),
        "multi_dose": bool(data.get("multi_dose")) and form == ProductForm.VIAL,
        "unit_cost": _positive_decimal(data, "unit_cost", 2, "dollars", required=False),
    }
    if Product.objects.filter(organization=org, ndc=ndc).exists():
        raise invalid("ndc", "Your clinic already has a product with this NDC.")
    try:
        with transaction.atomic():
            product = Product.objects.create(organization=org, **fields)
            audit(ctx, Action.INVENTORY_PRODUCT_CREATE, product, {"name": product.name, "ndc": ndc})
    except IntegrityError:
        raise invalid("ndc", "Your clinic already has a product with this NDC.") from None
    return product


def create_supplier(ctx, data: dict) -> Supplier:
    require(ctx.user, "inventory.receive")
    org = ctx.user.organization
    fields = {
        "name": text(data, "name", max_chars=200, label="the supplier's name"),
        "address": text(data, "address", max_chars=300, label="the supplier's address"),
        "dea_number": _dea_number(data, "dea_number"),
    }
    if Supplier.objects.filter(organization=org, dea_number=fields["dea_number"]).exists():
        raise invalid("dea_number", "Your clinic already has a supplier with this DEA number.")
    try:
        with transaction.atomic():
            supplier = Supplier.objects.create(organization=org, **fields)
            audit(ctx, Action.INVENTORY_SUPPLIER_CREATE, supplier, {"name": supplier.name, "dea_number": supplier.dea_number})
    except IntegrityError:
        raise invalid("dea_number", "Your clinic already has a supplier with this DEA number.") from None
    return supplier


def register_location(ctx, data: dict) -> Registration:
    """Record (or replace) the DEA registration of one of the clinic's locations."""
    require(ctx.user, "inventory.receive")
    location = our_location(ctx.user.organization, data.get("location"), "location")
    fields = {
        "registrant_name": text(data, "registrant_name", max_chars=200, label="the registrant's name"),
        "dea_number": _dea_number(data, "dea_number"),
        "expires_on": date_field(data, "expires_on", required=False),
    }
    with transaction.atomic():
        registration, created = Registration.objects.select_for_update().update_or_create(location=location, defaults=fields)
        audit(ctx, Action.INVENTORY_REGISTRATION_CREATE if created else Action.INVENTORY_REGISTRATION_CHANGE, registration,
              {"location": location.name, "dea_number": fields["dea_number"]})
    return registration
