"""The FHIR endpoints under /fhir/r4/: auth, content negotiation and the OperationOutcome for every
refusal. Reads and writes go to the resource types in ``resources`` (services underneath)."""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ketamine_clinic.accounts.mfa import MfaRequired
from ketamine_clinic.accounts.services import user_for_token
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound, PermissionDenied, ServiceError

from . import writes
from .capability import capability_statement
from .errors import FhirError, from_exception, outcome
from .plan_net import plan_net_bundle
from .resources import REGISTRY
from .search import parse_includes, parse_query, searchset
from .smart import scopes as smart_scopes
from .smart import services as smart_services

FHIR_JSON = "application/fhir+json; charset=utf-8"
SAFE = ("GET", "HEAD")


def respond(body: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=FHIR_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def base_url(request) -> str:
    return request.build_absolute_uri("/fhir/r4").rstrip("/")


def fhir_view(methods):
    """Bearer token (or a signed-in staff session, reads only); every error an OperationOutcome."""

    def decorator(view):
        @csrf_exempt  # writes need a bearer token, which a browser never sends on its own
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise FhirError(405, f"{request.method} is not supported here.", "not-supported")
                ctx = _authenticate(request)
                return view(request, ctx, *args, **kwargs)
            except RequestDataTooBig:
                return respond(outcome([("too-costly", "The request body is too large.", [])]), 413)
            except (FhirError, ServiceError, PermissionDenied) as exc:
                status, body = from_exception(exc)
                headers = {"WWW-Authenticate": 'Bearer realm="fhir"'} if status == 401 else {}
                return respond(body, status, headers)

        return wrapper

    return decorator


def _authenticate(request) -> Context:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        try:
            user = _bearer_user(header.removeprefix("Bearer ").strip())
        except MfaRequired as exc:
            raise FhirError(403, str(exc), "security") from None
        if user is None:
            raise FhirError(401, "The bearer token is unknown, revoked or expired.", "login")
        request.user = user
    elif not request.user.is_authenticated:
        raise FhirError(401, "Send 'Authorization: Bearer <token>' (create a token under your profile or with the CLI).", "login")
    elif request.method not in SAFE:
        raise FhirError(403, "Writes need a bearer token, not a browser session.", "security")
    if not request.user.is_staff_member:
        raise FhirError(403, "The FHIR API is for clinic staff and systems.", "forbidden")
    return Context.from_request(request)


def _bearer_user(raw: str):
    """A SMART backend token (scopes set on the user) or a personal API token."""
    return smart_services.user_for_token(raw) if raw.startswith(smart_services.TOKEN_PREFIX) else user_for_token(raw)


def _body(request):
    try:
        return json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise FhirError(400, "The body is not valid JSON.", "structure") from None


def _type(resource_type: str):
    rtype = REGISTRY.get(resource_type)
    if rtype is None:
        raise FhirError(404, f"Unknown or unsupported resource type '{resource_type}'.", "not-supported")
    return rtype


@csrf_exempt  # a POST gets the 405 OperationOutcome, not the CSRF page
def metadata(request):
    if request.method not in SAFE:
        return respond(outcome([("not-supported", f"{request.method} is not supported here.", [])]), 405)
    return respond(capability_statement(base_url(request)))  # public: no clinic data (FHIR R4 http.html#capabilities)


@csrf_exempt  # a POST gets the 405 OperationOutcome, not the CSRF page
def plan_net(request):
    """The public directory (published clinic listings only) as a Plan-Net shaped collection Bundle."""
    if request.method not in SAFE:
        return respond(outcome([("not-supported", f"{request.method} is not supported here.", [])]), 405)
    return respond(plan_net_bundle(base_url(request)))


@fhir_view(("POST",))
def system(request, ctx):
    body = _body(request)
    smart_scopes.require_bundle(request.user, body)
    results = writes.transaction_bundle(ctx, body)
    entries = []
    for _entry, rtype, obj, status in results:
        resource = rtype.to_fhir(obj)
        version = resource.get("meta", {}).get("versionId", "1")
        entries.append({"response": {"status": status, "location": f"{resource['resourceType']}/{resource['id']}/_history/{version}"}, "resource": resource})
    return respond({"resourceType": "Bundle", "type": "transaction-response", "entry": entries})


@fhir_view(("GET", "HEAD", "POST"))
def type_level(request, ctx, resource_type):
    rtype = _type(resource_type)
    smart_scopes.require(request.user, resource_type, "c" if request.method == "POST" else "s")
    if request.method == "POST":
        rtype, obj = writes.create(ctx, resource_type, _body(request))
        resource = rtype.to_fhir(obj)
        return respond(resource, 201, {"Location": f"{base_url(request)}/{resource_type}/{resource['id']}"})
    pairs, count, offset = parse_query(request.GET, rtype.params)
    includes = parse_includes(request.GET, rtype.includes)
    items, patient = rtype.search(ctx, pairs)
    total = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    page = list(items[offset:offset + count])
    included = [resource for name in includes for resource in rtype.includes[name](ctx, page)]
    record(ctx, Action.FHIR_SEARCH, object_type=f"fhir.{resource_type.lower()}", patient=patient,
           organization=ctx.user.organization, detail={"query": request.GET.urlencode()[:500], "total": total})
    return respond(searchset(request, resource_type, page, total, count, offset, rtype.to_fhir, base_url(request), included))


@fhir_view(("GET", "HEAD", "PUT"))
def instance(request, ctx, resource_type, resource_id):
    rtype = _type(resource_type)
    smart_scopes.require(request.user, resource_type, "u" if request.method == "PUT" else "r")
    if request.method == "PUT":
        rtype, obj = writes.update(ctx, resource_type, resource_id, _body(request))
        return respond(rtype.to_fhir(obj))
    try:
        obj = rtype.read(ctx, resource_id)
    except NotFound as exc:
        raise FhirError(404, str(exc), "not-found") from None
    return respond(rtype.to_fhir(obj))
