"""Letters to the referring clinician: when the patient is first seen, and at the end of the
induction with the measured outcome (baseline → latest PHQ-9, response and remission as the
outcomes code computed them). Only for a clinician's referral whose patient agreed."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, require_own_clinic
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus, PlanStatus, TreatmentPlan
from ketamine_clinic.screening.models import IntakeEvaluation

from ..models import LetterKind, Referral, ReferralKind, ReferralLetter
from ..pdf import letter_pdf

MAIN_INSTRUMENT = "phq9"  # the outcomes report's default instrument


def first_seen_on(patient):
    """The date the clinic first saw the patient: the first completed evaluation or attended visit."""
    dates = [e.completed_at for e in IntakeEvaluation.objects.filter(patient=patient, status="completed").exclude(completed_at=None)]
    dates += [a.start_at for a in patient.appointments.filter(status=AppointmentStatus.DONE).order_by("start_at")[:1]]
    return min(dates).date() if dates else None


def finished_induction(patient):
    """The patient's induction plan whose dosing sessions are all done, if any."""
    for plan in TreatmentPlan.objects.filter(patient=patient, kind=TreatmentPlan.Kind.INDUCTION).exclude(status=PlanStatus.DRAFT):
        done = plan.appointments.filter(kind=AppointmentKind.DOSING, status=AppointmentStatus.DONE).count()
        if done >= plan.session_count:
            return plan, done
    return None


def _kinds_due(referral: Referral, seen: bool, finished: bool) -> list[tuple[str, str]]:
    """The letter kinds ready (the patient seen; the induction finished) and not generated yet, for a
    clinician referral accepted into a chart whose patient consented."""
    if referral.patient_id is None or not referral.consent_to_letters or referral.kind != ReferralKind.CLINICIAN:
        return []
    done = {letter.kind for letter in referral.letters.all()}
    ready = {LetterKind.FIRST_SEEN: seen, LetterKind.INDUCTION_END: finished}
    return [(kind, label) for kind, label in LetterKind.choices if kind not in done and ready[kind]]


def due_kinds(referral: Referral) -> list[tuple[str, str]]:
    """The letters that may be generated now for one referral."""
    if referral.patient is None:
        return []
    return _kinds_due(referral, first_seen_on(referral.patient) is not None, finished_induction(referral.patient) is not None)


def _seen_patients(patient_ids) -> set:
    """Of these patients, those with a completed evaluation or an attended visit (two queries)."""
    seen = set(IntakeEvaluation.objects.filter(patient_id__in=patient_ids, status="completed")
               .exclude(completed_at=None).values_list("patient_id", flat=True))
    return seen | set(Appointment.objects.filter(patient_id__in=patient_ids, status=AppointmentStatus.DONE)
                      .values_list("patient_id", flat=True))


def _finished_patients(patient_ids) -> set:
    """Of these patients, those with an induction plan whose dosing sessions are all done (one query)."""
    done = Count("appointments", filter=Q(appointments__kind=AppointmentKind.DOSING,
                                          appointments__status=AppointmentStatus.DONE))
    plans = (TreatmentPlan.objects.filter(patient_id__in=patient_ids, kind=TreatmentPlan.Kind.INDUCTION)
             .exclude(status=PlanStatus.DRAFT).annotate(done=done))
    return {plan.patient_id for plan in plans if plan.done >= plan.session_count}


LETTERS_DUE_LOOKBACK = 200  # the most recent accepted referrals checked for due letters (an inbox list, not a report)


def letters_due_for(ctx: Context) -> list[tuple[Referral, str, str]]:
    """(referral, kind, label) for every letter due to a referring clinician in the actor's clinic, so
    the inbox lists them without opening each referral; a fixed number of queries for any number."""
    require(ctx.user, "referrals.view")
    rows = list(Referral.objects.filter(organization_id=ctx.user.organization_id, kind=ReferralKind.CLINICIAN,
                                        consent_to_letters=True, patient__isnull=False)
                .prefetch_related("letters").order_by("-submitted_at")[:LETTERS_DUE_LOOKBACK])
    ids = {r.patient_id for r in rows}
    seen, finished = _seen_patients(ids), _finished_patients(ids)
    return [(r, kind, label) for r in rows
            for kind, label in _kinds_due(r, r.patient_id in seen, r.patient_id in finished)]


def _outcome_lines(patient) -> list[str]:
    o = PatientOutcome.objects.filter(patient=patient, instrument_key=MAIN_INSTRUMENT).first()
    if o is None:
        return ["No PHQ-9 scores are recorded."]
    lines = [f"PHQ-9 baseline {o.baseline_total} on {o.baseline_at:%Y-%m-%d}; latest {o.latest_total} on {o.latest_at:%Y-%m-%d}"
             + (f" ({o.latest_percent_change:+.0f}%)." if o.latest_percent_change is not None else ".")]
    lines.append("Response (as the clinic defines it): " + ("yes" if o.responded else "not reached") + ".")
    if o.remitted is not None:
        lines.append("Remission: " + ("yes" if o.remitted else "not reached") + ".")
    return lines


def _content(referral: Referral, kind: str) -> dict:
    patient, org = referral.patient, referral.organization
    base = {"clinic": org.name, "date": timezone.localdate().isoformat(), "referrer": referral.referrer_name,
            "practice": referral.referrer_practice, "referrer_phone": referral.referrer_phone, "referrer_fax": referral.referrer_fax,
            "patient": f"{patient.given_name} {patient.family_name}", "date_of_birth": patient.date_of_birth.isoformat()}
    if kind == LetterKind.FIRST_SEEN:
        seen = first_seen_on(patient)
        if seen is None:
            raise Conflict("The patient has not been seen yet (no completed evaluation or attended visit).")
        return {**base, "subject": "Your patient has been seen", "paragraphs": [
            f"Thank you for referring {base['patient']}. We first saw them on {seen.isoformat()}.",
            "We will write again at the end of the treatment series with the measured outcome."]}
    found = finished_induction(patient)
    if found is None:
        raise Conflict("The patient has not finished a treatment series yet.")
    plan, done = found
    return {**base, "subject": "End of the treatment series", "outcome": _outcome_lines(patient), "paragraphs": [
        f"{base['patient']} has completed the treatment series ({plan.protocol_title}: {done} sessions)."]}


def generate_letter(ctx: Context, referral: Referral, kind: str) -> ReferralLetter:
    require(ctx.user, "referrals.manage")
    require_own_clinic(ctx.user, referral.organization_id, "referral")
    if kind not in LetterKind.values:
        raise NotFound("No such kind of letter.")
    if referral.kind != ReferralKind.CLINICIAN or referral.patient is None:
        raise Conflict("Letters go to a referring clinician, once the referral is accepted into a chart.")
    if not referral.consent_to_letters:
        raise Conflict("The patient did not agree that the clinic writes to the referrer.")
    content = _content(referral, kind)
    try:
        with transaction.atomic():
            letter = ReferralLetter.objects.create(referral=referral, kind=kind, content=content, pdf=letter_pdf(content),
                                                   generated_by=ctx.user)
            record(ctx, Action.REFERRAL_LETTER_GENERATE, obj=letter, patient=referral.patient,
                   organization=referral.organization, detail={"kind": kind})
    except IntegrityError:
        raise Conflict("This letter has already been generated: download it from the referral.") from None
    return letter


def letter_for_sending(ctx: Context, referral: Referral, letter_id) -> ReferralLetter:
    """The letter's PDF for staff to send (download, fax): the first download records who sent it and when."""
    require(ctx.user, "referrals.manage")
    require_own_clinic(ctx.user, referral.organization_id, "referral")
    with transaction.atomic():
        letter = ReferralLetter.objects.select_for_update().filter(referral=referral, public_id=letter_id).first()
        if letter is None:
            raise NotFound("No such letter.")
        if letter.sent_at is None:
            letter.sent_at, letter.sent_by = timezone.now(), ctx.user
            letter.save(update_fields=["sent_at", "sent_by"])
        record(ctx, Action.REFERRAL_LETTER_SEND, obj=letter, patient=referral.patient,
               organization=referral.organization, detail={"kind": letter.kind})
    return letter
