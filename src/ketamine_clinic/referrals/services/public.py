"""The public forms' door: a referral from an outside clinician or an appointment request from a
clinic's public page. Hostile input: a per-address rate limit kept in the database, a honeypot
field, every field validated and capped; what is stored waits in quarantine (status ``new``)."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound, ServiceError, validated
from ketamine_clinic.directory.models import ClinicListing

from .. import clinic_policy
from ..forms import ClinicianReferralForm, SelfReferralForm
from ..models import PublicPostWindow, Referral, ReferralKind

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"  # hidden from people by CSS; a bot that fills every field fills it
MAX_BODY_BYTES = 64 * 1024  # the fields' caps add up to about 13,000 characters; room for encoding


class RateLimited(ServiceError):
    status = 429


FORMS = {ReferralKind.CLINICIAN: ClinicianReferralForm, ReferralKind.SELF: SelfReferralForm}
_MODEL_FIELDS = {f.name for f in Referral._meta.get_fields()}


def published_listing(listing_id) -> ClinicListing:
    listing = ClinicListing.objects.filter(public_id=listing_id, published=True).select_related("organization").first()
    if listing is None:
        raise NotFound("No such clinic in the finder.")
    return listing


def _client_key(address: str | None) -> str:
    # A keyed hash: the table never holds visitors' addresses, yet one address always maps to one row.
    return hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def count_post(address: str | None, limit: int, *, honeypot: bool = False) -> bool:
    """Count one post from ``address`` in this clock hour; False when it is over ``limit``."""
    key, window = _client_key(address), timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        PublicPostWindow.objects.get_or_create(client_key=key, window_start=window)
        row = PublicPostWindow.objects.select_for_update().get(client_key=key, window_start=window)
        if row.posts >= limit:
            return False
        row.posts += 1
        row.honeypot_hits += int(honeypot)
        row.save(update_fields=["posts", "honeypot_hits"])
    return True


def submit(ctx: Context, listing_id, kind: str, data) -> Referral | None:
    """Store a submission in quarantine; None when the honeypot caught it (nothing stored, but
    counted and logged). RateLimited (429) over the clinic's limit; ValidationFailed (422)."""
    listing = published_listing(listing_id)
    org = listing.organization
    trapped = bool((data.get(HONEYPOT_FIELD) or "").strip())
    if not count_post(ctx.source_ip, clinic_policy.public_posts_per_hour(org), honeypot=trapped):
        log.warning("referrals: public post over the rate limit for %s", org.slug)
        raise RateLimited("Too many requests from your address: please try again in an hour, or call the clinic.")
    if trapped:
        log.warning("referrals: honeypot field filled on a public form for %s; nothing stored", org.slug)
        return None
    cleaned = validated(FORMS[kind], data)
    fields = {k: v for k, v in cleaned.items() if k in _MODEL_FIELDS}
    with transaction.atomic():
        referral = Referral.objects.create(organization=org, kind=kind, **fields)
        # The event names the submission, never its contents (they are untrusted and may carry PHI).
        record(ctx, Action.REFERRAL_SUBMIT, obj=referral, organization=org, detail={"kind": kind})
    return referral

