"""Choices the billing pages offer (the services validate every value)."""

from .models import LedgerEntry
from .rules.propose import Payer

PAYER_CHOICES = [(Payer.SELF_PAY.value, "Self-pay (no insurance claim)"), (Payer.COMMERCIAL.value, "Commercial"),
                 (Payer.MEDICARE.value, "Medicare"), (Payer.MEDICAID.value, "Medicaid"), (Payer.OTHER.value, "Other")]
METHOD_CHOICES = [(m.value, m.label) for m in LedgerEntry.Method if m.value]
