"""Protocols round-trip through plain dicts, and bad dicts are refused field by field."""

import copy
import json
from decimal import Decimal

import pytest

from ketamine_clinic.clinical.protocols import PROTOCOLS, ProtocolError, protocol_from_dict, protocol_to_dict

ALL = sorted(PROTOCOLS.values(), key=lambda p: p.key)


@pytest.mark.parametrize("protocol", ALL, ids=lambda p: p.key)
def test_every_shipped_protocol_round_trips_through_json(protocol):
    data = json.loads(json.dumps(protocol_to_dict(protocol)))
    assert protocol_from_dict(data) == protocol


def test_doses_are_written_as_exact_strings():
    data = protocol_to_dict(PROTOCOLS["iv-racemic-induction"])
    assert data["dose_rule"]["default"] == "0.5"
    assert data["titration_rules"][0]["new_dose"] == "0.75"
    assert data["route"] == "iv"


def test_clinic_copy_with_edited_dose_and_version_reads_back():
    data = protocol_to_dict(PROTOCOLS["iv-racemic-induction"])
    data.update(key="iv-induction-our-clinic", version=2)
    data["dose_rule"]["default"] = "0.6"
    protocol = protocol_from_dict(data)
    assert (protocol.key, protocol.version, protocol.dose_rule.default) == ("iv-induction-our-clinic", 2, Decimal("0.6"))


def _edit(path, value):
    def apply(data):
        target = data
        *parents, last = path
        for step in parents:
            target = target[step]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return apply


_DELETE = object()

BAD = [
    ("unknown route", _edit(["route"], "rectal"), "route"),
    ("version as text", _edit(["version"], "1"), "version"),
    ("version zero", _edit(["version"], 0), "version"),
    ("version bool", _edit(["version"], True), "version"),
    ("missing key", _edit(["key"], _DELETE), "key"),
    ("key with spaces", _edit(["key"], "iv induction"), "key"),
    ("empty title", _edit(["title"], "  "), "title"),
    ("no phases", _edit(["phases"], []), "phases"),
    ("phases not a list", _edit(["phases"], "six"), "phases"),
    ("zero sessions", _edit(["phases", 0, "session_count"], 0), "phases[0].session_count"),
    ("negative gap", _edit(["phases", 0, "spacing", "min_days_between"], -1), "phases[0].spacing.min_days_between"),
    ("8 per week", _edit(["phases", 0, "spacing", "sessions_per_week"], 8), "phases[0].spacing.sessions_per_week"),
    ("span too short", _edit(["phases", 0, "spacing", "max_span_days"], 5), "phases[0].spacing.max_span_days"),
    ("both rate and interval", _edit(["phases", 0, "spacing", "interval_days"], 7), "phases[0].spacing.interval_days"),
    ("unknown spacing source", _edit(["phases", 0, "spacing", "source"], "my-blog"), "phases[0].spacing.source"),
    ("dose not a number", _edit(["dose_rule", "default"], "half"), "dose_rule.default"),
    ("dose NaN", _edit(["dose_rule", "default"], "NaN"), "dose_rule.default"),
    ("dose infinite float", _edit(["dose_rule", "maximum"], float("inf")), "dose_rule.maximum"),
    ("max below min", _edit(["dose_rule", "maximum"], "0.05"), "dose_rule.maximum"),
    ("default above max", _edit(["dose_rule", "default"], "0.9"), "dose_rule.default"),
    ("unknown dose unit", _edit(["dose_rule", "unit"], "ml"), "dose_rule.unit"),
    ("zero minimum", _edit(["dose_rule", "minimum"], 0), "dose_rule.minimum"),
    ("titration beyond max", _edit(["titration_rules", 0, "new_dose"], "1.5"), "titration_rules[0].new_dose"),
    ("titration unknown source", _edit(["titration_rules", 0, "source"], "rumour"), "titration_rules[0].source"),
    ("titration unknown condition", _edit(["titration_rules", 0, "condition"], "bad_day"), "titration_rules[0].condition"),
    ("measure cadence unknown", _edit(["measures", 0, "when"], "hourly"), "measures[0].when"),
    ("measure without instrument", _edit(["measures", 0, "instrument"], ""), "measures[0].instrument"),
    ("unknown protocol source", _edit(["sources"], ["made-up-2020"]), "sources[0]"),
    ("no sources", _edit(["sources"], []), "sources"),
    ("at_home not bool", _edit(["at_home"], "yes"), "at_home"),
]


@pytest.mark.parametrize("name, mutate, field", BAD, ids=[b[0] for b in BAD])
def test_bad_dict_is_refused_naming_the_field(name, mutate, field):
    data = copy.deepcopy(protocol_to_dict(PROTOCOLS["iv-racemic-induction"]))
    mutate(data)
    with pytest.raises(ProtocolError) as exc:
        protocol_from_dict(data)
    assert field in exc.value.errors, exc.value.errors
    assert all(isinstance(m, str) and m for m in exc.value.errors[field])


@pytest.mark.parametrize("name, mutate, field", [
    ("fractional devices", _edit(["dose_rule", "default"], "2.5"), "dose_rule.default"),
    ("first dose above max", _edit(["dose_rule", "first_session_dose"], "4"), "dose_rule.first_session_dose"),
    ("duplicate phase names", _edit(["phases", 1, "name"], "induction"), "phases[1].name"),
])
def test_bad_esketamine_dict_is_refused_naming_the_field(name, mutate, field):
    data = copy.deepcopy(protocol_to_dict(PROTOCOLS["esketamine-trd"]))
    mutate(data)
    with pytest.raises(ProtocolError) as exc:
        protocol_from_dict(data)
    assert field in exc.value.errors


def test_bad_linked_session_and_relapse_rule_are_refused():
    data = protocol_to_dict(PROTOCOLS["ketamine-assisted-psychotherapy"])
    data["linked_sessions"][0]["kind"] = "massage"
    data["relapse_rule"] = {"return_to_interval_days": "two weeks", "source": "ketect-pmc7265624"}
    with pytest.raises(ProtocolError) as exc:
        protocol_from_dict(data)
    assert {"linked_sessions[0].kind", "relapse_rule.return_to_interval_days"} <= set(exc.value.errors)


def test_all_type_errors_are_reported_at_once():
    data = protocol_to_dict(PROTOCOLS["iv-racemic-induction"])
    data["route"] = "rectal"
    data["version"] = "one"
    data["dose_rule"]["default"] = None
    with pytest.raises(ProtocolError) as exc:
        protocol_from_dict(data)
    assert {"route", "version", "dose_rule.default"} <= set(exc.value.errors)
    assert exc.value.field in exc.value.errors


@pytest.mark.parametrize("data", [None, [], "protocol", 3])
def test_non_object_is_refused(data):
    with pytest.raises(ProtocolError) as exc:
        protocol_from_dict(data)
    assert exc.value.field == "protocol"
    assert isinstance(exc.value, ValueError)
