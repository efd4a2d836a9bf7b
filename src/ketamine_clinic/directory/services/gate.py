"""The signing gate: a prescriber whose recorded licence or DEA registration has expired signs no
orders, and for a session or plan at a location in state X needs a current licence in X (state
licensure follows where the patient is treated). It reads the recorded profile only; a prescriber
with no profile (or no licence) recorded is not blocked on that part (the clinic has not entered the
data), which the profile page says."""

import datetime as dt

from ketamine_clinic.core.errors import Conflict

from ..clinic_policy import block_when_location_state_unknown
from ..models import ProviderProfile
from ..rules.states import state_code


def _expired(lic) -> str:
    return f"{lic.state} {lic.number} expired on {lic.expires_on:%Y-%m-%d}"


def _licence_problem(licences: list, on_date: dt.date, location) -> str | None:
    """Why the recorded licences do not cover an order at ``location`` (None: they do)."""
    state = state_code(location.region) if location is not None else None
    if state is None and location is not None and block_when_location_state_unknown(location.organization):
        return (f"the location {location.name} has no US state recorded, so the licence state cannot be matched "
                "(clinic policy: block)")
    if state is None:  # no location given, or its state unknown (warned on the checklist): any current licence
        if all(lic.expires_on < on_date for lic in licences):
            return "no current state licence (" + ", ".join(_expired(lic) for lic in licences) + ")"
        return None
    in_state = [lic for lic in licences if lic.state == state]
    if any(lic.expires_on >= on_date for lic in in_state):
        return None
    held = ", ".join(_expired(lic) if lic.expires_on < on_date else f"{lic.state} {lic.number}" for lic in licences)
    return f"no current {state} licence for an order at {location.name} in {state} (recorded: {held})"


def prescriber_block_reason(user, on_date: dt.date, location=None) -> str | None:
    """Why ``user`` may not sign orders on ``on_date`` (for a session or plan at ``location``, when
    given: a ``accounts.Location``), or None."""
    profile = ProviderProfile.objects.filter(user_id=getattr(user, "pk", None)).first()
    if profile is None:
        return None
    problems = []
    if profile.dea_expires_on is not None and profile.dea_expires_on < on_date:
        problems.append(f"DEA registration {profile.dea_number} expired on {profile.dea_expires_on:%Y-%m-%d}")
    licences = list(profile.licences.all())
    if licences and (problem := _licence_problem(licences, on_date, location)):
        problems.append(problem)
    if not problems:
        return None
    name = user.get_full_name() or user.username
    return f"{name} cannot sign orders: " + "; ".join(problems) + ". Renew it and update the provider profile."


def location_state_warning(user, location) -> str:
    """A warning for the checklist when ``location`` names no US state and the clinic's policy is to
    warn (not block): the prescriber's licences could not be matched to it. "" otherwise."""
    if location is None or state_code(location.region) is not None:
        return ""
    if block_when_location_state_unknown(location.organization):
        return ""  # the gate blocks instead
    if not ProviderProfile.objects.filter(user_id=getattr(user, "pk", None), licences__isnull=False).exists():
        return ""
    region = f" ({location.region!r} is not a US state)" if location.region else ""
    return (f"The location {location.name} has no US state recorded{region}: the ordering prescriber's licence could "
            "not be matched to it. Record the state on the location (clinic policy: warn).")


def refuse_if_blocked(user, on_date: dt.date, field: str = "signed_by", location=None) -> None:
    """Conflict (409) naming the reason when ``user`` may not sign on ``on_date`` (at ``location``)."""
    reason = prescriber_block_reason(user, on_date, location)
    if reason:
        raise Conflict(reason, {field: [reason]})
