"""Rebuild what the outcomes dashboard adds up: each patient's outcome under each group (all,
indication groups of their active diagnoses, route and protocol of their first signed plan), then
the clinic's day buckets of those rows. Both are kept up to date as outcomes, diagnoses and plans
are saved; run this after loading data in bulk (``seed_large_clinic``, a restore that bypassed the
services). Idempotent; derived data only (no audit events)."""

from django.core.management.base import BaseCommand, CommandError

from ketamine_clinic.accounts.models import Organization
from ketamine_clinic.outcomes.groups import rebuild


class Command(BaseCommand):
    help = "Rebuild the outcome group rows and day buckets (OutcomeGroupRow, OutcomeDayBucket) the outcomes dashboard adds up."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", help="Only this organization (slug)")

    def handle(self, *args, **opts):
        organization_id = None
        if opts.get("clinic"):
            organization_id = Organization.objects.filter(slug=opts["clinic"]).values_list("pk", flat=True).first()
            if organization_id is None:
                raise CommandError(f"No clinic with slug {opts['clinic']!r}.")
        done = rebuild(organization_id=organization_id)
        self.stdout.write(f"Rebuilt the outcome group rows of {done} patient(s) and their clinics' day buckets.")
