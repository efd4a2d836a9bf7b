"""Administration record arithmetic: what an infusion actually delivered, and the esketamine device log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .common import SessionInputError, minutes_between, require_aware, to_decimal
from .dosing import ESKETAMINE_DEVICE_SPACING_MIN, ESKETAMINE_MAX_DEVICES, ESKETAMINE_MG_PER_DEVICE, \
    MAX_VIAL_CONCENTRATION_MG_PER_ML


MAX_PUMP_RATE_ML_PER_H = Decimal(2000)  # entry plausibility bound, not a clinical limit


class AdministrationInputError(SessionInputError):
    """An administration record that cannot be right: stop before start, overlap, negative rate."""


@dataclass(frozen=True)
class RateSegment:
    """The pump ran at ``rate_ml_per_h`` from ``start`` to ``stop``. A rate of 0 is a pause; a gap
    between segments is also a pause. ``concentration_mg_per_ml`` is of the solution in the pump."""

    start: datetime
    stop: datetime
    rate_ml_per_h: Decimal
    concentration_mg_per_ml: Decimal


@dataclass(frozen=True)
class InfusionTotal:
    volume_ml: Decimal
    dose_mg: Decimal
    running_minutes: Decimal  # minutes at a rate above zero


def _checked_segments(segments) -> list[RateSegment]:
    if segments is None or isinstance(segments, (str, bytes)):
        raise AdministrationInputError("segments", "give a list of rate segments")
    checked = []
    for i, seg in enumerate(segments):
        f = f"segments[{i}]"
        if not isinstance(seg, RateSegment):
            raise AdministrationInputError(f, "must be a RateSegment")
        start = require_aware(seg.start, f"{f}.start", error=AdministrationInputError)
        stop = require_aware(seg.stop, f"{f}.stop", error=AdministrationInputError)
        if stop <= start:
            raise AdministrationInputError(f"{f}.stop", "stop time must be after the start time")
        rate = to_decimal(seg.rate_ml_per_h, f"{f}.rate_ml_per_h", allow_zero=True, error=AdministrationInputError)
        conc = to_decimal(seg.concentration_mg_per_ml, f"{f}.concentration_mg_per_ml", error=AdministrationInputError)
        if rate > MAX_PUMP_RATE_ML_PER_H:
            raise AdministrationInputError(f"{f}.rate_ml_per_h", f"{rate} mL/h is beyond any infusion pump; check the entry")
        if conc > MAX_VIAL_CONCENTRATION_MG_PER_ML:
            raise AdministrationInputError(f"{f}.concentration_mg_per_ml",
                                           f"{conc} mg/mL is stronger than any ketamine product (max 100 mg/mL)")
        checked.append((i, RateSegment(start, stop, rate, conc)))
    checked.sort(key=lambda pair: pair[1].start)
    for (_, prev), (i, seg) in zip(checked, checked[1:]):
        if seg.start < prev.stop:
            raise AdministrationInputError(f"segments[{i}].start",
                                           "overlaps another segment: the pump runs at one rate at a time")
    return [seg for _, seg in checked]


def infusion_total(segments: list[RateSegment]) -> InfusionTotal:
    """Volume and mg delivered by the rate segments (exact Decimal, not rounded)."""
    volume = Decimal(0)
    dose = Decimal(0)
    running = Decimal(0)
    for seg in _checked_segments(segments):
        minutes = minutes_between(seg.start, seg.stop)
        ml = seg.rate_ml_per_h * minutes / 60
        volume += ml
        dose += ml * seg.concentration_mg_per_ml
        if seg.rate_ml_per_h > 0:
            running += minutes
    return InfusionTotal(volume, dose, running)


def total_given_mg(segments: list[RateSegment]) -> Decimal:
    """mg delivered by the rate segments; refuses stop-before-start, overlaps and negative rates."""
    return infusion_total(segments).dose_mg


@dataclass(frozen=True)
class DeviceGiven:
    """One esketamine device (28 mg, spravato-pi) given at ``given_at``."""

    given_at: datetime
    lot_number: str


@dataclass(frozen=True)
class DeviceLogResult:
    device_count: int
    total_mg: Decimal  # device count x 28 mg (spravato-pi)
    first_device_at: datetime
    lot_numbers: tuple[str, ...]
    spacing_problems: tuple[str, ...]  # devices given less than 5 min apart (spravato-pi)

    @property
    def spacing_ok(self) -> bool:
        return not self.spacing_problems


def check_device_log(devices: list[DeviceGiven]) -> DeviceLogResult:
    """Total mg and the 5-minute spacing check for the esketamine devices given (spravato-pi)."""
    if devices is None or isinstance(devices, (str, bytes)) or not len(devices):
        raise AdministrationInputError("devices", "record at least one device")
    checked = []
    for i, d in enumerate(devices):
        if not isinstance(d, DeviceGiven):
            raise AdministrationInputError(f"devices[{i}]", "must be a DeviceGiven")
        require_aware(d.given_at, f"devices[{i}].given_at", error=AdministrationInputError)
        if not isinstance(d.lot_number, str) or not d.lot_number.strip():
            raise AdministrationInputError(f"devices[{i}].lot_number", "record the device lot number")
        checked.append(d)
    if len(checked) > ESKETAMINE_MAX_DEVICES:
        raise AdministrationInputError("devices", f"at most {ESKETAMINE_MAX_DEVICES} devices (84 mg) per session")
    checked.sort(key=lambda d: d.given_at)
    spacing = timedelta(minutes=ESKETAMINE_DEVICE_SPACING_MIN)
    problems = []
    for n, (prev, cur) in enumerate(zip(checked, checked[1:]), start=2):
        gap = cur.given_at - prev.given_at
        if gap < spacing:
            problems.append(f"Device {n} given {_fmt_gap(gap)} after device {n - 1}; "
                            f"the label asks for {ESKETAMINE_DEVICE_SPACING_MIN} min between devices")
    return DeviceLogResult(
        device_count=len(checked),
        total_mg=ESKETAMINE_MG_PER_DEVICE * len(checked),
        first_device_at=checked[0].given_at,
        lot_numbers=tuple(dict.fromkeys(d.lot_number.strip() for d in checked)),
        spacing_problems=tuple(problems),
    )


def next_device_allowed_at(devices: list[DeviceGiven]) -> datetime | None:
    """When the next device may be given (5 min after the last, spravato-pi); None once 3 are given."""
    log = check_device_log(devices)
    if log.device_count >= ESKETAMINE_MAX_DEVICES:
        return None
    last = max(d.given_at for d in devices)
    return last + timedelta(minutes=ESKETAMINE_DEVICE_SPACING_MIN)


def _fmt_gap(gap: timedelta) -> str:
    seconds = int(gap.total_seconds())
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
