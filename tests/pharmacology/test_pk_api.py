import math

import pytest

IV_05 = {"model": "domino-1984", "weight_kg": 70, "age": 40, "sex": "female",
         "doses": [{"route": "iv", "mg": 35, "start_min": 0, "duration_min": 40}], "times_min": [0, 20, 40, 60, 120]}


def test_models_list_names_sources_routes_and_ranges(client_for, prescriber):
    models = client_for(prescriber).get("/api/v1/pk/models").json()
    keys = {m["key"] for m in models}
    assert {"domino-1984", "clements-1981", "hijazi-2003", "perez-ruixo-2021"} <= keys
    for m in models:
        assert m["sources"] and m["routes"] and len(m["weight_range_kg"]) == 2 and len(m["age_range_years"]) == 2


def test_predict_returns_concentrations_peaking_at_the_end_of_infusion(api, nurse):
    body = api(nurse, "post", "/pk/predict", IV_05).json()
    c = body["concentration_ng_ml"]
    assert len(c) == 5 and c[0] == 0
    assert body["peak"]["time_min"] == 40 and c[2] == max(c)
    assert 60 < c[2] < 400  # the same regimen measured 185 ng/mL (Zarate 2006); tolerance for 30-60% variability


def test_predict_with_population_band(api, prescriber):
    body = api(prescriber, "post", "/pk/predict", dict(IV_05, n_virtual=200, seed=1)).json()
    band = body["population"]
    assert band["n"] == 200
    assert all(lo <= mid <= hi for lo, mid, hi in zip(band["p5_ng_ml"], band["median_ng_ml"], band["p95_ng_ml"]))


def test_esketamine_gives_the_metabolite(api, prescriber):
    body = api(prescriber, "post", "/pk/predict", {"model": "perez-ruixo-2021", "weight_kg": 80, "age": 45, "sex": "male",
                                            "doses": [{"route": "esketamine_nasal", "mg": 56, "start_min": 0}], "times_min": [0, 30, 60, 240]}).json()
    assert body["metabolite_name"] and max(body["metabolite_ng_ml"]) > 0


def test_tci_returns_a_rate_schedule_and_totals(api, prescriber):
    body = api(prescriber, "post", "/pk/tci", {"model": "domino-1984", "weight_kg": 70, "target_ng_ml": 200, "duration_min": 40}).json()
    assert body["schedule"][0]["start_s"] == 0 and body["schedule"][1]["start_s"] == 10
    assert body["total_mg"] > 0 and math.isclose(body["mg_per_kg"], body["total_mg"] / 70, rel_tol=1e-6)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"model": "nonsense-2020"}, "model"),
        ({"weight_kg": -3}, "weight_kg"),
        ({"weight_kg": 5000}, "weight_kg"),
        ({"doses": [{"route": "iv", "mg": -5, "start_min": 0}]}, "doses[0].mg"),
        ({"doses": [{"route": "rectal-laser", "mg": 5, "start_min": 0}]}, "doses[0].route"),
        ({"times_min": []}, "times_min"),
    ],
)
def test_bad_predict_input_is_422_with_the_field(api, nurse, change, field):
    response = api(nurse, "post", "/pk/predict", dict(IV_05, **change))
    assert response.status_code == 422
    assert field in response.json()["errors"], response.json()


def test_non_finite_numbers_are_refused_not_crashed(api, nurse):
    raw = '{"model":"domino-1984","weight_kg":NaN,"age":40,"sex":"female","doses":[],"times_min":[0, 1e400]}'

    response = api(nurse, "post", "/pk/predict", raw=raw)
    assert response.status_code in (400, 422)


def test_wrong_json_types_are_422(api, nurse):
    assert api(nurse, "post", "/pk/predict", dict(IV_05, doses="lots")).status_code == 422


def test_front_desk_may_not_use_the_planner(api, front_desk, client_for):
    assert api(front_desk, "post", "/pk/predict", IV_05).status_code == 403


def test_weight_outside_the_validated_range_warns(api, nurse):
    body = api(nurse, "post", "/pk/predict", dict(IV_05, weight_kg=160)).json()
    assert any("weight" in w.lower() for w in body["warnings"])


def test_the_planner_reads_no_clinic_data_so_the_outsider_gets_the_same_answer(api, nurse, outsider):
    ours, theirs = api(nurse, "post", "/pk/predict", IV_05), api(outsider, "post", "/pk/predict", IV_05)
    assert ours.status_code == theirs.status_code == 200 and ours.json() == theirs.json()
