"""Recompute every stored patient outcome with the clinical core, e.g. after a clinic changed its
response or remission settings. Idempotent; derived data only (no audit events)."""

from django.core.management.base import BaseCommand

from ketamine_clinic.assessments.models import QuestionnaireResponse, ResponseStatus
from ketamine_clinic.assessments.services import refresh_outcome, trackable_instruments
from ketamine_clinic.patients.models import Patient


class Command(BaseCommand):
    help = "Recompute the per-patient outcome rows the outcomes dashboard aggregates."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", help="Only this organization (slug)")

    def handle(self, *args, **opts):
        keys = [i.key for i in trackable_instruments()]
        pairs = QuestionnaireResponse.objects.filter(status=ResponseStatus.SUBMITTED, instrument_key__in=keys)
        if opts.get("clinic"):
            pairs = pairs.filter(organization__slug=opts["clinic"])
        pairs = pairs.values_list("patient_id", "instrument_key").distinct().order_by("patient_id")
        done = 0
        for patient_id, key in pairs.iterator():
            refresh_outcome(Patient.objects.get(pk=patient_id), key)
            done += 1
        self.stdout.write(f"Recomputed {done} outcome(s).")
