"""The referrals' reads and writes (every write: permission, validation, one transaction, audit)."""

from .accept import accept
from .inbox import candidates, change_status, get_referral_for, referrals_for
from .letters import due_kinds, generate_letter, letter_for_sending, letters_due_for
from .public import MAX_BODY_BYTES, RateLimited, published_listing, submit

__all__ = ["accept", "candidates", "change_status", "get_referral_for", "referrals_for", "due_kinds", "generate_letter",
           "letter_for_sending", "letters_due_for", "MAX_BODY_BYTES", "RateLimited", "published_listing", "submit"]
