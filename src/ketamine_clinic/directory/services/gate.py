"""The signing gate: a prescriber whose recorded licence or DEA registration has expired signs no
orders. It reads the recorded profile only; a prescriber with no profile recorded is not blocked
(the clinic has not entered the data), which the profile page says."""

import datetime as dt

from ketamine_clinic.core.errors import Conflict

from ..models import ProviderProfile


def prescriber_block_reason(user, on_date: dt.date) -> str | None:
    """Why ``user`` may not sign orders on ``on_date``, or None."""
    profile = ProviderProfile.objects.filter(user_id=getattr(user, "pk", None)).first()
    if profile is None:
        return None
    problems = []
    if profile.dea_expires_on is not None and profile.dea_expires_on < on_date:
        problems.append(f"DEA registration {profile.dea_number} expired on {profile.dea_expires_on:%Y-%m-%d}")
    licences = list(profile.licences.all())
    if licences and all(lic.expires_on < on_date for lic in licences):
        listed = ", ".join(f"{lic.state} {lic.number} expired on {lic.expires_on:%Y-%m-%d}" for lic in licences)
        problems.append(f"no current state licence ({listed})")
    if not problems:
        return None
    name = user.get_full_name() or user.username
    return f"{name} cannot sign orders: " + "; ".join(problems) + ". Renew it and update the provider profile."


def refuse_if_blocked(user, on_date: dt.date, field: str = "signed_by") -> None:
    """Conflict (409) naming the reason when ``user`` may not sign on ``on_date``."""
    reason = prescriber_block_reason(user, on_date)
    if reason:
        raise Conflict(reason, {field: [reason]})
