"""A refused service call, said the same way everywhere: as JSON, as one line, as a flash message."""

from django.contrib import messages

from ketamine_clinic.core.errors import Conflict, PermissionDenied, ServiceError, ValidationFailed

# The message a ValidationFailed carries when the service gave none of its own: the field messages say more.
GENERIC_MESSAGE = ValidationFailed({}).message


def error_body(exc: ServiceError | PermissionDenied) -> tuple[int, dict]:
    """The status and the ``{"detail": …, "errors": {field: [...]}}`` body of DESIGN.md's error shape."""
    if isinstance(exc, PermissionDenied):
        return 403, {"detail": str(exc), "errors": {}}
    return exc.status, {"detail": exc.message, "errors": exc.errors}


def refusal_text(exc: ServiceError) -> str:
    """One line: the service's own message (unless generic) and every field message."""
    details = "; ".join(m for msgs in exc.errors.values() for m in msgs)
    if not details or details == exc.message:
        return exc.message
    if exc.message == GENERIC_MESSAGE:
        return details
    return f"{exc.message} {details}"


def flash_refusal(request, exc: ServiceError, prefix: str = "") -> None:
    messages.error(request, f"{prefix}{refusal_text(exc)}")


def attempt(request, call, *, refused: str = ""):
    """A one-button POST: the service's result, or None when it refused (422 or 409), with the
    refusal flashed after ``refused``. Not found and not allowed go on to the middleware's pages."""
    try:
        return call()
    except (ValidationFailed, Conflict) as exc:
        flash_refusal(request, exc, refused)
        return None
