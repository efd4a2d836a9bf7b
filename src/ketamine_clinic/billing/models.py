"""Billing: the practice's identifiers, fee schedules, coverage, a visit's charge lines, invoices,
the payment ledger, good-faith estimates and prior authorizations.

Money is Decimal with 2 places in US dollars (``*_usd``). Nothing is updated in place or deleted:
identifiers and fee schedules are new versions, a line edit replaces the line with a new row that
names the reason, and every payment, refund or adjustment is a new ledger entry.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.core.immutable import Immutable, NeverDeleted, NoBulkChangeQuerySet

from .rules.propose import Payer

MONEY = {"max_digits": 12, "decimal_places": 2}
CURRENCY = "USD"


class PracticeProfile(Immutable):
    """One version of the practice's billing identity (newest in force): name, TIN, NPI (type 2)."""
    objects = NoBulkChangeQuerySet.as_manager()

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    legal_name = models.CharField(max_length=200)
    tin = models.CharField("TIN / EIN", max_length=10)
    npi = models.CharField("Organization NPI (type 2)", max_length=10, blank=True)
    address = models.CharField(max_length=300)
    phone = models.CharField(max_length=40)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "version"], name="practice_profile_version")]
        ordering = ["-version"]


class ProviderNumbers(Immutable):
    """One version of a rendering provider's identifiers (newest in force): NPI (type 1), licence."""
    objects = NoBulkChangeQuerySet.as_manager()

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    npi = models.CharField("NPI (type 1)", max_length=10)
    license_number = models.CharField(max_length=40)
    license_state = models.CharField(max_length=2)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "version"], name="provider_numbers_version")]
        ordering = ["-version"]


class FeeSchedule(Immutable):
    """One version of a clinic's prices (immutable); the newest version effective on a date applies."""
    objects = NoBulkChangeQuerySet.as_manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "version"], name="fee_schedule_version")]
        ordering = ["-version"]


class FeeItem(Immutable):
    """A price per unit of a code (per mg for drug codes such as J0013 and J3490), with modifier and NDC."""
    objects = NoBulkChangeQuerySet.as_manager()

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(max_length=8)
    modifier = models.CharField(max_length=2, blank=True)
    price_usd = models.DecimalField(**MONEY)
    ndc = models.CharField("NDC (11 digits)", max_length=11, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "code", "modifier"], name="fee_item_once")]
        ordering = ["code", "modifier"]


class Coverage(Immutable):
    """Who pays for a patient's care over a period: a payer plan, or self-pay (an explicit kind)."""
    MUTABLE_FIELDS = frozenset({"status", "status_reason"})  # marked entered in error, with why
    objects = NoBulkChangeQuerySet.as_manager()

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENTERED_IN_ERROR = "entered-in-error", "Entered in error"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="coverages")
    kind = models.CharField(max_length=12, choices=[(p.value, p.value.replace("_", "-").capitalize()) for p in Payer])
    payer_name = models.CharField(max_length=150, blank=True)
    plan_name = models.CharField(max_length=150, blank=True)
    member_id = models.CharField(max_length=40, blank=True)
    subscriber_name = models.CharField(max_length=150, blank=True)
    subscriber_relationship = models.CharField(max_length=20, blank=True)  # self | spouse | child | other
    in_network = models.BooleanField(null=True, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-id"]

    @property
    def is_self_pay(self) -> bool:
        return self.kind == Payer.SELF_PAY

    def covers(self, day) -> bool:
        return (self.status == self.Status.ACTIVE and self.effective_from <= day
                and (self.effective_to is None or day <= self.effective_to))


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "To review"
    FINALIZED = "finalized", "Finalized"


class BillableVisit(NeverDeleted):
    """The billing side of one completed visit (a treatment session or an intake evaluation): its
    diagnoses, payer and charge lines."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="billable_visits")
    session = models.OneToOneField("treatments.TreatmentSession", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="billable_visit")
    evaluation = models.OneToOneField("screening.IntakeEvaluation", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="billable_visit")
    service_date = models.DateField()
    place_of_service = models.CharField(max_length=2, default="11")
    rendering_provider = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    payer = models.CharField(max_length=12)
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    established_patient = models.BooleanField(default=True)
    clinician_minutes = models.PositiveIntegerField(null=True, blank=True)
    psychotherapy_minutes = models.PositiveIntegerField(null=True, blank=True)
    diagnosis_codes = models.JSONField(default=list)  # ICD-10-CM, in claim order (pointer A = first)
    notes = models.JSONField(default=list)  # what the rules left to the biller
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finalized_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    finalized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-service_date", "-id"]

    @property
    def is_final(self) -> bool:
        return self.status == VisitStatus.FINALIZED

    def active_lines(self):
        return self.lines.filter(status=ChargeLine.Status.ACTIVE).order_by("position", "id")


class ChargeLine(Immutable):
    MUTABLE_FIELDS = frozenset({"status", "reason"})  # replaced or removed while the visit is a draft
    objects = NoBulkChangeQuerySet.as_manager()
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REPLACED = "replaced", "Replaced by an edit"
        REMOVED = "removed", "Removed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(BillableVisit, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=8)
    modifiers = models.CharField(max_length=11, blank=True)  # "25" or "25,59"
    units = models.PositiveIntegerField(default=1)
    drug_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    ndc = models.CharField(max_length=11, blank=True)
    diagnosis_pointers = models.CharField(max_length=4, default="A")  # letters into visit.diagnosis_codes
    unit_price_usd = models.DecimalField(**MONEY, null=True, blank=True)  # from the fee schedule; None = no price
    charge_usd = models.DecimalField(**MONEY, default=0)
    rule = models.CharField(max_length=300, blank=True)
    sources = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    reason = models.CharField(max_length=300, blank=True)  # why the biller edited, added or removed it
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    @property
    def modifier_list(self) -> list[str]:
        return [m for m in self.modifiers.split(",") if m]


class Invoice(Immutable):
    """A bill to the patient for one finalized visit. The total is fixed; the ledger moves the balance."""
    objects = NoBulkChangeQuerySet.as_manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField()
    visit = models.OneToOneField(BillableVisit, on_delete=models.PROTECT, related_name="invoice")
    total_usd = models.DecimalField(**MONEY)
    estimate = models.ForeignKey("GoodFaithEstimate", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    billed_to_date_usd = models.DecimalField(**MONEY, null=True, blank=True)  # vs the estimate, for the $400 rule
    dispute_notice = models.BooleanField(default=False)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="invoice_number_per_org")]
        ordering = ["-issued_at", "-id"]


class LedgerEntry(Immutable):
    """A payment, refund or adjustment: append-only; a correction is another entry."""
    objects = NoBulkChangeQuerySet.as_manager()

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    class Method(models.TextChoices):
        CARD = "card", "Card (processor reference)"
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        HSA_FSA = "hsa_fsa", "HSA / FSA card"
        NONE = "", "—"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="ledger_entries")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    # Payment and refund amounts are positive; an adjustment is signed (negative lowers the balance).
    amount_usd = models.DecimalField(**MONEY)
    is_credit = models.BooleanField(default=False)  # a payment beyond the balance, kept as a credit
    reference = models.CharField(max_length=80, blank=True)  # processor reference or check number, never card data
    reason = models.CharField(max_length=300, blank=True)
    receipt_number = models.CharField(max_length=30, unique=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    @property
    def balance_effect_usd(self):
        """How this entry moves the invoice balance."""
        if self.kind == self.Kind.PAYMENT:
            return -self.amount_usd
        if self.kind == self.Kind.REFUND:
            return self.amount_usd
        return self.amount_usd


class GoodFaithEstimate(Immutable):
    """One issued version of a patient's good-faith estimate (45 CFR 149.610): a frozen snapshot of
    every required element, kept as part of the record and reprinted from it."""
    objects = NoBulkChangeQuerySet.as_manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="estimates")
    plan = models.ForeignKey("plans.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    total_usd = models.DecimalField(**MONEY)
    period_start = models.DateField()
    period_end = models.DateField()
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "version"], name="estimate_version_per_patient")]
        ordering = ["-issued_at", "-id"]


class EstimateDue(NeverDeleted):
    """A good-faith estimate owed to a self-pay patient: from scheduling or a request, with its deadline."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="estimates_due")
    plan = models.ForeignKey("plans.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested = models.BooleanField(default=False)  # the patient asked (else: scheduling)
    asked_on = models.DateField()
    service_on = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    fulfilled_by = models.ForeignKey(GoodFaithEstimate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]


class PriorAuthorization(Immutable):
    """A payer's authorization for codes and units over dates; units used are counted from finalized lines."""
    objects = NoBulkChangeQuerySet.as_manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="prior_authorizations")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payer_name = models.CharField(max_length=150)
    number = models.CharField(max_length=50)
    codes = models.JSONField(default=list)
    units_approved = models.PositiveIntegerField()
    start_on = models.DateField()
    end_on = models.DateField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["end_on", "id"]


class PaymentPlan(Immutable):
    """An invoice's balance in instalments: no interest, no fees; at most 4 unless the clinic's
    setting allows more (Reg Z, shared/PRACTICE.md s.2.5). Fixed once made; payments are ledger entries."""
    objects = NoBulkChangeQuerySet.as_manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="payment_plans")
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="payment_plan")
    total_usd = models.DecimalField(**MONEY)
    instalments = models.JSONField()  # [{"due_on": "YYYY-MM-DD", "amount_usd": "125.00"}, ...]
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class BenefitsCheck(Immutable):
    """The answer of one eligibility and benefits check (shaped after X12 270/271: service type codes
    asked, active coverage, the mental-health benefit, copay, coinsurance, deductible left)."""
    objects = NoBulkChangeQuerySet.as_manager()

    class Method(models.TextChoices):
        PHONE = "phone", "Phone call to the payer"
        PORTAL = "portal", "Payer portal"
        CLEARINGHOUSE = "clearinghouse", "Clearinghouse (270/271)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="benefits_checks")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="benefits_checks")
    service_type_codes = models.JSONField(default=list)  # X12 EB03, e.g. ["30", "MH"]
    method = models.CharField(max_length=14, choices=Method.choices)
    reference = models.CharField(max_length=80, blank=True)  # call reference or 271 trace number
    coverage_active = models.BooleanField(null=True)
    mental_health_covered = models.BooleanField(null=True)
    copay_usd = models.DecimalField(**MONEY, null=True, blank=True)
    coinsurance_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    deductible_remaining_usd = models.DecimalField(**MONEY, null=True, blank=True)
    answer = models.CharField(max_length=1000, blank=True)  # what the payer said, in words
    checked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at", "-id"]
