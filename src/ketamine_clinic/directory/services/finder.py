"""The public clinic finder: each clinic's opt-in listing (clinic admin) and the public search.

Only what a clinic published is read here, and only from published listings: never a patient,
never a staff member who is not a clinician, never a licence or DEA number."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import P, T, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound, validated

from .. import forms as dforms
from ..geo import centroid
from ..models import ClinicListing, ProviderLicence, ProviderProfile
from ..opening_hours import time_zone_label, weekly_hours
from ..rules.finder import DEFAULT_GFE_NOTICE
from ..rules.geo import DEFAULT_RADIUS_MILES, haversine_miles
from ..rules.taxonomy import display

MAX_RESULTS = 100
LISTING_FIELDS = [f for f in dforms.ListingForm.base_fields]


def listing_for(ctx: Context) -> ClinicListing:
    """The actor's clinic listing, or an unsaved default (unpublished) to fill in."""
    require(ctx.user, "directory.listing_manage")
    org = ctx.user.organization
    return ClinicListing.objects.filter(organization=org).first() or ClinicListing(
        organization=org, display_name=org.name, good_faith_estimate_notice=DEFAULT_GFE_NOTICE)


def save_listing(ctx: Context, data) -> ClinicListing:
    require(ctx.user, "directory.listing_manage")
    cleaned = validated(dforms.ListingForm, data)
    org = ctx.user.organization
    with transaction.atomic():
        listing, _ = ClinicListing.objects.get_or_create(organization=org, defaults={"display_name": org.name})
        listing = ClinicListing.objects.select_for_update().get(pk=listing.pk)
        was_published = listing.published
        for name in LISTING_FIELDS:
            setattr(listing, name, cleaned[name])
        listing.updated_by = ctx.user
        listing.save()
        record(ctx, Action.DIRECTORY_LISTING_SAVE, obj=listing, detail={
            "published": listing.published, "was_published": was_published,
            "routes": listing.routes, "accepting_new_patients": listing.accepting_new_patients})
    return listing


def telehealth_licence_gaps(ctx: Context, today) -> list[str]:
    """The telehealth states the clinic's listing advertises where none of its active prescribers holds
    a current licence (from the recorded profiles): the admin's listing page warns about them."""
    require(ctx.user, "directory.listing_manage")
    listing = ClinicListing.objects.filter(organization_id=ctx.user.organization_id).first()
    if listing is None or not listing.telehealth_states:
        return []
    licensed = set(ProviderLicence.objects.filter(
        profile__organization_id=ctx.user.organization_id, profile__user__is_active=True,
        profile__user__roles__role=P.value, expires_on__gte=today).values_list("state", flat=True))
    return [state for state in listing.telehealth_states if state not in licensed]


@dataclass(frozen=True)
class FinderResult:
    listing: ClinicListing
    location_name: str
    address: str
    phone: str
    distance_miles: float


def _folded(values) -> set[str]:
    return {v.casefold() for v in values}


def _within_price(listing: ClinicListing, max_usd) -> bool:
    return listing.self_pay_min_usd is not None and listing.self_pay_min_usd <= max_usd


# One row per finder filter: (criterion, does the listing pass it given the asked value). A filter
# left empty (None, "", False) is not applied.
_FILTERS = (
    ("route", lambda listing, v: v in listing.routes),
    ("indication", lambda listing, v: v in listing.indications),
    ("rems_certified", lambda listing, v: listing.spravato_rems_certified),
    ("kap", lambda listing, v: listing.kap_offered),
    ("telehealth_state", lambda listing, v: v in listing.telehealth_states),
    ("accepting", lambda listing, v: listing.accepting_new_patients),
    ("insurance", lambda listing, v: v.casefold() in _folded(listing.insurance_networks)),
    ("max_price_usd", _within_price),
    ("sliding_scale", lambda listing, v: listing.sliding_scale),
    ("language", lambda listing, v: v.casefold() in _folded(listing.languages)),
    ("accessibility", lambda listing, v: v in listing.accessibility),
)


def _asked(key: str, value) -> bool:
    return value is not None if key == "max_price_usd" else bool(value)


def _matches(listing: ClinicListing, c: dict) -> bool:
    return all(passes(listing, c[key]) for key, passes in _FILTERS if _asked(key, c.get(key)))


def search(data) -> tuple[list[FinderResult], int]:
    """Published clinic locations within the radius of the ZIP that match every filter, nearest
    first; (the first MAX_RESULTS, how many matched). Bad input: ValidationFailed (422)."""
    c = validated(dforms.FinderForm, data)
    radius = c.get("radius_miles") or DEFAULT_RADIUS_MILES
    lat, lon = centroid(c["zip"])
    # Distances first, over plain (id, clinic, ZIP) tuples; whole rows only for what is in range.
    near = {}
    for loc_id, org_id, postal_code in Location.objects.filter(
            organization__listing__published=True, is_active=True).values_list("id", "organization_id", "postal_code"):
        point = centroid(postal_code)
        if point is not None and (miles := haversine_miles(lat, lon, *point)) <= radius:
            near[loc_id] = (org_id, miles)
    org_ids = {org_id for org_id, _ in near.values()}
    listings = {l.organization_id: l for l in ClinicListing.objects.filter(published=True, organization_id__in=org_ids)
                if _matches(l, c)}
    found = []
    for loc in Location.objects.filter(id__in=[i for i, (o, _) in near.items() if o in listings]).only(
            "organization_id", "name", "address_line", "city", "region", "postal_code", "phone"):
        listing, miles = listings[loc.organization_id], near[loc.id][1]
        found.append(FinderResult(listing, loc.name, _address(loc), loc.phone or listing.phone, round(miles, 1)))
    found.sort(key=lambda r: (r.distance_miles, r.listing.display_name, r.location_name))
    return found[:MAX_RESULTS], len(found)


def public_clinic(listing_id) -> dict:
    """A published clinic's page: its listing, locations, and its clinicians' public profiles."""
    listing = ClinicListing.objects.filter(public_id=listing_id, published=True).select_related("organization").first()
    if listing is None:
        raise NotFound("No such clinic in the finder.")
    locations = Location.objects.filter(organization_id=listing.organization_id, is_active=True).order_by("name")
    # Opening hours are read per location (a clinic has a handful), through the provider plans registers.
    profiles = (ProviderProfile.objects.filter(organization_id=listing.organization_id, user__is_active=True,
                                               user__roles__role__in=[P.value, T.value])
                .select_related("user").prefetch_related("credentials").distinct()
                .order_by("user__last_name", "user__first_name"))
    now = timezone.now()
    clinicians = [{"name": p.user.get_full_name() or p.user.username, "credentials": p.user.credentials,
                   "specialty": display(p.primary_taxonomy) if p.primary_taxonomy else "",
                   "certificates": _current_certificates(p, timezone.localdate(now)),
                   "languages": p.languages, "npi": p.npi} for p in profiles]
    listed = [{"location": loc, "address": _address(loc), "phone": loc.phone or listing.phone,
               "time_zone": time_zone_label(loc, now), "opening_hours": weekly_hours(loc)} for loc in locations]
    return {"listing": listing, "locations": list(locations), "listed_locations": listed, "clinicians": clinicians}


def _current_certificates(profile: ProviderProfile, today) -> list[str]:
    """Titles (with issuer) of the clinician's credentials that have not expired, e.g. a KAP training
    certificate; dates stay private."""
    return [f"{c.title} ({c.issuer})" if c.issuer else c.title for c in profile.credentials.all()
            if c.expires_on is None or c.expires_on >= today]


def _address(loc: Location) -> str:
    return ", ".join(p for p in (loc.address_line, loc.city, f"{loc.region} {loc.postal_code}".strip()) if p)


def money(value: Decimal | None) -> str:
    return f"${value:,.0f}" if value is not None else ""
