"""Rebuild every patient's outcome groups (indication groups, first signed plan's route and
protocol) that the outcomes dashboard groups by. The rows are kept up to date as diagnoses and
plans are saved; run this after loading data in bulk (``seed_large_clinic``, a restore that
bypassed the services). Idempotent; derived data only (no audit events)."""

from django.core.management.base import BaseCommand, CommandError

from ketamine_clinic.accounts.models import Organization
from ketamine_clinic.outcomes.cohort import rebuild


class Command(BaseCommand):
    help = "Rebuild the per-patient outcome groups (OutcomeCohort rows) the outcomes dashboard groups by."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", help="Only this organization (slug)")

    def handle(self, *args, **opts):
        organization_id = None
        if opts.get("clinic"):
            organization_id = Organization.objects.filter(slug=opts["clinic"]).values_list("pk", flat=True).first()
            if organization_id is None:
                raise CommandError(f"No clinic with slug {opts['clinic']!r}.")
        done = rebuild(organization_id=organization_id)
        self.stdout.write(f"Rebuilt the outcome groups of {done} patient(s).")
