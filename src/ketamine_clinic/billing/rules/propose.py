"""Propose a visit's billing lines from what was documented (shared/PRACTICE.md s.2.1).

The input is plain facts read from the record (minutes from recorded start/stop times, mg given,
the payer kind); the output is lines, each with the rule that produced it and its sources, plus
notes for what the biller must decide. Nothing here guesses a number that was not recorded.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Payer(StrEnum):
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    SELF_PAY = "self_pay"
    OTHER = "other"


@dataclass(frozen=True)
class VisitFacts:
    route: str | None = None  # clinical.routes.Route value; None for a visit without a dose
    payer: Payer = Payer.SELF_PAY
    established_patient: bool = True
    infusion_minutes: int | None = None  # recorded stop - start (IV)
    dose_mg: Decimal | None = None  # given: IV/IM ketamine mg, esketamine = devices x 28 mg
    iv_push_drugs: tuple[str, ...] = ()  # other drugs pushed IV (rescue medications), distinct names
    clinician_minutes: int | None = None  # the licensed clinician's active time (not observation)
    separate_em: bool = False  # a separately identifiable E/M today (esketamine, Medicare)
    evaluation: str | None = None  # "without_medical" | "with_medical"
    psychotherapy_minutes: int | None = None
    place_of_service: str = "11"


@dataclass(frozen=True)
class Line:
    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    drug_mg: Decimal | None = None
    rule: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        return [ln.code for ln in self.lines]


# Time thresholds (minutes), each with its source.
PUSH_MAX_MIN = 15  # <= 15 min is a push, not 96365 (source: cpt-96365)
FIRST_HOUR_MIN = 60
ADDITIONAL_HOUR_OVER_MIN = 30  # +96366 only when > 30 min beyond an hour (source: aapc-96366)
TOP_EM = {True: ("99215", 40, 54), False: ("99205", 60, 74)}  # established? -> (code, min, max) (aapc-em-time)
PROLONGED_STEP_MIN = 15
MAX_99417_UNITS = 4  # MUE (source: aapc-99417)
PSYCHOTHERAPY_BANDS = ((53, "90837", "90838"), (38, "90834", "90836"), (16, "90832", "90833"))  # (novitas-psychotherapy)
G2082_MAX_MG = Decimal("56")  # (source: osmind-g2082)


def additional_infusion_hours(minutes: int) -> int:
    """Units of +96366: whole hours beyond the first, plus one for a remainder over 30 min."""
    beyond = minutes - FIRST_HOUR_MIN
    if beyond <= 0:
        return 0
    return beyond // 60 + (1 if beyond % 60 > ADDITIONAL_HOUR_OVER_MIN else 0)


def prolonged_units(minutes: int, established: bool, payer: Payer) -> tuple[str, int]:
    """(code, units) of prolonged service beyond the top E/M level; units 0 when below the threshold.
    Commercial (99417): from the level's minimum + 15, at most 4. Medicare (G2212): from its maximum + 15."""
    _, low, high = TOP_EM[established]
    if payer is Payer.MEDICARE:
        start = high + PROLONGED_STEP_MIN
        code, cap = "G2212", None
    else:
        start = low + PROLONGED_STEP_MIN
        code, cap = "99417", MAX_99417_UNITS
    if minutes < start:
        return code, 0
    units = 1 + (minutes - start) // PROLONGED_STEP_MIN
    return code, min(units, cap) if cap else units


def psychotherapy_code(minutes: int, with_em: bool) -> str | None:
    for floor, alone, addon in PSYCHOTHERAPY_BANDS:
        if minutes >= floor:
            return addon if with_em else alone
    return None


def _infusion(f: VisitFacts, lines: list[Line], notes: list[str]) -> None:
    if f.infusion_minutes is None:
        notes.append("Infusion start and stop are not both recorded: no infusion code proposed.")
        return
    m = f.infusion_minutes
    if m <= PUSH_MAX_MIN:
        lines.append(Line("96374", rule=f"{m} min: 15 min or less is a push.", sources=("push-96374", "cpt-96365")))
        return
    lines.append(Line("96365", rule=f"Infusion of {m} min (recorded start to stop).", sources=("cpt-96365",)))
    extra = additional_infusion_hours(m)
    if extra:
        lines.append(Line("96366", units=extra, rule=f"{m} min: more than 30 min beyond the first hour.",
                          sources=("aapc-96366",)))
    elif m > FIRST_HOUR_MIN:
        notes.append(f"{m} min: not more than 30 min beyond the first hour, so no 96366.")


def _pushes(f: VisitFacts, lines: list[Line]) -> None:
    for drug in f.iv_push_drugs:
        if not any(ln.code in ("96365", "96374") for ln in lines):
            lines.append(Line("96374", rule=f"{drug} pushed IV (initial).", sources=("push-96374",)))
        else:
            lines.append(Line("96375", rule=f"{drug} pushed IV (additional new drug).", sources=("push-96374",)))


def _drug(code: str, f: VisitFacts, lines: list[Line], notes: list[str]) -> None:
    if f.dose_mg is None or f.dose_mg <= 0:
        notes.append("No dose given is recorded: no drug line proposed.")
        return
    if code == "J0013":
        units = int(f.dose_mg) if f.dose_mg == int(f.dose_mg) else None
        if units is None:
            notes.append(f"{f.dose_mg} mg is not a whole number of J0013 units: enter the line by hand.")
            return
        lines.append(Line("J0013", units=units, drug_mg=f.dose_mg, rule=f"{units} mg esketamine given = {units} units.",
                          sources=("osmind-j0013",)))
    else:
        lines.append(Line("J3490", units=1, drug_mg=f.dose_mg, rule=f"{f.dose_mg} mg ketamine (NDC on the claim).",
                          sources=("bcbsma-j3490", "ndc-format")))


def _em(f: VisitFacts, lines: list[Line], notes: list[str]) -> None:
    if f.clinician_minutes is None:
        return
    code, low, _ = TOP_EM[f.established_patient]
    if f.clinician_minutes < low:
        notes.append(f"{f.clinician_minutes} min of clinician time is below {code} ({low} min): choose the E/M "
                     "level by medical decision-making and add it by hand.")
        return
    procedure = any(ln.code in ("96365", "96374", "96372") for ln in lines)
    mods = ("25",) if procedure else ()
    lines.append(Line(code, modifiers=mods, rule=f"{f.clinician_minutes} min of active clinician time.",
                      sources=("aapc-em-time",) + (("modifier-25",) if mods else ())))
    pcode, units = prolonged_units(f.clinician_minutes, f.established_patient, f.payer)
    if units:
        src = ("aapc-g2212",) if pcode == "G2212" else ("aapc-99417",)
        lines.append(Line(pcode, units=units, rule=f"{f.clinician_minutes} min of active clinician time.",
                          sources=src + ("aapc-active-time",)))


def _esketamine(f: VisitFacts, lines: list[Line], notes: list[str]) -> None:
    bundled = f.payer is Payer.MEDICARE and f.established_patient and not f.separate_em
    if bundled and f.dose_mg:
        code = "G2082" if f.dose_mg <= G2082_MAX_MG else "G2083"
        lines.append(Line(code, rule=f"Medicare, established patient, {f.dose_mg} mg, no separate E/M.",
                          sources=("osmind-g2082",)))
        return
    _drug("J0013", f, lines, notes)
    if f.clinician_minutes is None:
        notes.append("Esketamine without the Medicare bundle: enter the clinician's active minutes to code the E/M "
                     "and prolonged service (observation time does not count).")
    else:
        _em(f, lines, notes)


def propose(f: VisitFacts) -> Proposal:
    lines: list[Line] = []
    notes: list[str] = []
    if f.evaluation:
        code = "90792" if f.evaluation == "with_medical" else "90791"
        lines.append(Line(code, rule="Psychiatric diagnostic evaluation.", sources=("empr-90791",)))
    if f.route == "iv":
        _infusion(f, lines, notes)
        _drug("J3490", f, lines, notes)
    elif f.route == "im":
        lines.append(Line("96372", rule="IM injection.", sources=("anchors-96372",)))
        _drug("J3490", f, lines, notes)
    elif f.route == "esketamine_nasal":
        _esketamine(f, lines, notes)
    elif f.route:
        notes.append("No administration code for this route: add the visit's E/M by hand if billable.")
    _pushes(f, lines)
    if f.route != "esketamine_nasal":
        _em(f, lines, notes)
    if f.psychotherapy_minutes is not None:
        with_em = any(ln.code in ("99205", "99215") for ln in lines)
        code = psychotherapy_code(f.psychotherapy_minutes, with_em)
        if code is None:
            notes.append(f"{f.psychotherapy_minutes} min of psychotherapy: under 16 min is not billable.")
        else:
            lines.append(Line(code, rule=f"{f.psychotherapy_minutes} min of documented psychotherapy.",
                              sources=("novitas-psychotherapy",)))
    return Proposal(tuple(lines), tuple(notes))
