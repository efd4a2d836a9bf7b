"""May we treat? Everything screening knows about a patient per route, and the one question plans
and sessions ask: ``may_treat(patient, route, on_date)``."""

import datetime as dt
from dataclasses import dataclass, field

from ketamine_clinic.clinical.eligibility import Evaluation, Outcome, evaluate_eligibility
from ketamine_clinic.clinical.eligibility.chart import apply_chart
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.patients.models import Patient

from ..models import Consent, EligibilityDecision, IntakeEvaluation, RemsEnrollment
from ._common import _local_date
from .consent import consent_problem, floors_read, reconsent_floors
from .decisions import chart_changes_since_signed
from .evaluations import chart_eligibility
from ..clinic_policy import eligibility_policy
from .registry import chart_facts_many
from .rems import current_rems, rems_read
from .reported_intake import reported_intake_read


@dataclass(frozen=True)
class TreatmentPermission:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class RouteStatus:
    route: Route
    outcome: Outcome | None = None
    decision: EligibilityDecision | None = None
    consent: Consent | None = None  # the consent that counts, else the latest
    consent_problem: str = "no consent signed"
    rems: RemsEnrollment | None = None
    # An approval whose chart changed in a way that matters since it was signed: what changed.
    chart_changes: list[str] = field(default_factory=list)

    @property
    def chart_changed(self) -> bool:
        return bool(self.chart_changes)


@dataclass
class ScreeningState:
    evaluation: IntakeEvaluation | None
    draft: IntakeEvaluation | None
    routes: dict[Route, RouteStatus]
    rems: RemsEnrollment | None


# Compiled once per process (core.prepared): every chart and every session's checks read them.
_EVALUATIONS = Prepared(lambda patient_id: IntakeEvaluation.objects.filter(
    patient_id=patient_id, status__in=[IntakeEvaluation.Status.DRAFT, IntakeEvaluation.Status.COMPLETED],
    superseded_at__isnull=True))
_DECISIONS = Prepared(lambda patient_id: EligibilityDecision.objects.filter(patient_id=patient_id, superseded_at__isnull=True)
                      .select_related("signed_by"))
_CONSENTS = Prepared(lambda patient_id: Consent.objects.filter(patient_id=patient_id).select_related("document", "witnessed_by")
                     .order_by("-signed_at", "-id"))


@batch.reads
def screening_reads(patient: Patient) -> dict:
    """What ``screening_state`` reads, keyed for ``core.batch`` (one statement, or none on a page
    that read them already): open evaluations, their standing decisions, consents, the clinic's
    re-consent floors, the REMS enrollment and the patient's own open intake form."""
    return {
        ("screening.evaluations", patient.pk): _EVALUATIONS(patient.pk).knowing(patient=patient),
        ("screening.decisions", patient.pk): _DECISIONS(patient.pk).knowing(patient=patient),
        ("screening.consents", patient.pk): _CONSENTS(patient.pk).knowing(patient=patient),
        **floors_read(patient.organization_id), **rems_read(patient), **reported_intake_read(patient),
    }


def screening_state(patient: Patient, *, with_engine: bool = True, on_date: dt.date | None = None) -> ScreeningState:
    """Everything screening knows about a patient, in a handful of queries. With the engine, the
    current evaluation is read together with the chart as of ``on_date`` (default: the patient's
    today), and each approval is checked for chart changes since it was signed."""
    read = batch.lists(screening_reads(patient))
    evaluations = read[("screening.evaluations", patient.pk)]
    ev = next((e for e in evaluations if e.is_current), None)
    draft = next((e for e in evaluations if e.is_draft), None)
    result, merged = (chart_eligibility(ev, on_date)[:2]) if ev and with_engine else (None, None)
    # The standing decisions on the current evaluation (decisions on a superseded one no longer count).
    decisions = {Route(d.route): d for d in read[("screening.decisions", patient.pk)] if ev and d.evaluation_id == ev.pk}
    floors = reconsent_floors(patient.organization_id)
    consents = read[("screening.consents", patient.pk)]
    rems = current_rems(patient)
    routes = {}
    for route in Route:
        status = RouteStatus(route, outcome=result[route].outcome if result else None, decision=decisions.get(route), rems=rems)
        if result is not None and status.decision is not None:
            status.chart_changes = chart_changes_since_signed(status.decision, result[route], merged)
        mine = [c for c in consents if c.route == route.value]
        for c in mine:
            problem = consent_problem(c, floors.get(route.value, 0))
            if not problem:
                status.consent, status.consent_problem = c, ""
                break
        else:
            if mine:
                status.consent, status.consent_problem = mine[0], consent_problem(mine[0], floors.get(route.value, 0))
        routes[route] = status
    return ScreeningState(ev, draft, routes, rems)


def chart_changes_for(patient: Patient, route: Route | str) -> list[str]:
    """What changed on the chart, in a way that matters, since the route's approval was signed
    (empty when nothing did, or when there is no approval)."""
    return chart_changes_many([(patient, Route(route))], patient_today(patient)).get((patient.pk, Route(route)), [])


def chart_changes_many(pairs, on_date: dt.date) -> dict[tuple[int, Route], list[str]]:
    """For many (patient, route) pairs at once (the chair board): ``{(patient pk, route): changes}``
    for each approval whose chart changed in a way that matters since it was signed. A constant
    number of queries: evaluations, approvals, the chart facts (five), the clinic's settings."""
    pairs = [(p, Route(r)) for p, r in pairs]
    patients = {p.pk: p for p, _ in pairs}
    evaluations = {ev.patient_id: ev for ev in IntakeEvaluation.objects.filter(
        patient_id__in=patients, status=IntakeEvaluation.Status.COMPLETED, superseded_at__isnull=True)}
    approvals = {(d.patient_id, Route(d.route)): d for d in EligibilityDecision.objects.filter(
        evaluation__in=evaluations.values(), superseded_at__isnull=True, decision=EligibilityDecision.Decision.APPROVE)}
    requested = {(p.pk, r) for p, r in pairs}
    wanted = {pk for pk, route in approvals if (pk, route) in requested}
    if not wanted:
        return {}
    facts = chart_facts_many([patients[pk] for pk in wanted], on_date)
    policies: dict = {}
    out = {}
    for patient, route in pairs:
        decision = approvals.get((patient.pk, route))
        if decision is None or (patient.pk, route) in out:
            continue
        ev = evaluations[patient.pk]
        org = patient.organization_id
        if org not in policies:
            policies[org] = eligibility_policy(org)
        merged, _ = apply_chart(Evaluation.from_dict(ev.data), facts[patient.pk])
        changes = chart_changes_since_signed(decision, evaluate_eligibility(merged, policies[org])[route], merged)
        if changes:
            out[(patient.pk, route)] = changes
    return out


def may_treat(patient: Patient, route: Route | str, on_date: dt.date, *, state: ScreeningState | None = None) -> TreatmentPermission:
    """May ``patient`` be treated by ``route`` on ``on_date``, on what the clinic knows now?

    Yes only with (1) a signed approving decision for the route on the current (completed, not
    superseded) evaluation, whose route the rules do not now contraindicate and whose chart has not
    changed in a way that matters since it was signed (else a prescriber re-signs), (2) a witnessed,
    unrevoked consent for the route on a document version still valid, and (3) for esketamine an
    active Spravato REMS enrollment; each dated on or before ``on_date``. The reasons say why,
    either way. Raises ``ValueError`` for an unknown route. ``state``: the patient's
    ``screening_state`` (with the engine) when the caller already has it, to ask for several routes.
    """
    route = Route(route)
    state = state or screening_state(patient, on_date=on_date)
    status = state.routes[route]
    blockers: list[str] = []
    basis: list[str] = []
    ev = state.evaluation
    if ev is None:
        blockers.append("No completed intake evaluation." + (" A draft is open." if state.draft else ""))
    else:
        d = status.decision
        if d is None:
            blockers.append(f"No signed eligibility decision for {route.label} on the current evaluation (v{ev.version}).")
        elif d.decision == EligibilityDecision.Decision.DECLINE:
            blockers.append(f"{route.label} was declined by {d.signed_by.name} on {_local_date(d.signed_at, patient):%Y-%m-%d}.")
        elif status.outcome is Outcome.CONTRAINDICATED:
            blockers.append(f"{route.label} is contraindicated under the current rules; the approval no longer holds.")
        elif status.chart_changed:
            blockers.append(f"Chart changed since signed ({'; '.join(status.chart_changes)}): {route.label} needs "
                            f"prescriber review; a prescriber re-signs the eligibility decision.")
        elif _local_date(d.signed_at, patient) > on_date:
            blockers.append(f"{route.label} was approved only on {_local_date(d.signed_at, patient):%Y-%m-%d}, after {on_date:%Y-%m-%d}.")
        else:
            line = f"{route.label} approved by {d.signed_by.name} on {_local_date(d.signed_at, patient):%Y-%m-%d} (evaluation v{ev.version})"
            if d.is_override:
                line += f"; prescriber override: {d.override_reason}"
            basis.append(line + ".")
    c = status.consent
    if c is None:
        blockers.append(f"No consent signed for {route.label}.")
    elif status.consent_problem:
        blockers.append(f"Consent for {route.label} {status.consent_problem}.")
    elif _local_date(c.signed_at, patient) > on_date:
        blockers.append(f"Consent for {route.label} was signed only on {_local_date(c.signed_at, patient):%Y-%m-%d}.")
    else:
        basis.append(f"Consent (version {c.document.version}) signed by {c.signed_name} on {_local_date(c.signed_at, patient):%Y-%m-%d}, "
                     f"witnessed by {c.witnessed_by.name}.")
    if route is Route.ESKETAMINE_NASAL:
        r = state.rems
        if r is None:
            blockers.append("Not enrolled in the Spravato REMS (required before the first esketamine dose).")
        elif r.enrolled_on > on_date:
            blockers.append(f"Spravato REMS enrollment dates from {r.enrolled_on:%Y-%m-%d}, after {on_date:%Y-%m-%d}.")
        else:
            basis.append(f"Enrolled in the Spravato REMS on {r.enrolled_on:%Y-%m-%d}.")
    if blockers:
        return TreatmentPermission(False, blockers)
    return TreatmentPermission(True, basis)
