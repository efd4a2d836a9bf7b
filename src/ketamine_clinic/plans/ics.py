"""iCalendar (RFC 5545) for a patient's upcoming appointments, written by hand.

Only what the patient needs: the clinic's name, the location and its address, the time, and the
visit instructions. No diagnosis, no drug name beyond what the instructions say.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[dict], *, name: str, now: dt.datetime) -> str:
    """``events``: dicts with uid, start, end (aware), summary, location, description, status, sequence."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ketamine-clinic//appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e['uid']}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(e['start'])}",
            f"DTEND:{_utc(e['end'])}",
            f"SEQUENCE:{e.get('sequence', 0)}",
            f"STATUS:{e.get('status', 'CONFIRMED')}",
            f"SUMMARY:{escape_text(e['summary'])}",
            f"LOCATION:{escape_text(e['location'])}",
            f"DESCRIPTION:{escape_text(e['description'])}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
