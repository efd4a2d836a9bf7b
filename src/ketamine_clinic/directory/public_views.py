"""The public clinic finder: no sign-in. Shows only what clinics published (opt-in)."""

from django.shortcuts import render

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.web.forms import bound

from . import forms as dforms
from . import services
from .rules.finder import ACCESSIBILITY_LABELS


def search(request):
    form, results, total, status = dforms.FinderForm(), None, 0, 200
    if request.GET:
        try:
            results, total = services.search(request.GET)
            form = dforms.FinderForm(request.GET)
            form.is_valid()
        except ValidationFailed as exc:
            form, status = bound(dforms.FinderForm, request.GET, exc.errors), 422
    return render(request, "directory/finder.html", {"form": form, "results": results, "total": total}, status=status)


def clinic(request, listing_id):
    page = services.public_clinic(listing_id)
    listing = page["listing"]
    return render(request, "directory/clinic_page.html", {
        **page, "accessibility": [ACCESSIBILITY_LABELS.get(a, a) for a in listing.accessibility],
        "routes": [dict(dforms.ROUTE_CHOICES).get(r, r) for r in listing.routes],
        "indications": [dict(dforms.INDICATION_CHOICES).get(i, i) for i in listing.indications],
    })
