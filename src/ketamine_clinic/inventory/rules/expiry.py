"""Expiry and beyond-use dates of a container. The beyond-use period after opening a multi-dose
vial is a clinic setting (default 28 days, clinic policy; USP <797> is marked *verify*)."""

import datetime as dt


def beyond_use_date(opened_on: dt.date | None, beyond_use_days: int) -> dt.date | None:
    return None if opened_on is None else opened_on + dt.timedelta(days=beyond_use_days)


def usable_problem(*, today: dt.date, expiry_date: dt.date, opened_on: dt.date | None, beyond_use_days: int) -> str | None:
    """Why a container may not be dosed from today, or None. Usable through its expiry and BUD dates."""
    if today > expiry_date:
        return f"Expired on {expiry_date.isoformat()}."
    bud = beyond_use_date(opened_on, beyond_use_days)
    if bud is not None and today > bud:
        return f"Past its beyond-use date ({bud.isoformat()}, {beyond_use_days} days after opening: clinic policy)."
    return None
