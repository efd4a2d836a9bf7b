"""Derived rows the outcomes dashboard aggregates, kept up to date as the chart changes."""

from django.db import models


class Dimension(models.TextChoices):
    ALL = "all", "All patients"
    INDICATION = "indication", "Indication group"
    ROUTE = "route", "Route of the first signed plan"
    PROTOCOL = "protocol", "Protocol of the first signed plan"


class OutcomeGroupRow(models.Model):
    """One patient's outcome on one instrument (a copy of the figures of their ``PatientOutcome``)
    under one group of the dashboard: every outcome has one ``all`` row, one row per indication
    group of the patient's active diagnoses, one ``route`` and one ``protocol`` row (group None:
    no signed plan). The dashboard is then one grouped query over these rows.

    Derived data only (no audit event, no revision): ``outcomes.groups`` rewrites a patient's rows
    whenever their outcome, one of their diagnoses or one of their plans is saved, and
    ``manage rebuild_outcome_groups`` (also run by this app's migration) rebuilds them all.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    instrument_key = models.CharField(max_length=20)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    group_key = models.CharField(max_length=80, null=True, blank=True)  # None: no signed plan (route, protocol)
    # The PatientOutcome figures the summary aggregates (same names, same meaning).
    baseline_at = models.DateTimeField()
    baseline_total = models.IntegerField()
    follow_up_count = models.PositiveIntegerField(default=0)
    latest_change = models.IntegerField(default=0)
    latest_percent_change = models.FloatField(null=True, blank=True)
    responded = models.BooleanField(default=False)
    days_to_first_response = models.FloatField(null=True, blank=True)
    remitted = models.BooleanField(null=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "instrument_key", "baseline_at"], name="outcome_group_row_period")]

    def __str__(self) -> str:
        return f"{self.instrument_key} outcome of patient {self.patient_id} under {self.dimension} {self.group_key}"
