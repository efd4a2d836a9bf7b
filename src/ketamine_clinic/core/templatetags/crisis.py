"""The clinic's crisis line as a tap-to-call link, said once.

The organization stores the line as text ("988 Suicide & Crisis Lifeline (call or text 988)" by
default). Shown as: <a href="tel:988">988</a> Suicide & Crisis Lifeline — the number a link, the
name once, and a trailing "(call or text …)" dropped because the sentence around it says that.
"""

import re

from django import template
from django.utils.html import format_html

register = template.Library()

_REPEAT = re.compile(r"\s*\((?:call|text|call or text|call/text)\b[^)]*\)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"\+?\d[\d\s().-]{1,18}\d|\b\d{3}\b")


def split_crisis_line(text: str) -> tuple[str, str, str]:
    """(number as written, digits to dial, the rest of the name) of a crisis-line text."""
    text = _REPEAT.sub("", (text or "").strip())
    match = _NUMBER.search(text)
    if match is None:
        return "", "", text
    number = match.group(0).strip()
    rest = (text[:match.start()] + text[match.end():]).strip(" -–—,")
    return number, re.sub(r"[^\d+]", "", number), rest


@register.simple_tag
def crisis_call(organization, fallback="988 Suicide & Crisis Lifeline"):
    """The crisis line with its number as a ``tel:`` link (for "Call or text …")."""
    number, dial, rest = split_crisis_line(getattr(organization, "crisis_line", "") or fallback)
    if not number:
        return rest
    if rest:
        return format_html('<a href="tel:{}"><strong>{}</strong></a> ({})', dial, number, rest)
    return format_html('<a href="tel:{}"><strong>{}</strong></a>', dial, number)
