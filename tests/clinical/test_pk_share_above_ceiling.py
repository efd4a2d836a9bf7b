"""The population band reports the share of virtual patients above the ceiling, so a typical
patient who stays below it cannot hide a 95th percentile that crosses it."""

import numpy as np
import pytest

from ketamine_clinic.clinical import pk

TIMES = np.linspace(0, 240, 241)
IV_35_MG = [{"route": "iv", "mg": 35, "start_min": 0, "duration_min": 40}]


def test_typical_patient_below_the_ceiling_while_a_share_of_the_population_goes_above():
    typical = pk.predict("domino-1984", 70, 40, "female", IV_35_MG, TIMES)
    band = pk.population("domino-1984", 70, 40, "female", IV_35_MG, TIMES, n=200, ceiling_ng_ml=300)
    assert typical.time_above_min(300) == 0 and band.p95_ng_ml.max() > 300
    assert 0.05 < band.share_above_ceiling < 0.5
    assert band.to_dict()["share_above_ceiling"] == band.share_above_ceiling


@pytest.mark.parametrize("ceiling, share", [(1.0, 1.0), (100000.0, 0.0)])
def test_share_is_all_or_none_at_the_extremes(ceiling, share):
    band = pk.population("domino-1984", 70, 40, "female", IV_35_MG, TIMES, n=50, ceiling_ng_ml=ceiling)
    assert band.share_above_ceiling == share


def test_without_a_ceiling_the_result_is_unchanged():
    assert "share_above_ceiling" not in pk.population("domino-1984", 70, 40, "female", IV_35_MG, TIMES, n=20).to_dict()


@pytest.mark.parametrize("bad", [-1, float("nan"), "high"])
def test_bad_ceiling_is_refused(bad):
    with pytest.raises(pk.PKInputError) as err:
        pk.population("domino-1984", 70, 40, "female", IV_35_MG, TIMES, n=20, ceiling_ng_ml=bad)
    assert err.value.field == "ceiling_ng_ml"
