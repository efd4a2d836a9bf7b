"""The crisis line is a tap-to-call link and says each thing once."""

from types import SimpleNamespace

import pytest

from ketamine_clinic.core.templatetags.crisis import crisis_call


@pytest.mark.parametrize("line, html", [
    ("988 Suicide & Crisis Lifeline (call or text 988)",
     '<a href="tel:988"><strong>988</strong></a> (Suicide &amp; Crisis Lifeline)'),
    ("Riverside crisis team 1-800-555-0199",
     '<a href="tel:18005550199"><strong>1-800-555-0199</strong></a> (Riverside crisis team)'),
    ("988", '<a href="tel:988"><strong>988</strong></a>'),
    ("Ask the front desk", "Ask the front desk"),
    ("", '<a href="tel:988"><strong>988</strong></a> (Suicide &amp; Crisis Lifeline)'),
])
def test_crisis_line_number_is_a_tel_link_and_the_repeat_is_dropped(line, html):
    assert str(crisis_call(SimpleNamespace(crisis_line=line))) == html
