"""FHIR errors: every refusal is an ``OperationOutcome`` with a 4xx status, never a traceback."""

from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationFailed


class FhirError(Exception):
    """A refusal with its HTTP status and OperationOutcome issue code (invalid, not-found, …)."""

    def __init__(self, status: int, message: str, code: str = "invalid", expression: list[str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.expression = status, message, code, expression or []


def outcome(issues: list[tuple[str, str, list[str]]], severity: str = "error") -> dict:
    """An OperationOutcome from (code, diagnostics, expression) triples."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": code, "diagnostics": text, **({"expression": expr} if expr else {})}
            for code, text, expr in issues
        ],
    }


def from_exception(exc: Exception) -> tuple[int, dict]:
    """The status and OperationOutcome for a FhirError or a service error (422 for invalid fields)."""
    if isinstance(exc, FhirError):
        return exc.status, outcome([(exc.code, exc.message, exc.expression)])
    if isinstance(exc, PermissionDenied):
        return 403, outcome([("forbidden", str(exc) or "You may not do this.", [])])
    if isinstance(exc, NotFound):
        return 404, outcome([("not-found", str(exc) or "Not found.", [])])
    if isinstance(exc, ValidationFailed):
        issues = [("invalid", f"{field}: {msg}", [field]) for field, msgs in exc.errors.items() for msg in msgs]
        return 422, outcome(issues or [("invalid", str(exc), [])])
    if isinstance(exc, Conflict):
        return 409, outcome([("conflict", str(exc), [])])
    if isinstance(exc, ServiceError):
        return 400, outcome([("processing", str(exc), [])])
    raise exc
