"""The controlled-substance record: products, suppliers, registered locations, receipts,
containers (each vial or device with its own id), the append-only ledger, draws, counts,
discrepancies and the DEA deadlines they start.

No balance is stored anywhere: a container's or a location's balance is the sum of its ledger
events (``rules.ledger``). Ledger events and count lines are never updated or deleted; a mistake
is corrected by a new event pointing at the one it corrects.
"""

import secrets
import uuid
from decimal import Decimal

from django.db import models
from django.utils import timezone

from ketamine_clinic.core.immutable import Immutable, NeverDeleted, NoBulkChangeQuerySet

from .rules.ledger import LABELS, EventType


class AppendOnlyQuerySet(NoBulkChangeQuerySet):
    message = "Ledger rows are append-only: record a correcting event instead."


class AppendOnly(Immutable):
    """Rows are inserted once, never changed or deleted (``core.immutable``)."""

    changed_message = "{name} rows are append-only: record a correcting event instead."
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True


class ProductForm(models.TextChoices):
    VIAL = "vial", "Injectable solution, vial"
    NASAL_DEVICE = "nasal_device", "Nasal spray device"


class Product(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="cs_products")
    name = models.CharField(max_length=120, help_text="e.g. Ketamine HCl; Spravato (esketamine)")
    ndc = models.CharField(max_length=13, help_text="11-digit 5-4-2")
    form = models.CharField(max_length=20, choices=ProductForm.choices)
    concentration_mg_per_ml = models.DecimalField(max_digits=8, decimal_places=2)
    container_volume_ml = models.DecimalField(max_digits=8, decimal_places=3)
    schedule = models.CharField(max_length=4, default="CIII")
    multi_dose = models.BooleanField(default=False, help_text="Multi-dose vial: opened date and beyond-use date apply")
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                    help_text="Purchase value of one container (for Form 106)")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "ndc"], name="cs_product_ndc_unique_per_org")]
        ordering = ["name", "ndc"]

    def __str__(self) -> str:
        return f"{self.name} {self.concentration_mg_per_ml} mg/mL, {self.container_volume_ml} mL ({self.ndc})"

    @property
    def container_mg(self):
        return (self.concentration_mg_per_ml * self.container_volume_ml).quantize(Decimal("0.0001"))

    @property
    def is_device(self) -> bool:
        return self.form == ProductForm.NASAL_DEVICE


class Supplier(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="cs_suppliers")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    dea_number = models.CharField(max_length=9)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "dea_number"], name="cs_supplier_dea_unique_per_org")]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.dea_number})"


class Registration(models.Model):
    """A location's DEA registration: stock is received and held only at a registered location."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.OneToOneField("accounts.Location", on_delete=models.PROTECT, related_name="dea_registration")
    registrant_name = models.CharField(max_length=200)
    dea_number = models.CharField(max_length=9)
    expires_on = models.DateField(null=True, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.location.name}: {self.dea_number}"


class Receipt(AppendOnly):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="receipts")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="receipts")
    invoice_number = models.CharField(max_length=60)
    received_on = models.DateField(help_text="The date actually received, not the invoice date")
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    container_count = models.PositiveIntegerField()
    received_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]


def new_container_label() -> str:
    """A short opaque label printed on the vial: "CS-" and 8 characters without look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "CS-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Container(NeverDeleted):
    """One vial or device. Its location moves with transfers (each one a pair of ledger events);
    its balance is never stored. ``opened_on`` is set once, at the first draw from a multi-dose vial."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    label = models.CharField(max_length=20, unique=True, default=new_container_label)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="containers")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="containers")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    opened_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["expiry_date", "label"]

    def __str__(self) -> str:
        return self.label


class LedgerEvent(AppendOnly):
    """One line of the controlled-substance record (1304.22(c) fields as they apply)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="events")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=24, choices=[(t.value, LABELS[t]) for t in EventType])
    quantity_mg = models.DecimalField(max_digits=13, decimal_places=4)
    quantity_ml = models.DecimalField(max_digits=13, decimal_places=4)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=120, blank=True, help_text="Manner of disposal (waste, destruction)")
    corrects = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction")
    draw = models.ForeignKey("Draw", on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    patient_name = models.CharField(max_length=250, blank=True, help_text="Snapshot at the time of the event")
    patient_address = models.CharField(max_length=400, blank=True, help_text="Snapshot at the time of the event")
    transfer_peer = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(max_length=120, blank=True, help_text="Invoice, Form 41, police report, session")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["organization", "location", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.quantity_mg} mg {self.container.label}"


class Draw(AppendOnly):
    """Drug drawn from a container into a syringe (or a device taken) for one patient. Its
    administered, wasted and returned events point at it; it is closed when they add up to it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="draws")
    event = models.OneToOneField(LedgerEvent, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("treatments.TreatmentSession", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="cs_draws")
    drawn_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["drawn_at", "id"]


class CountTiming(models.TextChoices):
    OPENING = "opening", "Opening of business"
    CLOSE = "close", "Close of business"


class CountKind(models.TextChoices):
    ROUTINE = "routine", "Routine count"
    DAILY = "daily", "Daily count"
    INITIAL = "initial", "Initial inventory"
    BIENNIAL = "biennial", "Biennial inventory"


class Count(AppendOnly):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=CountKind.choices, default=CountKind.ROUTINE)
    timing = models.CharField(max_length=10, choices=CountTiming.choices)
    counted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    counted_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-counted_at", "-id"]


class CountLine(AppendOnly):
    count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    expected_mg = models.DecimalField(max_digits=13, decimal_places=4)
    expected_ml = models.DecimalField(max_digits=13, decimal_places=4)
    counted_ml = models.DecimalField(max_digits=13, decimal_places=4)
    counted_mg = models.DecimalField(max_digits=13, decimal_places=4)
    estimated = models.BooleanField(default=False, help_text="An estimated measure of an opened container (1304.11)")

    class Meta:
        ordering = ["id"]

    @property
    def difference_ml(self):
        return self.counted_ml - self.expected_ml


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Discrepancy(NeverDeleted):
    """A count that differs from the derived balance (or a reported theft). Needs an explanation
    and a significant-loss assessment; a reportable one starts the DEA deadlines."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="discrepancies")
    count_line = models.OneToOneField(CountLine, on_delete=models.PROTECT, null=True, blank=True, related_name="discrepancy")
    difference_mg = models.DecimalField(max_digits=13, decimal_places=4)
    difference_ml = models.DecimalField(max_digits=13, decimal_places=4)
    discovered_on = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN)
    explanation = models.CharField(max_length=1000, blank=True)
    theft = models.BooleanField(default=False)
    factors = models.JSONField(default=dict, blank=True)
    judged_significant = models.BooleanField(default=False)
    significant = models.BooleanField(default=False)
    must_report = models.BooleanField(default=False)
    assessment_text = models.CharField(max_length=300, blank=True)
    resolution_event = models.OneToOneField(LedgerEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]


class DeadlineKind(models.TextChoices):
    WRITTEN_NOTICE = "written_notice", "Written notice to the DEA Field Division (1 business day)"
    FORM_106 = "form_106", "DEA Form 106 filed online (45 days)"


class Deadline(NeverDeleted):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["discrepancy", "kind"], name="cs_deadline_once_per_kind")]
