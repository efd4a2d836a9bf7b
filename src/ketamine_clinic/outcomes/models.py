"""Derived rows the outcomes dashboard groups by, kept up to date as the chart changes."""

from django.db import models
from django.utils import timezone


class OutcomeCohort(models.Model):
    """The groups one patient counts under on the outcomes dashboard: the indication groups of
    their active diagnoses and the route and protocol of their first signed treatment plan.

    Derived data only (no audit event, no revision): ``outcomes.cohort`` recomputes a patient's row
    whenever one of their diagnoses or plans is saved, and ``manage rebuild_outcome_cohorts``
    (also run by this app's migration) rebuilds them all. A patient with no row counts under no
    indication and "No treatment plan", as one with neither would.
    """

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="outcome_cohort")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    # The keys of clinical.codes.OUTCOME_INDICATION_GROUPS, each between bars ("|depression|ptsd|"),
    # so one grouped query tests membership with a plain ``contains``; "" for none.
    indication_keys = models.CharField(max_length=200, blank=True, default="")
    plan_route = models.CharField(max_length=30, null=True, blank=True)  # None: no signed plan
    plan_protocol = models.CharField(max_length=80, null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Outcome groups of patient {self.patient_id}: {self.indication_keys or '-'} {self.plan_route or '-'}"
