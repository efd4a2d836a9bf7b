"""An optional card processor behind a small interface. No card data is ever stored here: the
processor receives a one-time token from its own payment page and returns its reference.

Configure with ``BILLING_PAYMENT_PROCESSOR = "dotted.path.Class"``; without it, card payments are
recorded with the reference of the clinic's own terminal.
"""

from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class ProcessorError(Exception):
    pass


class PaymentProcessor(Protocol):
    def capture(self, *, amount_usd: Decimal, token: str, description: str) -> str:
        """Charge the tokenized card; return the processor's reference, or raise ProcessorError."""

    def refund(self, *, amount_usd: Decimal, reference: str) -> str:
        """Refund part or all of an earlier capture; return the refund's reference."""


def configured_processor() -> PaymentProcessor | None:
    path = getattr(settings, "BILLING_PAYMENT_PROCESSOR", "")
    return import_string(path)() if path else None
