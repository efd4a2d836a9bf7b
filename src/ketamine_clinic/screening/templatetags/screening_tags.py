from django import template

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.clinical.routes import Route

register = template.Library()


@register.filter
def add_group(form, names: str):
    """``form|add_group:"a b c"``: the bound fields named, in order."""
    return [form[name] for name in names.split()]


@register.inclusion_tag("screening/_chart_card.html", takes_context=True)
def screening_chart_card(context, patient):
    """The chart's "Eligibility & consent" card: a handful of queries, no audit writes."""
    from ketamine_clinic.screening import services
    from ketamine_clinic.screening.views import OUTCOME_CLASS

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
