"""The audit trail: append-only events, each keyed with an HMAC, sealed into one chain by the sealer.

Writing an event takes no shared lock: a request inserts its event (with the event's own MAC) and
a pending marker. The sealer (``ketamine-clinic worker``, or ``audit seal``) alone takes the chain
head, gives pending events their place in the chain and links each to the one before it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ketamine_clinic.core.immutable import Immutable, NoBulkChangeQuerySet

from . import chain


class AppendOnlyQuerySet(NoBulkChangeQuerySet):
    message = "Audit records are append-only."


class AppendOnlyModel(Immutable):
    """Written once, never changed or deleted (the database's triggers refuse it too)."""

    objects = AppendOnlyQuerySet.as_manager()
    changed_message = deleted_message = "Audit records are append-only."

    class Meta:
        abstract = True


class AuditEvent(AppendOnlyModel):
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)  # "patient.view", "patient.update", "auth.login"
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)  # opaque public id
    patient_id = models.CharField(max_length=64, blank=True, db_index=True)  # the chart it concerns, if any
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # field names changed, never values
    mac = models.CharField(max_length=64)  # HMAC of the content above, under the audit key

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "-id"], name="audit_event_org_newest")]

    def canonical(self) -> str:
        return chain.canonical_event(
            {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
        )

    def compute_mac(self) -> str:
        return chain.event_mac(settings.AUDIT_KEY, self.canonical())


class AuditPending(models.Model):
    """An event written but not yet sealed. The sealer removes the marker when it seals the event."""

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, primary_key=True, related_name="+")


class AuditSeal(AppendOnlyModel):
    """Position ``seq`` (1, 2, 3 … with no gaps) of the chain."""

    seq = models.PositiveBigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="seal", db_constraint=True)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)


class AuditChainHead(models.Model):
    """One row, locked only by the sealer, so the chain never forks. Requests never touch it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default=chain.GENESIS_MAC)
