"""Opening hours for the public clinic page, filled from ``plans`` (which stores them) in its
``AppConfig.ready()``: plans sits above the directory and the directory never imports it; it only calls
what was registered here.

- ``PROVIDERS``: ``fn(location) -> {weekday: [(opens, closes), ...]}`` (0 = Monday; ``datetime.time``
  values in the location's local time). Without a provider the page lists no hours.
"""

import datetime as dt

PROVIDERS: list = []

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekly_hours(location) -> list[dict]:
    """Monday to Sunday: {"weekday", "day", "spans": [{"opens", "closes"}]} (empty spans: closed), in the
    location's local time; [] when no provider is registered or no hours are recorded."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for provider in PROVIDERS:
        for weekday, spans in provider(location).items():
            by_day.setdefault(weekday, []).extend(spans)
    if not by_day:
        return []
    return [{"weekday": n, "day": name, "spans": [{"opens": o, "closes": c} for o, c in sorted(by_day.get(n, []))]}
            for n, name in enumerate(DAY_NAMES)]


def time_zone_label(location, now: dt.datetime) -> str:
    """E.g. "America/New_York, EST": the zone the hours are given in, with its abbreviation today."""
    return f"{location.time_zone}, {now.astimezone(location.tz).tzname()}"
