"""Every coding rule as a table case with its source (shared/PRACTICE.md s.2.1). No database."""

from decimal import Decimal

import pytest

from ketamine_clinic.billing.rules.codes import CODES
from ketamine_clinic.billing.rules.propose import Payer, VisitFacts, additional_infusion_hours, prolonged_units, propose
from ketamine_clinic.billing.rules.sources import SOURCES

D = Decimal
MC, COM = Payer.MEDICARE, Payer.COMMERCIAL


@pytest.mark.parametrize("minutes, units, source", [
    (40, 0, "cpt-96365"), (60, 0, "aapc-96366"), (75, 0, "aapc-96366"), (90, 0, "aapc-96366"),
    (91, 1, "aapc-96366"), (105, 1, "aapc-96366"), (150, 1, "aapc-96366"), (151, 2, "aapc-96366"),
])
def test_96366_units_only_beyond_30_minutes_over_each_hour(minutes, units, source):
    assert source in SOURCES
    assert additional_infusion_hours(minutes) == units


@pytest.mark.parametrize("minutes, codes, source", [
    (10, ["96374", "J3490"], "cpt-96365"),  # <= 15 min is a push
    (15, ["96374", "J3490"], "cpt-96365"),
    (16, ["96365", "J3490"], "cpt-96365"),
    (40, ["96365", "J3490"], "cpt-96365"),
    (75, ["96365", "J3490"], "aapc-96366"),  # 75 min: 96365 only
    (105, ["96365", "96366", "J3490"], "aapc-96366"),  # 1 h 45 min: one 96366
])
def test_iv_infusion_codes_from_recorded_minutes(minutes, codes, source):
    assert source in SOURCES
    p = propose(VisitFacts(route="iv", infusion_minutes=minutes, dose_mg=D("35")))
    assert p.codes == codes
    assert next(ln for ln in p.lines if ln.code == "J3490").drug_mg == D("35")


def test_iv_without_recorded_stop_proposes_no_infusion_code_and_says_so():
    p = propose(VisitFacts(route="iv", infusion_minutes=None, dose_mg=D("35")))
    assert p.codes == ["J3490"]
    assert "start and stop" in p.notes[0]


@pytest.mark.parametrize("minutes, pushes, codes", [
    (40, ("Ondansetron",), ["96365", "J3490", "96375"]),
    (40, ("Ondansetron", "Midazolam"), ["96365", "J3490", "96375", "96375"]),
    (10, ("Ondansetron",), ["96374", "J3490", "96375"]),
])
def test_iv_pushes_of_other_drugs(minutes, pushes, codes):  # source: push-96374 (verify)
    assert SOURCES["push-96374"].verify
    assert propose(VisitFacts(route="iv", infusion_minutes=minutes, dose_mg=D("35"), iv_push_drugs=pushes)).codes == codes


def test_im_is_96372_plus_the_drug():  # source: anchors-96372
    assert propose(VisitFacts(route="im", dose_mg=D("50"))).codes == ["96372", "J3490"]


@pytest.mark.parametrize("payer, established, separate_em, dose, codes", [
    (MC, True, False, D("56"), ["G2082"]),  # osmind-g2082: <= 56 mg
    (MC, True, False, D("84"), ["G2083"]),  # > 56 mg
    (MC, False, False, D("56"), ["J0013"]),  # new patient: no bundle
    (MC, True, True, D("56"), ["J0013"]),  # separate E/M: no bundle
    (COM, True, False, D("84"), ["J0013"]),  # commercial: the drug by units
])
def test_esketamine_bundle_only_for_medicare_established_without_em(payer, established, separate_em, dose, codes):
    p = propose(VisitFacts(route="esketamine_nasal", payer=payer, established_patient=established,
                           separate_em=separate_em, dose_mg=dose))
    assert p.codes == codes
    if codes == ["J0013"]:
        assert p.lines[0].units == int(dose)


@pytest.mark.parametrize("payer, established, minutes, expected, source", [
    (COM, True, 39, ["J0013"], "aapc-em-time"),  # below 99215: biller picks the level
    (COM, True, 40, ["J0013", "99215"], "aapc-em-time"),
    (COM, True, 54, ["J0013", "99215"], "aapc-99417"),
    (COM, True, 55, ["J0013", "99215", "99417x1"], "aapc-99417"),
    (COM, True, 69, ["J0013", "99215", "99417x1"], "aapc-99417"),
    (COM, True, 70, ["J0013", "99215", "99417x2"], "aapc-99417"),
    (COM, True, 225, ["J0013", "99215", "99417x4"], "aapc-99417"),  # MUE 4
    (COM, False, 74, ["J0013", "99205"], "aapc-99417"),
    (COM, False, 75, ["J0013", "99205", "99417x1"], "aapc-99417"),
    (MC, True, 68, ["J0013", "99215"], "aapc-g2212"),  # Medicare (with separate E/M)
    (MC, True, 69, ["J0013", "99215", "G2212x1"], "aapc-g2212"),
    (MC, True, 84, ["J0013", "99215", "G2212x2"], "aapc-g2212"),
    (MC, False, 88, ["J0013", "99205"], "aapc-g2212"),
    (MC, False, 89, ["J0013", "99205", "G2212x1"], "aapc-g2212"),
])
def test_esketamine_em_and_prolonged_by_active_clinician_time(payer, established, minutes, expected, source):
    assert source in SOURCES
    p = propose(VisitFacts(route="esketamine_nasal", payer=payer, established_patient=established, separate_em=True,
                           dose_mg=D("84"), clinician_minutes=minutes))
    got = [ln.code + (f"x{ln.units}" if ln.code in ("99417", "G2212") else "") for ln in p.lines]
    assert got == expected
    assert "99417" not in p.codes or payer is not MC  # 99417 to Medicare is an automatic denial


def test_prolonged_units_function_matches_thresholds():
    assert prolonged_units(54, True, COM) == ("99417", 0)
    assert prolonged_units(500, True, MC) == ("G2212", 29)  # no cap given for G2212


def test_em_with_infusion_carries_modifier_25():  # source: modifier-25 (verify)
    p = propose(VisitFacts(route="iv", infusion_minutes=40, dose_mg=D("35"), clinician_minutes=45))
    em = next(ln for ln in p.lines if ln.code == "99215")
    assert em.modifiers == ("25",)


@pytest.mark.parametrize("minutes, with_em, code", [
    (15, False, None), (16, False, "90832"), (37, False, "90832"), (38, False, "90834"), (52, False, "90834"),
    (53, False, "90837"), (90, False, "90837"),
    (16, True, "90833"), (38, True, "90836"), (53, True, "90838"),
])
def test_psychotherapy_minute_bands(minutes, with_em, code):  # source: novitas-psychotherapy
    p = propose(VisitFacts(route=None, psychotherapy_minutes=minutes, clinician_minutes=45 if with_em else None))
    psych = [c for c in p.codes if c.startswith("908")]
    assert psych == ([code] if code else [])
    if code is None:
        assert "not billable" in p.notes[-1]


@pytest.mark.parametrize("kind, code", [("without_medical", "90791"), ("with_medical", "90792")])
def test_evaluations(kind, code):  # source: empr-90791
    assert propose(VisitFacts(evaluation=kind)).codes == [code]


def test_every_code_cites_known_sources_and_category_iii_is_marked_verify():
    for c in CODES.values():
        assert c.sources and all(s in SOURCES for s in c.sources), c.code
    assert all(CODES[c].verify for c in ("0820T", "0821T", "0822T"))
    assert CODES["99417"].max_units == 4
