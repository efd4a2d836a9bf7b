"""FHIR R4 Questionnaire export."""

import json
import re

import pytest

from ketamine_clinic.clinical.instruments import INSTRUMENTS, to_fhir_questionnaire
from ketamine_clinic.clinical.instruments.errors import UnknownInstrumentError

LOINC = "http://loinc.org"


def questions(resource):
    return [i for i in resource["item"] if i["type"] != "display" and not i["linkId"].endswith("-total")]


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_every_instrument_exports_a_json_questionnaire(key):
    resource = to_fhir_questionnaire(key)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["status"] == "active"
    assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", resource["id"])
    assert json.loads(json.dumps(resource)) == resource
    assert [i["linkId"] for i in questions(resource)] == list(INSTRUMENTS[key].link_ids)


def test_phq9_items_carry_loinc_codes_and_coded_ordinal_answers():
    resource = to_fhir_questionnaire("phq9")
    assert resource["code"] == [{"system": LOINC, "code": "44249-1", "display": INSTRUMENTS["phq9"].name}]
    item9 = next(i for i in resource["item"] if i["linkId"] == "phq9-9")
    assert item9["type"] == "choice"
    assert item9["code"] == [{"system": LOINC, "code": "44260-8"}]
    assert item9["text"].startswith("Thoughts that you would be better off dead")
    first = item9["answerOption"][0]
    assert first["valueCoding"] == {"system": LOINC, "code": "LA6568-5", "display": "Not at all"}
    assert first["extension"][0]["valueDecimal"] == 0
    assert [o["extension"][0]["valueDecimal"] for o in item9["answerOption"]] == [0, 1, 2, 3]


def test_total_item_is_read_only_and_coded_with_loinc_total():
    total = to_fhir_questionnaire("phq9")["item"][-1]
    assert total == {"linkId": "phq9-total", "type": "integer", "text": "Total score", "readOnly": True,
                     "required": False, "code": [{"system": LOINC, "code": "44261-6"}]}


def test_instructions_are_a_display_item():
    first = to_fhir_questionnaire("gad7")["item"][0]
    assert first["type"] == "display" and first["text"].startswith("Over the last 2 weeks")


@pytest.mark.parametrize("key", ["madrs", "cadss", "ybocs", "qids_sr16"])
def test_licensed_scales_export_no_item_text(key):
    resource = to_fhir_questionnaire(key)
    for item in questions(resource):
        assert "text" not in item
        assert item["prefix"].startswith("Item ")
        assert item["type"] == "integer"
        assert all(set(o) == {"valueInteger"} for o in item["answerOption"])
    assert not any(i["type"] == "display" for i in resource["item"])


def test_madrs_answer_options_are_0_to_6():
    item = questions(to_fhir_questionnaire("madrs"))[0]
    assert [o["valueInteger"] for o in item["answerOption"]] == list(range(7))


def test_cssrs_exports_boolean_items_with_enable_when_skip_logic():
    resource = to_fhir_questionnaire("cssrs")
    items = {i["linkId"]: i for i in resource["item"]}
    assert "cssrs-total" not in items
    assert items["cssrs-1"]["type"] == "boolean" and "answerOption" not in items["cssrs-1"]
    for link_id in ("cssrs-3", "cssrs-4", "cssrs-5"):
        assert items[link_id]["enableWhen"] == [{"question": "cssrs-2", "operator": "=", "answerBoolean": True}]
    assert items["cssrs-6a"]["enableWhen"] == [{"question": "cssrs-6", "operator": "=", "answerBoolean": True}]
    assert "enableWhen" not in items["cssrs-6"]
    assert "Columbia" in resource["copyright"]


def test_pain_nrs_id_is_a_valid_fhir_id_and_answers_run_0_to_10():
    resource = to_fhir_questionnaire("pain_nrs")
    assert resource["id"] == "pain-nrs"
    item = questions(resource)[0]
    assert [o["valueCoding"]["code"] for o in item["answerOption"]] == [str(v) for v in range(11)]
    assert item["code"] == [{"system": LOINC, "code": "72514-3"}]


def test_base_url_builds_canonical_url():
    assert to_fhir_questionnaire("phq9", base_url="https://clinic.example/fhir/")["url"] == \
        "https://clinic.example/fhir/Questionnaire/phq9"


def test_unknown_instrument_is_rejected():
    with pytest.raises(UnknownInstrumentError):
        to_fhir_questionnaire("nope")
