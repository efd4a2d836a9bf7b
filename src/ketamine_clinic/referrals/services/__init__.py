"""The referrals' reads and writes (every write: permission, validation, one transaction, audit)."""

from .accept import accept
from .inbox import candidates, change_status, get_referral_for, referrals_for
from .letters import generate_letter, letter_for_sending
from .public import MAX_BODY_BYTES, RateLimited, published_listing, submit

__all__ = ["accept", "candidates", "change_status", "get_referral_for", "referrals_for", "generate_letter",
           "letter_for_sending", "MAX_BODY_BYTES", "RateLimited", "published_listing", "submit"]
