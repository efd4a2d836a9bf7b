"""The REST API under /api/v1: one NinjaAPI, auth by bearer token or session, one error shape.

Errors are JSON ``{"detail": message, "errors": {field: [messages]}}`` with 400 (unparseable
body), 401, 403, 404, 409, 413 (body over DATA_UPLOAD_MAX_MEMORY_SIZE) or 422 (invalid fields),
each declared in the OpenAPI schema (tests/api/test_contract.py walks it).
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from ketamine_clinic.accounts.services import user_for_token
from ketamine_clinic.core.errors import PermissionDenied, ServiceError
from ketamine_clinic.web.refusals import error_body

log = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user  # services read the actor from request.user
        return user


api = NinjaAPI(
    title="ketamine-clinic API",
    version="1",
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionAuth()],
    docs_url="/docs",
)


def _field_from_loc(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        errors.setdefault(_field_from_loc(err.get("loc", ())), []).append(err.get("msg", "Invalid value."))
    return api.create_response(request, {"detail": "Some fields are invalid.", "errors": errors}, status=422)


@api.exception_handler(ServiceError)
@api.exception_handler(PermissionDenied)
def _service_error(request, exc: ServiceError | PermissionDenied):
    status, body = error_body(exc)
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Sign in or send 'Authorization: Bearer <token>'.", "errors": {}}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found.", "errors": {}}, status=404)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return api.create_response(request, {"detail": f"The request body is over the {limit_mb:.1f} MB limit.", "errors": {}}, status=413)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Internal error; it has been logged.", "errors": {}}, status=500)


from ketamine_clinic.accounts.api import router as accounts_router  # noqa: E402
from ketamine_clinic.assessments.api import router as assessments_router  # noqa: E402
from ketamine_clinic.inventory.api import router as inventory_router  # noqa: E402
from ketamine_clinic.education.api import router as education_router  # noqa: E402
from ketamine_clinic.notes.api import router as notes_router  # noqa: E402
from ketamine_clinic.billing.api import router as billing_router  # noqa: E402
from ketamine_clinic.outcomes.api import router as outcomes_router  # noqa: E402
from ketamine_clinic.patients.api import router as patients_router  # noqa: E402
from ketamine_clinic.pharmacology.api import router as pharmacology_router  # noqa: E402
from ketamine_clinic.plans.api import router as plans_router  # noqa: E402
from ketamine_clinic.screening.api import router as screening_router  # noqa: E402
from ketamine_clinic.treatments.api import router as treatments_router  # noqa: E402
from ketamine_clinic.directory.api import router as directory_router  # noqa: E402
from ketamine_clinic.referrals.api import router as referrals_router  # noqa: E402

api.add_router("", accounts_router)
api.add_router("/patients", patients_router)
# Each of these routers declares full paths (e.g. "/patients/{id}/evaluations", "/instruments").
api.add_router("", screening_router)
api.add_router("", assessments_router)
api.add_router("", outcomes_router)
api.add_router("", pharmacology_router)
api.add_router("", plans_router)
api.add_router("", treatments_router)
api.add_router("", inventory_router)
api.add_router("", notes_router)
api.add_router("", education_router)
api.add_router("", directory_router)
api.add_router("", referrals_router)
api.add_router("", billing_router)
