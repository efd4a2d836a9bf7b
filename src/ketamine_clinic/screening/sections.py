"""The screening section of the patient chart (registered in ``apps.py``; see ``core.sections``)."""

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core import batch

from . import services
from .views import OUTCOME_CLASS


@batch.reads
def chart_card_reads(request, patient) -> dict:
    """What the card shows, for ``core.batch`` (nothing for a role that only witnesses)."""
    return services.screening_reads(patient) if request.user.may("evaluation.view") else {}


def chart_card(request, patient) -> dict:
    """The "Eligibility & consent" card (or, for a role that only witnesses, the consent links):
    the evaluations, the chart facts the rules read, decisions, consents and REMS in a handful of
    queries, whatever their number; no audit writes."""
    user = request.user
    out = {"can_view": user.may("evaluation.view"), "can_witness": user.may("consent.witness"),
           "can_edit": user.may("evaluation.edit"), "routes": [(r.value, r.label) for r in Route]}
    if out["can_view"]:
        state = services.screening_state(patient)
        out["state"] = state
        out["rows"] = [(s, OUTCOME_CLASS.get(s.outcome, "")) for s in state.routes.values()]
        out["pending_report"] = services.open_reported_intake(patient)
    return out
