"""Escalate unacknowledged suicide-risk alerts to the clinic admins. Safe to run as often as you
like (e.g. every minute from cron): an alert is never escalated twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from ketamine_clinic.assessments.services import escalate_overdue_alerts


class Command(BaseCommand):
    help = "Escalate open suicide-risk alerts older than the clinic's limit (default 60 minutes) to clinic admins."

    def handle(self, *args, **options):
        escalated = escalate_overdue_alerts(timezone.now())
        self.stdout.write(f"Escalated {len(escalated)} alert(s).")
