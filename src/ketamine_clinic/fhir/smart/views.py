"""SMART endpoints: discovery (``.well-known/smart-configuration``), the token endpoint, and the
clinic admin's page that registers backend clients."""

from django import forms
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from ketamine_clinic.accounts.models import User
from ketamine_clinic.audit.services import Context, client_ip
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.forms import with_errors

from . import services
from .models import SmartClient


def token_url(request) -> str:
    return request.build_absolute_uri("/fhir/r4/auth/token")


def smart_configuration(request):
    """SMART App Launch 2.x discovery, limited to what is served: backend services only."""
    return JsonResponse({
        "token_endpoint": token_url(request),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": services.ALGORITHMS,
        "scopes_supported": ["system/*.read", "system/*.rs", "system/*.write", "system/*.cud"],
        "capabilities": ["client-confidential-asymmetric"],
    })


@csrf_exempt  # a machine-to-machine POST; the signed assertion is the authentication
def token(request):
    if request.method != "POST":
        return JsonResponse({"error": "invalid_request", "error_description": "POST a form to this endpoint."}, status=405)
    try:
        body = services.issue_token(request.POST, token_url(request), client_ip(request))
    except services.OAuthError as exc:
        return JsonResponse({"error": exc.error, "error_description": exc.description}, status=exc.status)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200, label="Client name (the system that connects)")
    service_user = forms.ModelChoiceField(queryset=User.objects.none(), label="Acts as (its role decides what it may do)")
    scopes = forms.CharField(max_length=2000, label="Scopes, space-separated (e.g. system/Patient.read system/Observation.rs)")
    jwks = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="Public keys (a JWK Set: {\"keys\": [...]})")

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_user"].queryset = User.objects.filter(organization_id=organization_id, is_active=True).order_by("username")


@staff_required("org.manage")
def clients(request):
    form, created, status = ClientForm(organization_id=request.user.organization_id), None, 200
    if request.method == "POST":
        form = ClientForm(request.POST, organization_id=request.user.organization_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.register_client(Context.from_request(request), data["name"], data["jwks"], data["scopes"], data["service_user"])
                form = ClientForm(organization_id=request.user.organization_id)
            except ValidationFailed as exc:
                form, status = with_errors(form, exc.errors), 400
        else:
            status = 400
    registered = SmartClient.objects.filter(organization_id=request.user.organization_id).select_related("service_user")
    return render(request, "fhir/smart_clients.html", {"form": form, "created": created, "clients": registered,
                                                        "token_url": token_url(request)}, status=status)
