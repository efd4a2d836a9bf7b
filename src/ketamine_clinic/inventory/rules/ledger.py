"""Ledger arithmetic: how each event type changes a container's balance, and the checks that keep
every balance at zero or above. Balances are only ever sums of events (no stored balance).

Draw accounting: a draw takes drug out of a container into a syringe; what happens to it next
(administered, wasted, returned to the container) is recorded against the draw, and
administered + wasted + returned may never exceed what was drawn (equal once the draw is closed).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .quantities import ZERO, Quantity


class EventType(StrEnum):
    RECEIVE = "receive"
    DRAW = "draw"
    ADMINISTER = "administer"
    WASTE = "waste"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    DESTROY = "destroy"
    REVERSE_DISTRIBUTOR = "reverse_distributor"
    COUNT = "count"
    ADJUST_IN = "adjust_in"
    ADJUST_OUT = "adjust_out"
    LOSS = "loss"
    THEFT = "theft"
    CORRECTION = "correction"


LABELS = {
    EventType.RECEIVE: "Received",
    EventType.DRAW: "Drawn",
    EventType.ADMINISTER: "Administered",
    EventType.WASTE: "Wasted",
    EventType.RETURN: "Returned to stock",
    EventType.TRANSFER_OUT: "Transferred out",
    EventType.TRANSFER_IN: "Transferred in",
    EventType.DESTROY: "Destroyed",
    EventType.REVERSE_DISTRIBUTOR: "Returned to a reverse distributor",
    EventType.COUNT: "Counted",
    EventType.ADJUST_IN: "Adjusted up",
    EventType.ADJUST_OUT: "Adjusted down",
    EventType.LOSS: "Loss",
    EventType.THEFT: "Theft",
    EventType.CORRECTION: "Correction",
}

# Effect on the container (and its location's) balance: +1 adds, -1 removes, 0 records only.
EFFECT: dict[EventType, int] = {
    EventType.RECEIVE: 1,
    EventType.DRAW: -1,
    EventType.ADMINISTER: 0,  # accounted against its draw
    EventType.WASTE: 0,  # accounted against its draw
    EventType.RETURN: 1,  # back into the container it was drawn from
    EventType.TRANSFER_OUT: -1,
    EventType.TRANSFER_IN: 1,
    EventType.DESTROY: -1,
    EventType.REVERSE_DISTRIBUTOR: -1,
    EventType.COUNT: 0,
    EventType.ADJUST_IN: 1,
    EventType.ADJUST_OUT: -1,
    EventType.LOSS: -1,
    EventType.THEFT: -1,
}
# Events that account for a draw's contents.
DRAW_OUTCOMES = frozenset({EventType.ADMINISTER, EventType.WASTE, EventType.RETURN})


def effect(event_type: EventType, corrects: EventType | None = None) -> int:
    """A correction reverses the event it points at; every other event has its own effect."""
    if event_type == EventType.CORRECTION:
        if corrects is None or corrects == EventType.CORRECTION:
            raise ValueError("a correction points at the event it corrects (never at another correction)")
        return -EFFECT[corrects]
    return EFFECT[event_type]


@dataclass(frozen=True)
class Entry:
    """One ledger event as the arithmetic sees it."""

    event_type: EventType
    quantity: Quantity
    corrects: EventType | None = None

    @property
    def change(self) -> Quantity:
        return self.quantity.scaled(effect(self.event_type, self.corrects))


def balance(entries: Iterable[Entry]) -> Quantity:
    total = ZERO
    for entry in entries:
        total = total + entry.change
    return total


class Overdraw(ValueError):
    pass


def check_change(current: Quantity, entry: Entry) -> Quantity:
    """The balance after ``entry``; raises Overdraw when it would fall below zero in mg or mL."""
    after = current + entry.change
    if after.mg < 0 or after.ml < 0:
        raise Overdraw(f"only {current.mg} mg ({current.ml} mL) left; {entry.quantity.mg} mg cannot be taken")
    return after


def draw_open_quantity(drawn: Quantity, outcomes: Iterable[Entry]) -> Quantity:
    """What of a draw is still unaccounted for (administered, wasted or returned)."""
    accounted = ZERO
    for entry in outcomes:
        if entry.event_type not in DRAW_OUTCOMES:
            raise ValueError(f"{entry.event_type} does not account for a draw")
        accounted = accounted + entry.quantity
    return Quantity(drawn.mg - accounted.mg, drawn.ml - accounted.ml)


def check_draw_outcome(drawn: Quantity, outcomes: Iterable[Entry], entry: Entry) -> Quantity:
    """What stays open after ``entry``; raises Overdraw if the draw would be over-accounted."""
    left = draw_open_quantity(drawn, outcomes)
    after = Quantity(left.mg - entry.quantity.mg, left.ml - entry.quantity.ml)
    if after.mg < 0:
        raise Overdraw(f"only {left.mg} mg ({left.ml} mL) of this draw is unaccounted for")
    return after
