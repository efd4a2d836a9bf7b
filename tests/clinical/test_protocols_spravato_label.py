"""Spravato label updates (CLINICAL.md s.1-2): TRD monotherapy since 21 Jan 2025, and from week 9
weekly or every-2-weeks dosing, the least frequent that keeps response (spravato-pi)."""

from datetime import date

import pytest

from ketamine_clinic.clinical.eligibility import RULES_BY_ID
from ketamine_clinic.clinical.protocols import (
    BoosterError,
    ProtocolError,
    get_protocol,
    interval_options,
    protocol_from_dict,
    protocol_to_dict,
    propose_maintenance,
)

ESK_TRD = get_protocol("esketamine-trd")
CONTINUATION = ESK_TRD.phase("maintenance-continuation")


@pytest.mark.parametrize("text, says_with_oral_antidepressant_only", [
    (ESK_TRD.indications[0].label, False),
    (RULES_BY_ID["esketamine-outside-labelled-indication"].explanation, False),
    (get_protocol("esketamine-mdd-suicidal-ideation").indications[0].label, True),
])
def test_trd_text_allows_monotherapy_and_the_suicidal_ideation_indication_keeps_the_oral_antidepressant(
        text, says_with_oral_antidepressant_only):
    assert "oral antidepressant" in text
    assert ("monotherapy" in text) is not says_with_oral_antidepressant_only


def test_week_9_offers_weekly_or_every_2_weeks():
    assert interval_options(CONTINUATION) == (7, 14)
    assert "least frequent that keeps response" in CONTINUATION.description


@pytest.mark.parametrize("choice, intervals", [
    (None, [7] * 4 + [7] * 3),  # the default: weekly
    (7, [7] * 4 + [7] * 3),
    (14, [7] * 4 + [14] * 3),  # weeks 5-8 stay weekly; week 9 on every 2 weeks
])
def test_the_prescriber_chooses_the_week_9_interval(choice, intervals):
    choices = {"maintenance-continuation": choice} if choice else None
    visits = propose_maintenance(ESK_TRD, date(2026, 3, 27), open_ended_sessions=3, interval_choices=choices)
    assert [v.interval_days for v in visits] == intervals
    assert visits[-1].due_date == date(2026, 3, 27).fromordinal(date(2026, 3, 27).toordinal() + sum(intervals))


@pytest.mark.parametrize("choices", [{"maintenance-continuation": 10}, {"maintenance-weekly": 14}, {"no-such-phase": 7},
                                     {"maintenance-continuation": True}])
def test_an_interval_the_phase_does_not_offer_is_refused(choices):
    with pytest.raises(BoosterError) as exc:
        propose_maintenance(ESK_TRD, date(2026, 3, 27), open_ended_sessions=1, interval_choices=choices)
    assert exc.value.field.startswith("interval_choices.")


def test_interval_options_survive_a_round_trip_and_are_checked():
    assert protocol_from_dict(protocol_to_dict(ESK_TRD)) == ESK_TRD
    data = protocol_to_dict(ESK_TRD)
    data["phases"][2]["spacing"]["interval_options_days"] = [7, 1]  # 1 day: below the minimum spacing
    with pytest.raises(ProtocolError) as exc:
        protocol_from_dict(data)
    assert "phases[2].spacing.interval_options_days" in str(exc.value)
