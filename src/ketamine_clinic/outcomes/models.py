"""Derived rows the outcomes dashboard aggregates, kept up to date as the chart changes."""

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce


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


class OutcomeDayBucket(models.Model):
    """The sums of one group's ``OutcomeGroupRow`` rows whose baseline falls on one UTC day: what the
    dashboard adds up for the whole days of a period, so that its work grows with the days in the
    period, not with the patients (the rows are read only for the part-days at each end).

    Counts are exact; each mean is a sum and the count it divides by (integer sums stay integers,
    so the dashboard's mean of an integer column is the database's own division, as ``AVG`` does).
    Derived data only: ``outcomes.groups`` recomputes a day's buckets from its rows whenever a
    rewrite touches that day (under an advisory lock per day on PostgreSQL), and ``manage
    rebuild_outcome_groups`` recomputes them all.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    instrument_key = models.CharField(max_length=20)
    day = models.DateField()  # the UTC date of the rows' baseline_at
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    group_key = models.CharField(max_length=80, null=True, blank=True)
    patients = models.PositiveIntegerField()
    with_follow_up = models.PositiveIntegerField()
    responders = models.PositiveIntegerField()
    remitters = models.PositiveIntegerField()
    remission_defined = models.PositiveIntegerField()
    change_sum = models.BigIntegerField(null=True)  # latest_change of the rows with a follow-up (count: with_follow_up)
    percent_sum = models.FloatField(null=True)  # latest_percent_change of the rows with a follow-up
    percent_n = models.PositiveIntegerField()
    response_days_sum = models.FloatField(null=True)  # days_to_first_response of the responders
    response_days_n = models.PositiveIntegerField()
    baseline_sum = models.BigIntegerField()  # baseline_total of every row (count: patients)

    class Meta:
        constraints = [
            models.UniqueConstraint("organization", "instrument_key", "day", "dimension", Coalesce("group_key", Value("")),
                                    name="outcome_day_bucket_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} outcomes of {self.day} under {self.dimension} {self.group_key}"
