from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def qty(value) -> str:
    """A Decimal quantity without trailing zeros: 35, 0.8, 12.5 (never rounded)."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f")


@register.simple_tag
def inventory_chart(user, patient) -> dict:
    """The chart section's data (see inventory.sections)."""
    from ketamine_clinic.inventory.sections import chart_context

    return chart_context(user, patient)


@register.simple_tag
def inventory_today(user) -> dict:
    from ketamine_clinic.inventory.sections import today_context

    return today_context(user)
