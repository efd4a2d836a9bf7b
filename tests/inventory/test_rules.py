"""Pure rules of the controlled-substance record: table-driven, plus Hypothesis for the ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.inventory.rules import deadlines, expiry, ledger, loss
from ketamine_clinic.inventory.rules.dea import dea_number_problem
from ketamine_clinic.inventory.rules.ndc import normalize_ndc
from ketamine_clinic.inventory.rules.quantities import Quantity, QuantityError, quantity_from
from ketamine_clinic.inventory.rules.sources import REG_SOURCES


@pytest.mark.parametrize("number, ok", [
    ("AB1234563", True),   # 1+3+5=9, 2*(2+4+6)=24, 33 -> 3
    ("ab1234563", True),
    ("BJ6125341", True),   # 6+2+3=11, 2*(1+5+4)=20, 31 -> 1
    ("AB1234564", False),  # wrong check digit
    ("A11234563", False),  # second character must be a letter (or 9)
    ("AB123456", False),
    ("", False),
    ("AB12345630", False),
])
def test_dea_number_check_digit(number, ok):
    assert (dea_number_problem(number) is None) is ok


def test_dea_number_problem_names_the_expected_digit():
    assert "expected 3" in dea_number_problem("AB1234564")


@pytest.mark.parametrize("raw, normalized", [
    ("0409-2051-05", "00409-2051-05"),   # 4-4-2
    ("12345-678-90", "12345-0678-90"),   # 5-3-2
    ("12345-6789-1", "12345-6789-01"),   # 5-4-1
    ("50458-028-02", "50458-0028-02"),   # Spravato 5-3-2
    ("12345-6789-01", "12345-6789-01"),  # already 11 digits
])
def test_ndc_is_normalized_to_eleven_digits(raw, normalized):
    assert normalize_ndc(raw) == normalized


@pytest.mark.parametrize("raw", ["0409205105", "0409-2051", "04A9-2051-05", "123-4567-89", "123456-789-0", ""])
def test_bad_ndc_is_refused(raw):
    with pytest.raises(ValueError):
        normalize_ndc(raw)


@pytest.mark.parametrize("discovered, notice_due, form_106_due", [
    (dt.date(2026, 3, 4), dt.date(2026, 3, 5), dt.date(2026, 4, 18)),      # Wednesday -> Thursday
    (dt.date(2026, 3, 6), dt.date(2026, 3, 9), dt.date(2026, 4, 20)),      # Friday -> Monday
    (dt.date(2026, 3, 7), dt.date(2026, 3, 9), dt.date(2026, 4, 21)),      # Saturday -> Monday
    (dt.date(2026, 11, 25), dt.date(2026, 11, 27), dt.date(2027, 1, 9)),   # Thanksgiving Thursday skipped
    (dt.date(2026, 12, 24), dt.date(2026, 12, 28), dt.date(2027, 2, 7)),   # Christmas Friday and weekend skipped
    (dt.date(2026, 7, 2), dt.date(2026, 7, 6), dt.date(2026, 8, 16)),      # Independence Day observed Fri 3 Jul
    (dt.date(2027, 1, 15), dt.date(2027, 1, 19), dt.date(2027, 3, 1)),     # Friday before Martin Luther King Jr. Day
])
def test_loss_deadlines_count_business_days_and_calendar_days(discovered, notice_due, form_106_due):
    due = deadlines.loss_deadlines(discovered)
    assert (due.written_notice_due, due.form_106_due) == (notice_due, form_106_due)


@pytest.mark.parametrize("theft, significant, factors, reportable", [
    (True, False, {}, True),
    (False, False, {"pattern": True}, True),
    (False, True, {}, True),
    (False, False, {"quantity_relative": False}, False),
    (False, False, {}, False),
])
def test_significant_loss_assessment(theft, significant, factors, reportable):
    outcome = loss.assess(theft=theft, judged_significant=significant, factors=factors)
    assert outcome.must_report is reportable and outcome.significant is reportable


def test_unknown_loss_factor_is_refused():
    with pytest.raises(ValueError):
        loss.assess(theft=False, judged_significant=False, factors={"weather": True})


def test_loss_factors_cite_a_known_source():
    assert loss.SOURCE in REG_SOURCES


@pytest.mark.parametrize("today, opened, problem", [
    (dt.date(2026, 1, 10), None, None),
    (dt.date(2026, 1, 10), dt.date(2025, 12, 13), None),             # day 28 after opening: still usable
    (dt.date(2026, 1, 10), dt.date(2025, 12, 12), "beyond-use"),     # day 29: past its beyond-use date
    (dt.date(2026, 7, 1), None, "Expired"),
])
def test_expiry_and_beyond_use(today, opened, problem):
    found = expiry.usable_problem(today=today, expiry_date=dt.date(2026, 6, 30), opened_on=opened, beyond_use_days=28)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("mg, ml, conc, expected", [
    ("35", None, "50", Quantity(Decimal("35.000"), Decimal("0.7000"))),
    (None, "0.7", "50", Quantity(Decimal("35.0000"), Decimal("0.700"))),
    ("36.5", None, "100", Quantity(Decimal("36.500"), Decimal("0.3650"))),
    ("10", None, "15", Quantity(Decimal("10.000"), Decimal("0.6667"))),
    (None, "0.125", "50", Quantity(Decimal("6.2500"), Decimal("0.125"))),
])
def test_quantity_in_mg_and_ml(mg, ml, conc, expected):
    assert quantity_from(mg=mg, ml=ml, concentration_mg_per_ml=Decimal(conc)) == expected


@pytest.mark.parametrize("mg, ml, field", [
    ("-1", None, "quantity_mg"),
    ("0", None, "quantity_mg"),
    ("1.0001", None, "quantity_mg"),
    (None, "0.0001", "quantity_ml"),
    ("abc", None, "quantity_mg"),
    ("NaN", None, "quantity_mg"),
    (35.0, None, "quantity_mg"),  # floats are refused: quantities are decimal text
    (None, None, "quantity_mg"),
    ("1", "1", "quantity_mg"),
])
def test_bad_quantities_are_refused_with_their_field(mg, ml, field):
    with pytest.raises(QuantityError) as exc:
        quantity_from(mg=mg, ml=ml, concentration_mg_per_ml=Decimal("50"))
    assert exc.value.field == field


def test_a_correction_reverses_the_event_it_corrects():
    draw = ledger.Entry(ledger.EventType.DRAW, Quantity(Decimal(10), Decimal("0.2")))
    fix = ledger.Entry(ledger.EventType.CORRECTION, Quantity(Decimal(10), Decimal("0.2")), ledger.EventType.DRAW)
    assert ledger.balance([draw, fix]) == Quantity(Decimal(0), Decimal(0))
    with pytest.raises(ValueError):
        ledger.effect(ledger.EventType.CORRECTION, ledger.EventType.CORRECTION)


def test_every_event_type_has_an_effect_and_a_label():
    assert set(ledger.LABELS) == set(ledger.EventType)
    assert set(ledger.EFFECT) == set(ledger.EventType) - {ledger.EventType.CORRECTION}


# --- Hypothesis: any sequence of ledger events -------------------------------------------------
amounts_ml = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("20"), places=3)
steps = st.lists(st.tuples(st.sampled_from([t for t in ledger.EventType if t != ledger.EventType.CORRECTION]), amounts_ml,
                           st.booleans()), max_size=60)


@given(steps)
def test_any_event_sequence_keeps_the_balance_non_negative_and_equal_to_the_sum_of_events(sequence):
    conc = Decimal("50")
    accepted: list[ledger.Entry] = []
    current = Quantity(Decimal(0), Decimal(0))
    for event_type, ml, corrects_last in sequence:
        if corrects_last and accepted and accepted[-1].event_type != ledger.EventType.CORRECTION:
            last = accepted[-1]
            entry = ledger.Entry(ledger.EventType.CORRECTION, last.quantity, last.event_type)
        else:
            entry = ledger.Entry(event_type, Quantity(ml * conc, ml))
        try:
            current = ledger.check_change(current, entry)
        except ledger.Overdraw:
            continue  # refused: nothing recorded
        accepted.append(entry)
        assert current.mg >= 0 and current.ml >= 0
    assert current == ledger.balance(accepted)
    signed_sum = sum((e.quantity.mg * ledger.effect(e.event_type, e.corrects) for e in accepted), Decimal(0))
    assert current.mg == signed_sum


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10"), places=2),
       st.lists(st.tuples(st.sampled_from(sorted(ledger.DRAW_OUTCOMES)), amounts_ml), max_size=20))
def test_a_draw_is_never_over_accounted(drawn_ml, outcomes):
    conc = Decimal("50")
    drawn = Quantity(drawn_ml * conc, drawn_ml)
    accepted: list[ledger.Entry] = []
    for event_type, ml in outcomes:
        entry = ledger.Entry(event_type, Quantity(ml * conc, ml))
        try:
            ledger.check_draw_outcome(drawn, accepted, entry)
        except ledger.Overdraw:
            continue
        accepted.append(entry)
    left = ledger.draw_open_quantity(drawn, accepted)
    assert left.mg >= 0
    assert sum((e.quantity.mg for e in accepted), Decimal(0)) + left.mg == drawn.mg


def test_every_cited_source_is_known():
    assert loss.SOURCE in REG_SOURCES
    assert all(s.citation for s in REG_SOURCES.values())
