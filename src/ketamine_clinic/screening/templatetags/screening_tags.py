from django import template
from django.utils.html import format_html

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.screening import services
from ketamine_clinic.screening.views import OUTCOME_CLASS

register = template.Library()


@register.filter
def add_group(form, names: str):
    """``form|add_group:"a b c"``: the bound fields named, in order."""
    return [form[name] for name in names.split()]


@register.inclusion_tag("screening/_chart_card.html", takes_context=True)
def screening_chart_card(context, patient):
    """The chart's "Eligibility & consent" card: a handful of queries, no audit writes."""

    user = context["request"].user
    can_view = has_permission(user, "evaluation.view")
    can_witness = has_permission(user, "consent.witness")
    out = {"patient": patient, "can_view": can_view, "can_witness": can_witness,
           "can_edit": has_permission(user, "evaluation.edit")}
    if can_view:
        state = services.screening_state(patient)
        out["state"] = state
        out["rows"] = [(s, OUTCOME_CLASS.get(s.outcome, "")) for s in state.routes.values()]
        out["pending_report"] = services.open_reported_intake(patient)
    out["routes"] = [(r.value, r.label) for r in Route]
    return out


@register.filter
def words(code) -> str:
    """``no_response`` -> ``no response``."""
    return str(code or "").replace("_", " ")


@register.simple_tag
def chart_changes_for_board(rows, tz=None) -> dict:
    """``{% chart_changes_for_board rows tz as flags %}``: per session pk, what changed on the chart
    since the route's approval was signed (``may_treat`` then says no until a prescriber re-signs).
    One batch of queries for the whole board."""
    import zoneinfo

    from django.utils import timezone


    sessions = [r["session"] for r in rows]
    if not sessions:
        return {}
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz  # the board's location: its "today" (age)
    changes = services.chart_changes_many([(s.patient, s.route) for s in sessions], timezone.localdate(timezone=zone))
    return {s.pk: changes[(s.patient_id, Route(s.route))] for s in sessions if (s.patient_id, Route(s.route)) in changes}


@register.simple_tag
def chart_changed_strip(flags, key) -> str:
    """The alert strip for one board row, from ``chart_changes_for_board``; else nothing."""
    changes = flags.get(key) if flags else None
    if not changes:
        return ""
    return format_html('<p class="alert-strip" role="alert" data-testid="chart-changed">Chart changed since signed '
                       '({}): needs prescriber review.</p>', "; ".join(changes))
