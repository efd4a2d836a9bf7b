"""Provider-profile pages: thin — parse, call a service, render."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ServiceError, ValidationFailed, error_text
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.forms import bound, with_errors

from . import forms as dforms
from . import npi_registry, services
from .services import finder as _finder  # noqa: F401  (LISTING_FIELDS)
from .rules.taxonomy import display


def _ctx(request) -> Context:
    return Context.from_request(request)


@staff_required("directory.view")
def clinicians(request):
    rows = services.clinicians_for(_ctx(request))
    return render(request, "directory/clinicians.html", {"rows": rows, "perms_import": request.user.may("directory.edit_any")})


def _profile_initial(profile) -> dict:
    if profile is None:
        return {}
    return {"npi": profile.npi, "taxonomy_codes": profile.taxonomy_codes, "primary_taxonomy": profile.primary_taxonomy,
            "dea_number": profile.dea_number, "dea_expires_on": profile.dea_expires_on,
            "languages": ", ".join(profile.languages)}


def _page(request, user_id, *, profile_form=None, licence_form=None, credential_form=None, status=200, error=""):
    ctx = _ctx(request)
    user, profile = services.get_profile_for(ctx, user_id)
    return render(request, "directory/profile.html", {
        "clinician": user, "profile": profile,
        "taxonomies": [(c, display(c)) for c in (profile.taxonomy_codes if profile else [])],
        "can_edit": services.may_edit(request.user, user),
        "block_reason": services.prescriber_block_reason(user, timezone.localdate()),
        "nppes": profile.nppes_snapshot if profile else None, "mismatches": services.nppes_mismatches(profile),
        "profile_form": profile_form or dforms.ProfileForm(initial=_profile_initial(profile)),
        "licence_form": licence_form or dforms.LicenceForm(),
        "credential_form": credential_form or dforms.CredentialForm(),
        "registry_enabled": npi_registry.enabled(), "registry_error": error,
    }, status=status)


def _save(request, user_id, service, form_name, form_class, done):
    """POST to the profile page's ``service``: refused, the page again with ``form_name`` bound to the errors;
    saved, flash ``done(result)`` and back to the profile."""
    try:
        result = service(_ctx(request), user_id, request.POST)
    except ValidationFailed as exc:
        return _page(request, user_id, status=exc.status, **{form_name: bound(form_class, request.POST, exc.errors)})
    messages.success(request, done(result))
    return redirect("directory:profile", user_id=user_id)


@staff_required("directory.view")
def profile(request, user_id):
    return _page(request, user_id)


@staff_required("directory.edit_own", "directory.edit_any")
@require_POST
def profile_save(request, user_id):
    return _save(request, user_id, services.save_profile, "profile_form", dforms.ProfileForm, lambda _: "Profile saved.")


@staff_required("directory.edit_own", "directory.edit_any")
@require_POST
def licence_save(request, user_id):
    return _save(request, user_id, services.save_licence, "licence_form", dforms.LicenceForm,
                 lambda licence: f"{licence.state} licence saved.")


@staff_required("directory.edit_own", "directory.edit_any")
@require_POST
def licence_remove(request, user_id, state):
    services.remove_licence(_ctx(request), user_id, state)
    messages.success(request, f"{state} licence removed.")
    return redirect("directory:profile", user_id=user_id)


@staff_required("directory.edit_own", "directory.edit_any")
@require_POST
def credential_add(request, user_id):
    return _save(request, user_id, services.add_credential, "credential_form", dforms.CredentialForm,
                 lambda _: "Credential added.")


@staff_required("directory.edit_own", "directory.edit_any")
@require_POST
def registry_lookup(request, user_id):
    try:
        result = services.registry_lookup(_ctx(request), user_id)
    except ServiceError as exc:  # no valid NPI (422), no record (422), the registry failed (502)
        return _page(request, user_id, status=exc.status, error=error_text(exc))
    found = result["found"]
    messages.success(request, f"NPI Registry record of {found['first_name']} {found['last_name']} (NPI {found['npi']}) stored"
                              + ("; taxonomy codes pre-filled." if result["prefilled"] else "."))
    return redirect("directory:profile", user_id=user_id)


class NppesUploadForm(forms.Form):
    file = forms.FileField(label="NPPES file (dissemination CSV extract or NPI Registry API JSON)")


@staff_required("directory.edit_any")
def nppes_import(request):
    form, result, status = NppesUploadForm(), None, 200
    if request.method == "POST":
        form = NppesUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = services.import_nppes(_ctx(request), form.cleaned_data["file"])
            except ValidationFailed as exc:
                form, status = with_errors(form, exc.errors), exc.status
        else:
            status = 422
    return render(request, "directory/nppes_import.html", {"form": form, "result": result}, status=status)


def _listing_initial(listing) -> dict:
    initial = {name: getattr(listing, name) for name in _finder.LISTING_FIELDS}
    initial["insurance_networks"] = ", ".join(listing.insurance_networks)
    initial["languages"] = ", ".join(listing.languages)
    return initial


@staff_required("directory.listing_manage")
def listing(request):
    ctx = _ctx(request)
    current = services.listing_for(ctx)
    form, status = dforms.ListingForm(initial=_listing_initial(current)), 200
    if request.method == "POST":
        try:
            services.save_listing(ctx, request.POST)
        except ValidationFailed as exc:
            form, status = bound(dforms.ListingForm, request.POST, exc.errors), exc.status
        else:
            messages.success(request, "Listing saved.")
            return redirect("directory:listing")
    gaps = services.telehealth_licence_gaps(ctx, timezone.localdate())
    return render(request, "directory/listing.html", {"form": form, "listing": current, "telehealth_gaps": gaps},
                  status=status)
