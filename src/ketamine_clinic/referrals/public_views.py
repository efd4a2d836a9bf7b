"""The public referral and appointment-request forms (no sign-in). Hostile input: the body size is
checked before it is read; the thank-you page never repeats what was sent."""

from django.shortcuts import render

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.directory.models import ClinicListing
from ketamine_clinic.web.forms import bound

from . import services
from .forms import ClinicianReferralForm, SelfReferralForm
from .models import ReferralKind
from .services.public import HONEYPOT_FIELD, RateLimited

PAGES = {
    ReferralKind.CLINICIAN: (ClinicianReferralForm, "Refer a patient to"),
    ReferralKind.SELF: (SelfReferralForm, "Request an appointment at"),
}


def _refused(request, message: str, status: int):
    return render(request, "referrals/public_refused.html", {"message": message}, status=status)


def _too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > services.MAX_BODY_BYTES
    except ValueError:
        return True


def _form_page(request, listing_id, kind):
    listing = services.published_listing(listing_id)
    form_class, heading = PAGES[kind]
    form, status = form_class(), 200
    if request.method == "POST":
        if _too_large(request):  # before request.POST reads the body
            return _refused(request, f"The form is too large (at most {services.MAX_BODY_BYTES // 1024} KB): "
                                     "shorten the text and send it again.", 413)
        try:
            services.submit(Context.from_request(request), listing_id, kind, request.POST)
        except RateLimited as exc:
            return _refused(request, exc.message, exc.status)
        except ValidationFailed as exc:
            form, status = bound(form_class, request.POST, exc.errors), exc.status
        else:
            return render(request, "referrals/public_thanks.html", {"listing": listing})
    return render(request, "referrals/public_form.html", {
        "listing": listing, "form": form, "heading": heading, "kind": kind, "honeypot": HONEYPOT_FIELD}, status=status)


def refer(request, listing_id):
    return _form_page(request, listing_id, ReferralKind.CLINICIAN)


def request_appointment(request, listing_id):
    return _form_page(request, listing_id, ReferralKind.SELF)


def refer_index(request):
    """Clinicians choose the clinic to refer to among the published ones."""
    listings = ClinicListing.objects.filter(published=True).order_by("display_name").only("public_id", "display_name")
    return render(request, "referrals/public_index.html", {"listings": listings})
