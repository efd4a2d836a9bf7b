"""Pre-visit and discharge instructions per route, each with its source."""

import pytest

from ketamine_clinic.clinical.protocols import (
    InstructionError,
    Timing,
    discharge_instructions,
    pre_visit_instructions,
)
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.sources import SOURCES


def texts(instructions):
    return [i.text for i in instructions]


@pytest.mark.parametrize("route", list(Route))
def test_every_route_says_arrange_a_ride_home_and_cites_known_sources(route):
    instructions = pre_visit_instructions(route)
    assert "Arrange a ride home before your visit." in texts(instructions)
    assert all(i.source in SOURCES for i in instructions)
    assert [i.timing for i in instructions] == sorted((i.timing for i in instructions), key=list(Timing).index)


def test_esketamine_fasting_and_next_day_driving_come_from_the_label():
    by_text = {i.text: i for i in pre_visit_instructions(Route.ESKETAMINE_NASAL)}
    assert by_text["Do not eat for 2 hours before your treatment."].source == "spravato-pi"
    assert by_text["Do not drink any liquids for 30 minutes before your treatment."].source == "spravato-pi"
    driving = by_text["Do not drive or operate machinery until the next day, after a restful sleep."]
    assert (driving.source, driving.timing) == ("spravato-pi", Timing.AFTER_VISIT)
    assert not any("24 hours" in t and "drive" in t for t in by_text)


@pytest.mark.parametrize("route", [Route.IV, Route.IM])
def test_iv_and_im_forbid_driving_for_24_hours_and_require_an_escort(route):
    found = texts(pre_visit_instructions(route))
    assert "Do not drive or operate machinery for 24 hours." in found
    assert "An adult must take you home: you cannot leave on your own." in found
    assert not any("eat" in t for t in found)


@pytest.mark.parametrize("route", list(Route))
def test_discharge_instructions_seen_in_practice_are_given_after_every_route(route):
    after = discharge_instructions(route)
    assert all(i.timing is Timing.AFTER_VISIT for i in after)
    assert texts(after)[1:] == [
        "Do not make important decisions for 24 hours.",
        "Do not drink alcohol or use cannabis for 24 hours.",
        "Avoid opioids and benzodiazepines for 4 hours.",
    ]
    assert set(texts(after)) <= set(texts(pre_visit_instructions(route)))


def test_clinic_hours_override_the_shipped_defaults():
    found = texts(discharge_instructions("iv", hours={"no_driving_h": 48, "avoid_opioids_benzodiazepines_h": 6}))
    assert "Do not drive or operate machinery for 48 hours." in found
    assert "Avoid opioids and benzodiazepines for 6 hours." in found


@pytest.mark.parametrize("hours, field", [
    ({"no_driving_h": 2}, "hours.no_driving_h"),
    ({"no_driving_h": "24"}, "hours.no_driving_h"),
    ({"no_driving_h": True}, "hours.no_driving_h"),
    ({"no_swimming_h": 24}, "hours.no_swimming_h"),
])
def test_bad_hours_are_refused_naming_the_field(hours, field):
    with pytest.raises(InstructionError) as exc:
        pre_visit_instructions(Route.IV, hours=hours)
    assert exc.value.field == field


@pytest.mark.parametrize("route", ["rectal", None, 3, ["iv"]])
def test_unknown_route_is_refused(route):
    with pytest.raises(InstructionError) as exc:
        pre_visit_instructions(route)
    assert exc.value.field == "route"
