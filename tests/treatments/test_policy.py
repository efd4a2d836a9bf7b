"""The measures due before dosing are clinic policy with shipped defaults (``treatments.policy``)."""

import pytest

from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic import clinic_settings
from ketamine_clinic.treatments import facts, policy

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db

# What the session day asked for before these became settings (the shipped clinic-policy defaults).
TODAY = {"depression": ("phq9", "cssrs"), "chronic_pain": ("pain_nrs",)}


def test_the_settings_are_labelled_clinic_policy():
    predose = {f"treatments.predose_measures.{k}" for k in TODAY}
    assert {s.key for s in policy.SETTINGS} == predose | {"treatments.rems.bp_recheck_window_min"}
    for s in policy.SETTINGS:
        assert s.source == CLINIC_POLICY and s.is_clinic_policy
        assert "clinic policy" in s.description.lower()
        assert isinstance(s.default, str if s.key in predose else int)


def test_the_defaults_give_todays_measures(org):
    assert policy.predose_measures(None) == TODAY
    assert policy.predose_measures(org) == TODAY


def test_the_settings_are_registered_with_the_clinic_settings_store(org):
    assert set(policy.SETTINGS) <= set(clinic_settings.all_settings().values())
    assert policy.predose_measures(org) == TODAY


def test_sessions_ask_for_todays_measures_by_indication(new_session):
    session = new_session("iv")
    assert facts.measure_keys(session) == ["phq9", "cssrs"]
    session.indication = "chronic_pain"
    assert facts.measure_keys(session) == ["pain_nrs"]


def test_a_clinic_value_is_read_for_that_clinic_only(org, clinic_admin, outsider, new_session):
    clinic_settings.change_setting(ctx_for(clinic_admin), "treatments.predose_measures.depression",
                                   "PHQ9, gad7,phq9", "Anxiety screening before each dose")
    assert policy.predose_measures(org)["depression"] == ("phq9", "gad7")
    assert policy.predose_measures(outsider.organization) == TODAY
    assert facts.measure_keys(new_session("iv")) == ["phq9", "gad7"]
