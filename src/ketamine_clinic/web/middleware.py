"""Service errors a view lets through, mapped once: to the 404/403 pages, a 4xx page, or JSON.

Views therefore call read helpers directly (``get_patient_for``, ``get_plan_for``…): an unknown
or another clinic's record raises NotFound and the visitor gets the 404 page, never a 500.
The REST API maps the same errors with the same ``error_body`` (see ``ketamine_clinic.api``).
"""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from ketamine_clinic.core.errors import NotFound, PermissionDenied, ServiceError

from .access import forbidden
from .refusals import error_body, refusal_text


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


class ServiceErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not isinstance(exc, (ServiceError, PermissionDenied)):
            return None
        if wants_json(request):
            status, body = error_body(exc)
            return JsonResponse(body, status=status)
        if isinstance(exc, NotFound):
            raise Http404(exc.message) from exc  # Django's own 404 handling and page
        if isinstance(exc, PermissionDenied):
            return forbidden(request, exc.action)
        return render(request, "web/refused.html", {"message": refusal_text(exc)}, status=exc.status)
