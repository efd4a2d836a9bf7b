"""One guard for records that are never deleted and, once sealed, never changed: signed decisions,
consent documents, submitted questionnaire responses and the audit trail.

A model mixes in ``Immutable`` and says when a stored row is sealed (``is_sealed``: by default as
soon as it exists) and which bookkeeping fields may still change afterwards (``MUTABLE_FIELDS``,
saved with ``update_fields``). ``NeverDeleted`` alone keeps editable records from being deleted.
``NoBulkChangeQuerySet`` also closes the bulk ``update()``/``delete()`` side doors. The database
may add its own guard (the audit trail's triggers); this one gives a clear error first.
"""

from django.db import models


class ImmutableRecordError(RuntimeError):
    """A write that would change or delete a sealed record."""


class NeverDeleted(models.Model):
    """Records that are corrected, superseded or withdrawn, never deleted."""

    immutable_error: type[ImmutableRecordError] = ImmutableRecordError
    deleted_message = "{name} is never deleted."

    class Meta:
        abstract = True

    def _refuse(self, message: str):
        raise self.immutable_error(message.format(name=str(self._meta.verbose_name).capitalize()))

    def delete(self, *args, **kwargs):
        self._refuse(self.deleted_message)


class Immutable(NeverDeleted):
    """Never deleted, and never changed once sealed except for ``MUTABLE_FIELDS``."""

    MUTABLE_FIELDS: frozenset[str] = frozenset()
    changed_message = "{name} is signed and cannot be changed."

    class Meta:
        abstract = True

    def is_sealed(self) -> bool:
        """Whether the stored row may no longer change (by default: once it is stored)."""
        return not self._state.adding

    def save(self, *args, **kwargs):
        if self.is_sealed():
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= self.MUTABLE_FIELDS:
                self._refuse(self.changed_message)
        super().save(*args, **kwargs)


class NoBulkChangeQuerySet(models.QuerySet):
    """Refuses ``update()`` and ``delete()`` on a whole query (they bypass ``save``/``delete``)."""

    message = "These records cannot be changed or deleted."

    def update(self, **kwargs):
        raise ImmutableRecordError(self.message)

    def delete(self):
        raise ImmutableRecordError(self.message)
