from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def qty(value) -> str:
    """A Decimal quantity without trailing zeros: 35, 0.8, 12.5 (never rounded)."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f")

