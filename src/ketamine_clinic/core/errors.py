"""Errors services raise; views turn them into form messages, the API into precise 4xx JSON."""



class PermissionDenied(Exception):
    """The user's role does not allow ``action`` (``accounts.permissions.require`` raises it, in words)."""

    def __init__(self, action: str, message: str | None = None):
        super().__init__(message or f"Your role does not allow: {action}.")
        self.action = action


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(ServiceError):
    status = 422

    def __init__(self, errors: dict[str, list[str]], message: str = "Some fields need attention."):
        super().__init__(message, errors)


class Conflict(ServiceError):
    status = 409


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


def error_text(exc: ServiceError) -> str:
    """A service error's field messages on one line (for a flash message), else its message."""
    return "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message


def form_errors(form) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def validated(form_class, data, **kwargs) -> dict:
    """The cleaned data of ``form_class(data=data, **kwargs)``; else ValidationFailed with its field errors."""
    form = form_class(data=data, **kwargs)
    if not form.is_valid():
        raise ValidationFailed(form_errors(form))
    return form.cleaned_data
