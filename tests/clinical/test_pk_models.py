"""PK model registry: sources, settings, JSON shapes."""

import json

import pytest

from ketamine_clinic.clinical.pk import MODELS, SETTINGS, list_models
from ketamine_clinic.clinical.pk.models import ALL_ROUTES, ROUTE_CAVEATS
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES


def test_required_models_are_registered():
    assert {"domino-1984", "clements-1981", "hijazi-2003", "perez-ruixo-2021"} <= set(MODELS)
    assert MODELS["perez-ruixo-2021"].metabolite_name == "noresketamine"
    assert set(MODELS["perez-ruixo-2021"].routes) == {"iv", "esketamine_nasal", "oral"}


def test_list_models_is_json_and_cites_known_sources():
    models = json.loads(json.dumps(list_models()))
    assert {m["key"] for m in models} == set(MODELS)
    for m in models:
        assert all(p["source"] in SOURCES for p in m["parameters"])
        assert set(m["routes"]) <= set(ALL_ROUTES)


def test_pk_routes_reuse_the_clinic_route_values():
    assert {Route.IV.value, Route.IM.value, Route.ESKETAMINE_NASAL.value} <= set(ALL_ROUTES)


def test_settings_cite_sources_and_clinic_policy_is_described_as_such():
    for setting in SETTINGS:
        assert setting.source in SOURCES
        assert setting.minimum <= setting.default <= setting.maximum
        if setting.source == CLINIC_POLICY:
            assert "clinic policy" in setting.description.lower()


def test_derived_and_unconfirmed_parameters_are_marked_verify():
    for key in ("domino-1984", "clements-1981", "hijazi-2003"):
        model = MODELS[key]
        for name in ("ka_im_per_min", "ka_oral_per_min", "ka_sublingual_per_min", "ka_intranasal_per_min",
                     "k10_per_min", "f_intranasal"):
            assert model.parameter(name).verify, (key, name)


@pytest.mark.parametrize("model, route", sorted(ROUTE_CAVEATS))
def test_route_caveats_refer_to_routes_the_model_offers(model, route):
    assert route in MODELS[model].routes
