"""Clinic settings: an organization's own values for the numbers the clinical core declares.

Each change is a new row (version + 1) with who, when and why; the newest row per key is in force.
Keys without a row use the shipped default.
"""

from django.db import models
from django.utils import timezone


class ClinicSettingValue(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="setting_values")
    key = models.CharField(max_length=120)
    value = models.JSONField()
    version = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key", "version"], name="one_setting_version")]
        ordering = ["key", "-version"]
