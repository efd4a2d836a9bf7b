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


@register.simple_tag
def session_stock(user, session) -> dict:
    """For the session screen: the session's draws with what is still open, and the containers in
    stock at its location (offered in the dose form's container field)."""
    from ketamine_clinic.accounts.permissions import has_permission
    from ketamine_clinic.inventory.services import reads, session_day
    from ketamine_clinic.inventory.services.draws import draw_open_quantity

    if not has_permission(user, "inventory.view"):
        return {"visible": False}
    draws = [(d, draw_open_quantity(d)) for d in session_day.session_draws(session)]
    in_stock = reads.containers_for(user, location=session.location) if has_permission(user, "inventory.administer") else []
    return {"visible": True, "draws": draws, "in_stock": in_stock}
