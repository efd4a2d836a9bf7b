"""The service errors the tests expect, imported from production in this one place."""

from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed  # noqa: F401
