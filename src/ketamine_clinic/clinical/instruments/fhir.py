"""Export an instrument definition as a FHIR R4 ``Questionnaire`` (a JSON-ready dict).

Mapping:
- choice items with worded answers -> ``type: choice`` and ``answerOption.valueCoding`` (LOINC
  answer code where one is published, otherwise the score as a local code with no system), each
  carrying its score in the R4 ``ordinalValue`` extension;
- yes/no items (C-SSRS) -> ``type: boolean``, skip logic as ``enableWhen``;
- scores-only scales (no licence for the wording) -> ``type: integer`` with ``answerOption
  .valueInteger`` and NO ``text``: only a neutral ``prefix`` such as "Item 3";
- the total, where the instrument has one, as a read-only integer item coded with the LOINC total.
"""

import re

from .model import LOINC_SYSTEM, AnswerType, Instrument, Item
from .validation import get_instrument

ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def fhir_id(instrument_key: str) -> str:
    """FHIR ids allow letters, digits, '-' and '.': "pain_nrs" -> "pain-nrs"."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", instrument_key)[:64]


def to_fhir_questionnaire(instrument_key: str, *, base_url: str | None = None) -> dict:
    """The instrument as a FHIR R4 Questionnaire resource (plain dict, ``json.dumps``-able)."""
    instrument = get_instrument(instrument_key)
    resource_id = fhir_id(instrument.key)
    url = f"{base_url.rstrip('/')}/Questionnaire/{resource_id}" if base_url else f"urn:ketamine-clinic:questionnaire:{resource_id}"
    resource: dict = {
        "resourceType": "Questionnaire",
        "id": resource_id,
        "url": url,
        "version": instrument.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", instrument.key.title()),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": _description(instrument),
        "copyright": " ".join(p for p in (instrument.licence_note, instrument.attribution) if p),
    }
    if instrument.loinc_panel:
        resource["code"] = [{"system": LOINC_SYSTEM, "code": instrument.loinc_panel, "display": instrument.name}]
    items = []
    if instrument.instructions:
        items.append({"linkId": f"{instrument.key}-instructions", "type": "display", "text": instrument.instructions})
    gates = {link_id: rule for rule in instrument.skip_rules for link_id in rule.link_ids}
    for item in instrument.items:
        entry = _item(instrument, item)
        rule = gates.get(item.link_id)
        if rule is not None:
            answer_key = "answerBoolean" if isinstance(rule.equals, bool) else "answerInteger"
            entry["enableWhen"] = [{"question": rule.depends_on, "operator": "=", answer_key: rule.equals}]
            entry["required"] = True  # required whenever it is enabled
        items.append(entry)
    if instrument.has_total:
        total = {"linkId": f"{instrument.key}-total", "type": "integer", "text": "Total score", "readOnly": True, "required": False}
        if instrument.loinc_total:
            total["code"] = [{"system": LOINC_SYSTEM, "code": instrument.loinc_total}]
        items.append(total)
    resource["item"] = items
    return resource


def _description(instrument: Instrument) -> str:
    who = "Completed by the patient" if instrument.respondent == "patient" else "Rated by a clinician"
    return f"{who}. Recall period: {instrument.recall_period}."


def _item(instrument: Instrument, item: Item) -> dict:
    entry: dict = {"linkId": item.link_id}
    if item.text is not None:
        entry["text"] = item.text
    else:
        entry["prefix"] = item.label
    if item.loinc:
        entry["code"] = [{"system": LOINC_SYSTEM, "code": item.loinc}]
    entry["required"] = item.required
    if item.answer_type is AnswerType.BOOLEAN:
        entry["type"] = "boolean"
    elif all(o.label is None for o in item.options):
        entry["type"] = "integer"
        entry["answerOption"] = [{"valueInteger": int(o.value)} for o in item.options]
    else:
        entry["type"] = "choice"
        entry["answerOption"] = [
            {
                "valueCoding": _coding(o.loinc, o.value, o.label),
                "extension": [{"url": ORDINAL_VALUE_URL, "valueDecimal": int(o.value)}],
            }
            for o in item.options
        ]
    if not item.scored:
        entry["extension"] = [{"url": "urn:ketamine-clinic:unscored", "valueBoolean": True}]
    return entry


def _coding(loinc: str | None, value: int | bool, label: str | None) -> dict:
    if loinc:
        return {"system": LOINC_SYSTEM, "code": loinc, "display": label}
    return {"code": str(int(value)), "display": label}
