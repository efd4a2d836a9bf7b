"""Limits on password guessing.

Sign-in: allauth counts failures per (username, source address), so nobody can lock a colleague
out from elsewhere; the per-address limit in ``ACCOUNT_RATE_LIMITS`` caps one address across all
usernames. The source address honours ``ALLAUTH_TRUSTED_PROXY_COUNT`` behind a reverse proxy.

Co-signature: wrong co-signer passwords count against the co-signer's account (any address),
with the same limit as sign-in. A clinic admin can unlock a user: that starts a new count for
both (an "epoch" in the key, so every address is freed at once without scanning the cache).
"""

import time
import uuid

from allauth.core.internal.ratelimit import cache_lock, get_cache_key, parse_rates
from django.conf import settings
from django.core.cache import cache


def _epoch(username: str) -> str:
    return cache.get(f"kc:lock-epoch:{username.lower()}", "0")


def login_key(username: str, ip: str | None) -> str:
    """The allauth ``login_failed`` key: per username, per unlock, per source address."""
    return f"{username.lower()}:{_epoch(username)}:{ip or '-'}"


def failure_rate() -> tuple[int, float]:
    """(failures allowed, window in seconds): the per-key ``login_failed`` rate of allauth."""
    for rate in parse_rates(settings.ACCOUNT_RATE_LIMITS.get("login_failed")):
        if rate.per == "key":
            return rate.amount, rate.duration
    return 5, 15 * 60


COSIGN_LOCKED = ("Too many wrong passwords for this co-signer: try again later, "
                 "or ask a clinic admin to unlock the account (Clinic admin, Unlock sign-in).")


def _cosign_key(user) -> str:
    return f"kc:cosign-failed:{user.pk}:{_epoch(user.username)}"


def _recent(history: list[float], now: float, window_s: float) -> list[float]:
    return [t for t in history if t > now - window_s]


def cosign_locked(user) -> bool:
    amount, window_s = failure_rate()
    return len(_recent(cache.get(_cosign_key(user), []), time.time(), window_s)) >= amount


def record_cosign_failure(user) -> None:
    """Call outside the dosing transaction (the cache lives in the database and would roll back)."""
    _, window_s = failure_rate()
    key = _cosign_key(user)
    now = time.time()
    with cache_lock(key):  # serializes concurrent failures; after a 1 s wait it writes anyway
        history = _recent(cache.get(key, []), now, window_s) + [now]
        cache.set(key, history, int(window_s) + 1)


def unlock(user) -> None:
    """Forget every counted failure of ``user`` (sign-in from every address, co-signature, second factor)."""
    cache.set(f"kc:lock-epoch:{user.username.lower()}", uuid.uuid4().hex, None)
    for rate in parse_rates(settings.ACCOUNT_RATE_LIMITS.get("login_failed")):
        if rate.per == "key":
            # allauth's own key for wrong second-factor codes
            cache.delete(get_cache_key(None, app="allauth.account", action="login_failed", rate=rate, key=f"mfa-auth-user-{user.pk}"))
