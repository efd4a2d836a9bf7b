"""Dose guardrails: soft limits need a co-signature and a reason, hard limits are refused."""

from decimal import Decimal as D

import pytest

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import (
    DoseNotAuthorized, GuardrailInputError, GuardrailLevel, DosingIndication, PolicyValueError, authorize_dose,
    check_guardrails,
)
from ketamine_clinic.clinical.session.guardrails import SETTINGS
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES

OK, SOFT, HARD = GuardrailLevel.OK, GuardrailLevel.SOFT, GuardrailLevel.HARD


@pytest.mark.parametrize(
    "route, indication, kwargs, level, source",
    [
        (Route.IV, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="0.5"), OK, "cusin-2017"),
        (Route.IV, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="0.75"), OK, "cusin-2017"),
        (Route.IV, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="0.76"), SOFT, "cusin-2017"),
        (Route.IV, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="1.0"), SOFT, "cusin-2017"),
        (Route.IV, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="1.01"), HARD, CLINIC_POLICY),
        (Route.IM, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="0.75"), OK, "kap-feasibility"),
        (Route.IM, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="0.9"), SOFT, "kap-feasibility"),
        (Route.IM, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="1.1"), HARD, CLINIC_POLICY),
        (Route.ESKETAMINE_NASAL, DosingIndication.DEPRESSION, dict(dose_mg=28), OK, "spravato-pi"),
        (Route.ESKETAMINE_NASAL, DosingIndication.DEPRESSION, dict(dose_mg=56), OK, "spravato-pi"),
        (Route.ESKETAMINE_NASAL, DosingIndication.DEPRESSION, dict(dose_mg=84), OK, "spravato-pi"),
        (Route.ESKETAMINE_NASAL, DosingIndication.DEPRESSION, dict(dose_mg=70), HARD, "spravato-pi"),
        (Route.ESKETAMINE_NASAL, DosingIndication.DEPRESSION, dict(dose_mg=112), HARD, "spravato-pi"),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="2"), OK, CLINIC_POLICY),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="3"), SOFT, CLINIC_POLICY),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="7"), SOFT, CLINIC_POLICY),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="7.1"), HARD, "andrade-2019"),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg=300), OK, "andrade-2019"),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg=301), HARD, "andrade-2019"),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="1", dose_mg=400), HARD, "andrade-2019"),
        (Route.ORAL_SUBLINGUAL, DosingIndication.DEPRESSION, dict(dose_mg_per_kg="3", dose_mg=200), SOFT, CLINIC_POLICY),
        (Route.IV, DosingIndication.CHRONIC_PAIN, dict(rate_mg_per_kg_per_h="0.5"), OK, "asra-2018"),
        (Route.IV, DosingIndication.CHRONIC_PAIN, dict(rate_mg_per_kg_per_h="2"), OK, "asra-2018"),
        (Route.IV, DosingIndication.CHRONIC_PAIN, dict(rate_mg_per_kg_per_h="2.1"), HARD, CLINIC_POLICY),
        (Route.IV, DosingIndication.CHRONIC_PAIN, dict(dose_mg_per_kg="0.35"), OK, "asra-2018"),
        (Route.IV, DosingIndication.CHRONIC_PAIN, dict(dose_mg_per_kg="0.4"), HARD, CLINIC_POLICY),
    ],
)
def test_guardrail_levels_and_sources(route, indication, kwargs, level, source):
    result = check_guardrails(route, indication, **kwargs)
    assert result.level is level
    assert result.source == source
    assert result.source in SOURCES
    assert result.needs_cosign is (level is SOFT)
    assert result.may_be_given is (level is not HARD)


def test_chronic_pain_soft_band_appears_when_clinic_raises_hard_limit():
    policy = {"session.guardrail.iv_pain.hard_mg_per_kg_per_h": D(3)}
    result = check_guardrails("iv", "chronic_pain", rate_mg_per_kg_per_h="2.5", policy=policy)
    assert result.level is SOFT and result.limit == D(2)


def test_clinic_policy_can_lower_iv_soft_limit():
    result = check_guardrails("iv", "depression", dose_mg_per_kg="0.6",
                              policy={"session.guardrail.iv_depression.soft_mg_per_kg": D("0.5")})
    assert result.level is SOFT


def test_policy_value_outside_setting_bounds_refused():
    with pytest.raises(PolicyValueError) as err:
        check_guardrails("iv", "depression", dose_mg_per_kg="0.6",
                         policy={"session.guardrail.iv_depression.hard_mg_per_kg": D(5)})
    assert err.value.field == "session.guardrail.iv_depression.hard_mg_per_kg"


@pytest.mark.parametrize(
    "route, kwargs, field",
    [
        ("iv", dict(dose_mg_per_kg="-0.5"), "dose_mg_per_kg"),
        ("iv", dict(dose_mg_per_kg=0), "dose_mg_per_kg"),
        ("iv", dict(dose_mg_per_kg=float("nan")), "dose_mg_per_kg"),
        ("iv", dict(dose_mg=35), "dose_mg_per_kg"),
        ("im", dict(), "dose_mg_per_kg"),
        ("esketamine_nasal", dict(dose_mg_per_kg="0.5"), "dose_mg"),
        ("esketamine_nasal", dict(dose_mg=-56), "dose_mg"),
        ("oral_sublingual", dict(), "dose_mg_per_kg"),
        ("rectal", dict(dose_mg=10), "route"),
    ],
)
def test_bad_guardrail_input_refused(route, kwargs, field):
    with pytest.raises(GuardrailInputError) as err:
        check_guardrails(route, "depression", **kwargs)
    assert err.value.field == field


def test_unknown_indication_refused():
    with pytest.raises(GuardrailInputError) as err:
        check_guardrails("iv", "migraine", dose_mg_per_kg="0.5")
    assert err.value.field == "indication"


def test_ok_dose_authorized_without_cosign():
    auth = authorize_dose(check_guardrails("iv", "depression", dose_mg_per_kg="0.5"), ordered_by="dr-a")
    assert auth.cosigned_by is None


def test_soft_limit_needs_cosign_and_reason():
    soft = check_guardrails("iv", "depression", dose_mg_per_kg="0.9")
    with pytest.raises(DoseNotAuthorized) as err:
        authorize_dose(soft, ordered_by="dr-a")
    assert err.value.field == "cosigned_by"
    with pytest.raises(DoseNotAuthorized) as err:
        authorize_dose(soft, ordered_by="dr-a", cosigned_by="dr-b", cosign_reason="  ")
    assert err.value.field == "cosign_reason"
    auth = authorize_dose(soft, ordered_by="dr-a", cosigned_by="dr-b", cosign_reason="partial response at 0.75")
    assert auth.cosigned_by == "dr-b" and auth.cosign_reason == "partial response at 0.75"


def test_soft_limit_cosigner_must_differ_from_orderer():
    soft = check_guardrails("im", "depression", dose_mg_per_kg="0.9")
    with pytest.raises(DoseNotAuthorized) as err:
        authorize_dose(soft, ordered_by="dr-a", cosigned_by="dr-a", cosign_reason="reason")
    assert err.value.field == "cosigned_by"


@pytest.mark.parametrize("orderer_may_cosign, given_by, cosigned_by, allowed", [
    (False, "nurse-b", "dr-a", False),  # default: the orderer may not co-sign
    (True, "nurse-b", "dr-a", True),  # the clinic allows it (one prescriber, one nurse)
    (True, "dr-a", "dr-a", False),  # never the clinician giving the dose
    (True, "nurse-b", "nurse-b", False),
    (False, "dr-a", "nurse-b", True),
])
def test_soft_limit_cosigner_follows_the_clinic_policy_and_never_is_the_giver(orderer_may_cosign, given_by,
                                                                             cosigned_by, allowed):
    soft = check_guardrails("iv", "depression", dose_mg_per_kg="0.9")
    policy = {"session.cosign.orderer_may_cosign": orderer_may_cosign}
    kwargs = dict(ordered_by="dr-a", given_by=given_by, cosigned_by=cosigned_by, cosign_reason="r", policy=policy)
    if allowed:
        assert authorize_dose(soft, **kwargs).cosigned_by == cosigned_by
    else:
        with pytest.raises(DoseNotAuthorized) as err:
            authorize_dose(soft, **kwargs)
        assert err.value.field == "cosigned_by"


def test_hard_limit_refused_even_with_cosign():
    hard = check_guardrails("iv", "depression", dose_mg_per_kg="1.2")
    with pytest.raises(DoseNotAuthorized) as err:
        authorize_dose(hard, ordered_by="dr-a", cosigned_by="dr-b", cosign_reason="insisted")
    assert "cannot be given" in err.value.message


def test_every_guardrail_setting_cites_a_source_and_policy_ones_say_so():
    for s in SETTINGS:
        assert s.source in SOURCES
        if s.is_clinic_policy:
            assert "clinic policy" in s.description.lower()
