"""The service and drug codes a ketamine visit generates (shared/PRACTICE.md s.2.1), as data.

Each code carries what it means, the rule for using it, its sources, and whether units are whole
(procedures) or a drug quantity. Prices are never shipped: each clinic enters its own fee schedule.
"""

from dataclasses import dataclass
from enum import StrEnum

from .sources import SOURCES

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "urn:oid:2.16.840.1.113883.6.285"


class Kind(StrEnum):
    PROCEDURE = "procedure"
    DRUG = "drug"
    EM = "em"
    PROLONGED = "prolonged"
    PSYCHOTHERAPY = "psychotherapy"
    EVALUATION = "evaluation"
    MONITORING = "monitoring"


@dataclass(frozen=True)
class Code:
    code: str
    system: str
    display: str
    kind: Kind
    rule: str
    sources: tuple[str, ...]
    add_on: bool = False
    per_mg: bool = False  # priced and counted per mg of drug (J0013 units, J3490 quantity)
    needs_ndc: bool = False
    max_units: int | None = None  # the MUE, where PRACTICE.md gives one

    @property
    def verify(self) -> bool:
        return any(SOURCES[s].verify for s in self.sources)


def _c(code, system, display, kind, rule, *sources, **kw) -> Code:
    return Code(code, system, display, kind, rule, tuple(sources), **kw)


CODES: dict[str, Code] = {c.code: c for c in (
    _c("96365", CPT, "IV infusion, therapeutic, initial, up to 1 h", Kind.PROCEDURE,
       "Infusion of 16 min or more, from the recorded start and stop; 15 min or less is a push (96374).", "cpt-96365"),
    _c("96366", CPT, "IV infusion, each additional hour", Kind.PROCEDURE,
       "Only when more than 30 min beyond the first hour: 75 min = none, 1 h 45 min = one.", "aapc-96366", add_on=True),
    _c("96367", CPT, "IV infusion, sequential, new drug", Kind.PROCEDURE, "A second drug infused after the first.",
       "codingmcw-96365", add_on=True),
    _c("96368", CPT, "IV infusion, concurrent", Kind.PROCEDURE, "A drug infused at the same time as another.",
       "codingmcw-96365", add_on=True),
    _c("96374", CPT, "IV push, single or initial drug", Kind.PROCEDURE,
       "A push (or an infusion of 15 min or less) with no infusion code that day.", "push-96374", "cpt-96365"),
    _c("96375", CPT, "IV push, each additional sequential new drug", Kind.PROCEDURE,
       "Each other drug pushed IV (e.g. ondansetron) after the initial infusion or push.", "push-96374", add_on=True),
    _c("96376", CPT, "IV push, same drug after 30 min (facility)", Kind.PROCEDURE, "Facility only; not proposed.",
       "push-96374", add_on=True),
    _c("96372", CPT, "Therapeutic injection, IM or SC", Kind.PROCEDURE, "IM ketamine.", "anchors-96372"),
    _c("J3490", HCPCS, "Unclassified drug (racemic ketamine)", Kind.DRUG,
       "Ketamine has no J-code: one line with the NDC, unit qualifier and quantity in mg.", "bcbsma-j3490", "ndc-format",
       per_mg=True, needs_ndc=True),
    _c("J0013", HCPCS, "Esketamine, nasal spray, 1 mg", Kind.DRUG,
       "One unit per mg given (56 or 84); replaces S0013 from 1 Jan 2026.", "osmind-j0013", per_mg=True),
    _c("G2082", HCPCS, "Medicare: esketamine visit, up to 56 mg (bundled)", Kind.PROCEDURE,
       "Medicare, established patient, no separate E/M that day, dose up to 56 mg.", "osmind-g2082"),
    _c("G2083", HCPCS, "Medicare: esketamine visit, more than 56 mg (bundled)", Kind.PROCEDURE,
       "Medicare, established patient, no separate E/M that day, dose over 56 mg.", "osmind-g2082"),
    _c("99205", CPT, "Office visit, new patient, high (60-74 min)", Kind.EM,
       "New patient, 60 min or more of the clinician's own time.", "aapc-em-time"),
    _c("99215", CPT, "Office visit, established patient, high (40-54 min)", Kind.EM,
       "Established patient, 40 min or more of the clinician's own time.", "aapc-em-time"),
    _c("99417", CPT, "Prolonged service, each 15 min (commercial)", Kind.PROLONGED,
       "From the top level's minimum + 15 (>= 75 min after 99205, >= 55 after 99215); at most 4 units.",
       "aapc-99417", "aapc-active-time", add_on=True, max_units=4),
    _c("G2212", HCPCS, "Prolonged service, each 15 min (Medicare)", Kind.PROLONGED,
       "From the top level's maximum + 15 (>= 89 min after 99205, >= 69 after 99215); 99417 to Medicare is denied.",
       "aapc-g2212", "aapc-active-time", add_on=True),
    _c("90791", CPT, "Psychiatric diagnostic evaluation", Kind.EVALUATION, "Evaluation without medical services.",
       "empr-90791"),
    _c("90792", CPT, "Psychiatric diagnostic evaluation with medical services", Kind.EVALUATION,
       "Evaluation with medical services (prescriber).", "empr-90791"),
    _c("90832", CPT, "Psychotherapy, 30 min", Kind.PSYCHOTHERAPY, "16-37 min.", "novitas-psychotherapy"),
    _c("90834", CPT, "Psychotherapy, 45 min", Kind.PSYCHOTHERAPY, "38-52 min.", "novitas-psychotherapy"),
    _c("90837", CPT, "Psychotherapy, 60 min", Kind.PSYCHOTHERAPY, "53 min or more.", "novitas-psychotherapy"),
    _c("90833", CPT, "Psychotherapy with E/M, 30 min", Kind.PSYCHOTHERAPY, "16-37 min, with an E/M the same visit.",
       "novitas-psychotherapy", add_on=True),
    _c("90836", CPT, "Psychotherapy with E/M, 45 min", Kind.PSYCHOTHERAPY, "38-52 min, with an E/M the same visit.",
       "novitas-psychotherapy", add_on=True),
    _c("90838", CPT, "Psychotherapy with E/M, 60 min", Kind.PSYCHOTHERAPY, "53 min or more, with an E/M the same visit.",
       "novitas-psychotherapy", add_on=True),
    _c("90785", CPT, "Interactive complexity", Kind.PSYCHOTHERAPY, "Add-on; entered by the biller.", "empr-90791",
       add_on=True),
    _c("0820T", CPT, "Monitoring during psychedelic medication therapy, first physician/QHP, each hour",
       Kind.MONITORING, "Category III; entered by the biller; payment negotiated.", "cat3-0820t"),
    _c("0821T", CPT, "Monitoring during psychedelic medication therapy, second physician/QHP, each hour",
       Kind.MONITORING, "Category III add-on; entered by the biller.", "cat3-0820t", add_on=True),
    _c("0822T", CPT, "Monitoring during psychedelic medication therapy, clinical staff, each hour",
       Kind.MONITORING, "Category III add-on; entered by the biller.", "cat3-0820t", add_on=True),
)}

MODIFIERS: dict[str, tuple[str, str]] = {
    "25": ("Significant, separately identifiable E/M on the day of a procedure", "modifier-25"),
}

PLACES_OF_SERVICE: dict[str, tuple[str, str]] = {
    "11": ("Office", "pos-codes"),
    "02": ("Telehealth provided other than in the patient's home", "pos-codes"),
    "10": ("Telehealth provided in the patient's home", "pos-codes"),
}

ESKETAMINE_MG_PER_DEVICE = 28  # (source: spravato-pi)
