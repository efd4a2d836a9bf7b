"""The section registry of the composing pages: what registering accepts and refuses, and the order."""

import pytest

from ketamine_clinic.core import sections


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own registrations are restored afterwards)."""
    monkeypatch.setattr(sections, "_SECTIONS", {page: {} for page in sections.PAGES})
    return sections


def load(request, patient):
    return {"patient_seen": patient, "user_seen": request.user}


def request_of(rf, user):
    request = rf.get("/")
    request.user = user
    return request


def test_sections_come_in_order_and_show_only_to_users_allowed_an_action(registry, rf, front_desk, clinic_admin, outsider,
                                                                         patient):
    registry.register("chart", 20, "b.html", load, name="b", actions=("session.view",))
    registry.register("chart", 10, "a.html", load, name="a", actions=("evaluation.view", "consent.witness"))
    registry.register("today", 10, "t.html", load, name="t", actions=("evaluation.view",))
    assert [s.name for s in registry.sections("chart")] == ["a", "b"]
    shown = registry.shown("chart", request_of(rf, front_desk), patient)  # front desk witnesses consent only
    assert [(s.name, s.template) for s in shown] == [("a", "a.html")]
    assert shown[0].context == {"patient_seen": patient, "user_seen": front_desk}
    assert registry.shown("chart", request_of(rf, clinic_admin), patient) == []
    assert [s.name for s in registry.shown("today", request_of(rf, front_desk))] == []
    # The registry asks only the user's roles; which clinic's patient a page may show is the page's lookup
    # (get_patient_for: 404 for the outsider, tests/front/test_sections.py).
    assert [s.name for s in registry.shown("today", request_of(rf, outsider))] == ["t"]


def test_registering_the_same_section_again_changes_nothing(registry):
    first = registry.register("chart", 10, "a.html", load, name="a", actions=["plan.view"])
    assert registry.register("chart", 10, "a.html", load, name="a", actions=("plan.view",)) == first
    assert len(registry.sections("chart")) == 1


@pytest.mark.parametrize(("page", "name", "actions", "message"), [
    ("chart", "a", ("plan.view",), "registered twice"),  # another section under a name already taken
    ("billing", "x", ("plan.view",), "unknown page"),
    ("chart", "x", (), "names no action"),
])
def test_a_wrong_registration_fails_loudly(registry, page, name, actions, message):
    registry.register("chart", 10, "a.html", load, name="a", actions=("plan.view",))
    with pytest.raises(ValueError, match=message):
        registry.register(page, 30, "other.html", load, name=name, actions=actions)
