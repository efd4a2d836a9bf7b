"""Schemas of the billing API (money in US dollars as decimal strings)."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

MONEY = "US dollars, at most 2 decimals (e.g. \"125.00\")"


class BillingCodeOut(Schema):
    code: str
    system: str
    display: str
    kind: str
    rule: str
    add_on: bool
    per_mg: bool
    needs_ndc: bool
    max_units: int | None
    verify: bool
    sources: list[str]


class FeeItemIn(Schema):
    code: str
    modifier: str = ""
    price_usd: Decimal = Field(description=MONEY + "; per mg for J0013 and J3490")
    ndc: str = ""


class FeeScheduleIn(Schema):
    effective_from: dt.date
    reason: str
    items: list[FeeItemIn]


class FeeItemOut(Schema):
    code: str
    modifier: str
    price_usd: Decimal
    ndc: str


class FeeScheduleOut(Schema):
    id: UUID
    version: int
    effective_from: dt.date
    reason: str
    items: list[FeeItemOut]


class PracticeIn(Schema):
    legal_name: str
    tin: str = Field(description="9 digits (EIN)")
    npi: str = Field("", description="Organization NPI (type 2), 10 digits; optional")
    address: str
    phone: str
    reason: str = ""


class PracticeOut(Schema):
    version: int
    legal_name: str
    tin: str
    npi: str
    address: str
    phone: str


class ProviderNumbersIn(Schema):
    npi: str = Field(description="Type 1 NPI, 10 digits")
    license_number: str
    license_state: str = Field(description="Two-letter state code")


class ProviderNumbersOut(Schema):
    provider: str
    version: int
    npi: str
    license_number: str
    license_state: str


class CoverageIn(Schema):
    kind: str = Field(description="self_pay | commercial | medicare | medicaid | other (self-pay is explicit)")
    payer_name: str = ""
    plan_name: str = ""
    member_id: str = ""
    subscriber_name: str = ""
    subscriber_relationship: str = Field("", description="self | spouse | child | other")
    in_network: bool | None = None
    effective_from: dt.date
    effective_to: dt.date | None = None


class CoverageOut(Schema):
    id: UUID
    kind: str
    payer_name: str
    plan_name: str
    member_id: str
    subscriber_name: str
    subscriber_relationship: str
    in_network: bool | None
    effective_from: dt.date
    effective_to: dt.date | None
    status: str


class CoverageErrorIn(Schema):
    reason: str


class ProposeLinesIn(Schema):
    clinician_minutes: int | None = Field(None, description="The licensed clinician's active time (not observation)")
    psychotherapy_minutes: int | None = Field(None, description="Empty = the sum of the signed notes' psychotherapy "
                                              "minutes; a different number is an override and needs psychotherapy_reason")
    psychotherapy_reason: str = Field("", description="Why the billed psychotherapy minutes differ from the signed notes")
    established: bool | None = Field(None, description="Empty = read from the record (an earlier visit at this clinic)")
    separate_em: bool = Field(False, description="A separately identifiable E/M today (esketamine, Medicare)")


class ChargeLineIn(Schema):
    version: int = Field(description="The visit version you read; a stale version is refused with 409")
    code: str
    units: Decimal = Field(Decimal("1"), description="Whole units")
    drug_mg: Decimal | None = Field(None, description="mg given (J3490)")
    modifiers: str = Field("", description="Comma-separated, e.g. 25")
    diagnosis_pointers: str = Field(description="Letters into the visit's diagnosis list, e.g. AB")
    ndc: str = ""
    reason: str


class LineRemoveIn(Schema):
    version: int
    reason: str


class FinalizeIn(Schema):
    version: int


class ChargeLineOut(Schema):
    id: UUID
    position: int
    code: str
    display: str
    modifiers: str
    units: int
    drug_mg: Decimal | None
    ndc: str
    diagnosis_pointers: str
    unit_price_usd: Decimal | None
    charge_usd: Decimal
    rule: str
    sources: list[str]
    reason: str


class VisitOut(Schema):
    id: UUID
    patient_id: UUID
    session_id: UUID | None
    service_date: dt.date
    place_of_service: str
    rendering_provider: str
    payer: str
    established_patient: bool
    clinician_minutes: int | None
    psychotherapy_minutes: int | None
    diagnosis_codes: list[str]
    notes: list[str]
    status: str = Field(description="draft | finalized")
    version: int
    total_usd: Decimal
    lines: list[ChargeLineOut]


class IssueInvoiceIn(Schema):
    acknowledge_dispute_notice: bool = Field(False, description="Required when the bill is $400+ above the estimate")


class LedgerEntryOut(Schema):
    id: UUID
    kind: str
    method: str
    amount_usd: Decimal
    is_credit: bool
    reference: str
    reason: str
    receipt_number: str
    recorded_at: dt.datetime


class InstalmentOut(Schema):
    due_on: dt.date
    amount_usd: Decimal
    state: str = Field(description="paid | due | overdue")


class PaymentPlanIn(Schema):
    instalments: int = Field(description="At most 4 unless the clinic allows more (Truth in Lending)")
    first_due_on: dt.date | None = None


class BenefitsCheckIn(Schema):
    service_type_codes: list[str] = Field(default_factory=lambda: ["30", "MH"], description="X12 service type codes")
    method: str = Field(description="phone | portal | clearinghouse")
    reference: str = ""
    coverage_active: bool | None = None
    mental_health_covered: bool | None = None
    copay_usd: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    deductible_remaining_usd: Decimal | None = None
    answer: str


class BenefitsCheckOut(Schema):
    id: UUID
    coverage_id: UUID
    service_type_codes: list[str]
    method: str
    reference: str
    coverage_active: bool | None
    mental_health_covered: bool | None
    copay_usd: Decimal | None
    coinsurance_percent: Decimal | None
    deductible_remaining_usd: Decimal | None
    answer: str
    checked_by: str
    checked_at: dt.datetime


class InvoiceOut(Schema):
    id: UUID
    number: int
    patient_id: UUID
    visit_id: UUID
    total_usd: Decimal
    paid_usd: Decimal
    balance_usd: Decimal
    dispute_notice: bool
    issued_at: dt.datetime
    entries: list[LedgerEntryOut]
    payment_plan: list[InstalmentOut] | None


class PaymentEntryIn(Schema):
    method: str = Field(description="card | cash | check | hsa_fsa")
    amount_usd: Decimal = Field(description=MONEY)
    reference: str = Field("", description="Terminal/processor reference or check number; never a card number")
    token: str = Field("", description="A one-time token from the configured processor's payment page")
    is_credit: bool = Field(False, description="Keep an amount beyond the balance as a credit")


class RefundEntryIn(Schema):
    method: str
    amount_usd: Decimal = Field(description=MONEY)
    reference: str = Field("", description="With through_processor: the processor's reference of the payment")
    through_processor: bool = Field(False, description="Refund through the configured card processor")
    reason: str


class AdjustmentEntryIn(Schema):
    amount_usd: Decimal = Field(description=MONEY + "; negative lowers the balance")
    reason: str


class ExtraItemIn(Schema):
    code: str
    units: int = 1
    quantity: int = 1


class EstimateIn(Schema):
    plan: UUID | None = Field(None, description="A treatment plan of this patient")
    provider: UUID | None = Field(None, description="Convening provider (default: the plan's prescriber)")
    period_start: dt.date | None = None
    period_end: dt.date | None = Field(None, description="At most 12 months after the start")
    frequency: str = ""
    separately_scheduled: str = ""
    extra_items: list[ExtraItemIn] = []


class EstimateOut(Schema):
    id: UUID
    version: int
    total_usd: Decimal
    period_start: dt.date
    period_end: dt.date
    issued_at: dt.datetime
    content: dict


class EstimateDueIn(Schema):
    requested: bool = Field(False, description="The patient asked (else: a service was scheduled)")
    asked_on: dt.date | None = None
    service_on: dt.date | None = None


class EstimateDueOut(Schema):
    id: UUID
    requested: bool
    asked_on: dt.date
    service_on: dt.date | None
    due_on: dt.date
    fulfilled: bool


class PriorAuthIn(Schema):
    payer_name: str
    number: str
    codes: list[str]
    units_approved: int
    start_on: dt.date
    end_on: dt.date


class PriorAuthOut(Schema):
    id: UUID
    payer_name: str
    number: str
    codes: list[str]
    units_approved: int
    units_used: int
    units_left: int
    units_booked: int = Field(description="Dosing sessions booked from today to the end date, not yet billed")
    start_on: dt.date
    end_on: dt.date
    warnings: list[str]


class PatientBalanceOut(Schema):
    patient_id: UUID
    balance_usd: Decimal
    invoices: list[InvoiceOut]
