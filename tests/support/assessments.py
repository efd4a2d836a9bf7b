"""Assessments support: questionnaire answers with a given total, and a prescriber on the care team."""

import pytest

from ketamine_clinic.clinical import instruments as ci


def answers_for_total(key: str, target: int) -> dict:
    """Answers whose total (as the core scores them) is exactly ``target``: every item at its
    minimum, then raised one step at a time. Each step changes the total by at most one."""
    instrument = ci.get_instrument(key)
    answers = {it.link_id: it.min_value for it in instrument.items if it.required}
    if ci.score(key, answers).total == target:
        return answers
    for item in instrument.scored_items:
        while answers.get(item.link_id, item.min_value) < item.max_value:
            answers[item.link_id] = answers.get(item.link_id, item.min_value) + 1
            if ci.score(key, answers).total == target:
                return answers
    raise AssertionError(f"cannot reach {target} on {key}")


def phq9(item9: int = 0, total: int | None = None) -> dict:
    """PHQ-9 answers with item 9 set and the other items filling up to ``total``."""
    answers = {f"phq9-{n}": 0 for n in range(1, 10)}
    answers["phq9-9"] = item9
    remaining = (total if total is not None else item9) - item9
    for n in range(1, 9):
        step = min(3, remaining)
        answers[f"phq9-{n}"] = step
        remaining -= step
    assert remaining == 0
    return answers


CSSRS_ALL_NO = {"cssrs-1": False, "cssrs-2": False, "cssrs-6": False}


@pytest.fixture
def prescriber_on_team(patient, prescriber):
    prescriber.email = "dr.lee@example.org"
    prescriber.save(update_fields=["email"])
    patient.care_team.add(prescriber)
    return prescriber
