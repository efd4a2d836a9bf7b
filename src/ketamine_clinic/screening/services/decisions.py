"""Eligibility decisions: a prescriber signs approve or decline per route on the current evaluation."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.eligibility import Evaluation, Level, Outcome, RouteDecision
from ketamine_clinic.clinical.eligibility.chart import describe_fact, new_safety_facts, safety_facts
from ketamine_clinic.clinical.eligibility.engine import SEVERITY as OUTCOME_SEVERITY
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.patients.models import Patient

from .. import forms as sforms
from ..policy import min_override_reason_chars
from ..models import EligibilityDecision, IntakeEvaluation
from ._common import _timeline, _validate
from .evaluations import chart_eligibility, current_evaluation



def decisions_for(ctx: Context, patient: Patient):
    require(ctx.user, "evaluation.view")
    return patient.eligibility_decisions.select_related("signed_by", "evaluation").order_by("route", "-version")


def current_decisions(patient: Patient, evaluation: IntakeEvaluation | None = None) -> dict[Route, EligibilityDecision]:
    """The latest signed decision per route on the current evaluation (decisions on a superseded
    evaluation no longer count)."""
    evaluation = evaluation or current_evaluation(patient)
    if evaluation is None or not evaluation.is_current:
        return {}
    qs = EligibilityDecision.objects.filter(evaluation=evaluation, superseded_at__isnull=True).select_related("signed_by")
    return {Route(d.route): d for d in qs}


def chart_changes_since_signed(signed: EligibilityDecision, now: RouteDecision, merged: Evaluation) -> list[str]:
    """What changed, on the chart read by the rules, since ``signed`` approved its route: a safety
    fact not recorded then (a new interacting drug class, a contraindicating diagnosis, pregnancy,
    an allergy to ketamine, age), a rule that fires now and did not then (prerequisites aside), or a
    more severe outcome. Empty for a decline (already a stop) and when nothing that matters changed."""
    if signed.decision != EligibilityDecision.Decision.APPROVE:
        return []
    changes = []
    if signed.chart_facts is not None:
        changes += [describe_fact(f) for f in new_safety_facts(signed.chart_facts, safety_facts(merged))]
    before = set(signed.engine_rule_ids)
    changes += [f"now also: {r.title}" for r in now.reasons if r.level is not Level.PREREQUISITE and r.rule_id not in before]
    if OUTCOME_SEVERITY[now.outcome] > OUTCOME_SEVERITY[Outcome(signed.engine_outcome)]:
        changes.append(f"the rules now say {now.outcome.label.lower()} (signed on {Outcome(signed.engine_outcome).label.lower()})")
    return changes


def sign_decision(ctx: Context, patient: Patient, data: dict) -> EligibilityDecision:
    """A prescriber approves or declines one route on the current evaluation.

    An absolute contraindication cannot be approved (409); approving a route that needs prescriber
    review (relative contraindication) requires a written reason (422). The engine is run again
    here, so the decision records what the rules said when it was signed.
    """
    require(ctx.user, "eligibility.sign")
    cleaned = _validate(sforms.DecisionForm, data)
    route = Route(cleaned["route"])
    approve = cleaned["decision"] == EligibilityDecision.Decision.APPROVE
    reason = cleaned["override_reason"]
    now = timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        ev = patient.evaluations.filter(public_id=cleaned["evaluation"]).first()
        if ev is None:
            raise ValidationFailed({"evaluation": ["No such evaluation for this patient."]})
        if ev.is_draft:
            raise Conflict("Complete the evaluation before signing a decision.", {"evaluation": ["This evaluation is a draft."]})
        if not ev.is_current:
            raise Conflict("This evaluation was superseded by a newer one; sign on the current evaluation.",
                           {"evaluation": ["Superseded evaluation."]})
        result, merged, _ = chart_eligibility(ev)  # the chart as it is now, under the patient lock
        decision = result[route]
        if approve and decision.outcome is Outcome.CONTRAINDICATED:
            titles = "; ".join(r.title for r in decision.contraindications)
            message = f"{route.label} cannot be approved: absolute contraindication ({titles}). It cannot be overridden."
            raise Conflict(message, {"decision": [message]})
        min_chars = min_override_reason_chars(patient.organization_id)
        if approve and decision.outcome is Outcome.NEEDS_PRESCRIBER_REVIEW and len(reason) < min_chars:
            titles = "; ".join(r.title for r in decision.review_reasons)
            raise ValidationFailed(
                {"override_reason": [f"Approving {route.label} needs a written reason of at least {min_chars} "
                                     f"characters: it needs prescriber review ({titles})."]},
                "A written override reason is required.",
            )
        previous = EligibilityDecision.objects.select_for_update().filter(
            patient=patient, route=route.value, superseded_at__isnull=True
        ).first()
        last = EligibilityDecision.objects.filter(patient=patient, route=route.value).aggregate(m=Max("version"))["m"] or 0
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
        signed = EligibilityDecision.objects.create(
            patient=patient, evaluation=ev, route=route.value, version=last + 1, decision=cleaned["decision"],
            engine_outcome=decision.outcome.value, engine_rule_ids=list(decision.rule_ids), override_reason=reason,
            chart_facts=safety_facts(merged),
            note=cleaned["note"].strip(), signed_by=ctx.user, signed_at=now,
        )
        if previous is not None:
            previous.superseded_by = signed
            previous.save(update_fields=["superseded_by"])
        detail = {"route": route.value, "decision": signed.decision, "engine_outcome": signed.engine_outcome,
                  "override": signed.is_override, "evaluation": str(ev.public_id), "version": signed.version}
        record(ctx, Action.ELIGIBILITY_SIGN, obj=signed, patient=patient, organization=patient.organization, detail=detail)
        verb = "approved" if approve else "declined"
        extra = " (override of prescriber-review result)" if signed.is_override else ""
        _timeline(ctx, patient, "eligibility", f"{route.label} {verb}{extra}")
    return signed
