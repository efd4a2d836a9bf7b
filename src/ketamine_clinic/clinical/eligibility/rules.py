"""The eligibility rules, as data.

Each rule has an id, a plain-language explanation for staff, a predicate over the evaluation
(and the clinic's policy), and for each route it applies to a level with the source that sets it.
The same condition may weigh differently by route: aneurysmal vascular disease is an absolute
contraindication on the esketamine label but a relative one for racemic ketamine.

Levels:
- ABSOLUTE: the route must not be used.
- RELATIVE: the route may be used only after a prescriber signs off with a reason.
- CAUTION: eligible; shown to staff at every session.
- PREREQUISITE: something to do or record before the first treatment.

``TABLE_ROWS`` maps every row of the shared/CLINICAL.md s.2 contraindication table to its rules.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..routes import Route
from ..sources import CLINIC_POLICY
from .clinic_policy import EligibilityPolicy
from .evaluation import Evaluation, LiverDisease, MedicationClass, Status
from .indications import PSYCHOTIC_FEATURES_CODES, Indication
from .resistance import assess_treatment_resistance


class Level(StrEnum):
    ABSOLUTE = "absolute_contraindication"
    RELATIVE = "relative_contraindication"
    CAUTION = "caution"
    PREREQUISITE = "prerequisite"


SEVERITY_ORDER = (Level.ABSOLUTE, Level.RELATIVE, Level.CAUTION, Level.PREREQUISITE)


@dataclass(frozen=True)
class RouteLevel:
    level: Level
    source: str  # key of sources.SOURCES
    note: str = ""  # what this level means on this route, appended to the explanation


Predicate = Callable[[Evaluation, EligibilityPolicy], bool]
Detail = Callable[[Evaluation, EligibilityPolicy], str]


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    title: str
    explanation: str
    levels: Mapping[Route, RouteLevel]
    applies: Predicate
    detail: Detail | None = None  # patient-specific line, e.g. the measured blood pressure
    sources: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(dict.fromkeys(rl.source for rl in self.levels.values())))

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(self.levels)


ESK = Route.ESKETAMINE_NASAL
RACEMIC = (Route.IV, Route.IM, Route.ORAL_SUBLINGUAL)


def _by_route(esketamine: RouteLevel | None = None, racemic: RouteLevel | None = None) -> dict[Route, RouteLevel]:
    levels: dict[Route, RouteLevel] = {}
    for route in Route:
        chosen = esketamine if route is ESK else racemic
        if chosen is not None:
            levels[route] = chosen
    return levels


def _all(level: RouteLevel) -> dict[Route, RouteLevel]:
    return _by_route(level, level)


A, R, C, P = Level.ABSOLUTE, Level.RELATIVE, Level.CAUTION, Level.PREREQUISITE

# Spravato is indicated for adults; safety and effectiveness in pediatric patients are not
# established (spravato-pi). The APA 2017 consensus on IV ketamine covers adults only (apa-2017).
ADULT_AGE_YEARS = 18


# -- predicates ---------------------------------------------------------------------------------

def _psychosis_active(e: Evaluation, _: EligibilityPolicy) -> bool:
    # An episode coded "with psychotic features" counts as active psychosis whatever the field says.
    return e.psychiatric_history.psychosis is Status.ACTIVE or bool(e.icd10cm_codes & PSYCHOTIC_FEATURES_CODES)


def _psychosis_history_only(e: Evaluation, p: EligibilityPolicy) -> bool:
    return e.psychiatric_history.psychosis is Status.HISTORY and not _psychosis_active(e, p)


def _uncontrolled_cardiovascular(e: Evaluation, _: EligibilityPolicy) -> bool:
    m = e.medical_history
    return (m.hypertension and m.hypertension_controlled is not True) or (
        m.cardiovascular_disease and m.cardiovascular_disease_poorly_controlled is not False)


def _bp_above(e: Evaluation, systolic_mmhg: int, diastolic_mmhg: int) -> bool:
    v = e.baseline_vitals
    return v is not None and (v.systolic_mmhg > systolic_mmhg or v.diastolic_mmhg > diastolic_mmhg)


def _bp_above_review(e: Evaluation, p: EligibilityPolicy) -> bool:
    return _bp_above(e, p.bp_review_systolic_mmhg, p.bp_review_diastolic_mmhg)


def _bp_above_caution_only(e: Evaluation, p: EligibilityPolicy) -> bool:
    return _bp_above(e, p.bp_caution_systolic_mmhg, p.bp_caution_diastolic_mmhg) and not _bp_above_review(e, p)


def _bp_detail(threshold: str) -> Detail:
    def detail(e: Evaluation, p: EligibilityPolicy) -> str:
        v = e.baseline_vitals
        s, d = getattr(p, f"bp_{threshold}_systolic_mmhg"), getattr(p, f"bp_{threshold}_diastolic_mmhg")
        return f"Baseline {v.systolic_mmhg}/{v.diastolic_mmhg} mmHg; clinic {threshold} threshold above {s}/{d} mmHg."
    return detail


def _has_labelled_esketamine_indication(e: Evaluation, p: EligibilityPolicy) -> bool:
    if Indication.MDD_WITH_SUICIDAL_IDEATION in e.indication_set:
        return True
    return (Indication.TREATMENT_RESISTANT_DEPRESSION in e.indication_set
            and assess_treatment_resistance(e.prior_treatments.antidepressant_trials, p.trd).is_resistant)


def _trd_detail(e: Evaluation, p: EligibilityPolicy) -> str:
    return assess_treatment_resistance(e.prior_treatments.antidepressant_trials, p.trd).reasons[-1] + "."


def _trd_claimed_not_met(e: Evaluation, p: EligibilityPolicy) -> bool:
    return (Indication.TREATMENT_RESISTANT_DEPRESSION in e.indication_set
            and not assess_treatment_resistance(e.prior_treatments.antidepressant_trials, p.trd).is_resistant)


def _medical(name: str) -> Predicate:
    return lambda e, _: bool(getattr(e.medical_history, name))


# -- the rules ----------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    # CLINICAL.md s.2 table rows -----------------------------------------------------------------
    Rule("aneurysmal-vascular-disease-or-avm", "Aneurysmal vascular disease or AV malformation",
         "Ketamine raises blood pressure, which can rupture an aneurysm (thoracic or abdominal aorta, "
         "intracranial, peripheral arteries) or an arteriovenous malformation.",
         _by_route(RouteLevel(A, "spravato-pi", "Contraindicated on the esketamine label."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine: prescriber review.")),
         _medical("aneurysmal_vascular_disease_or_avm")),
    Rule("intracerebral-hemorrhage-history", "History of intracerebral hemorrhage",
         "A blood-pressure rise after a brain bleed risks another bleed.",
         _by_route(RouteLevel(A, "spravato-pi", "Contraindicated on the esketamine label."),
                   RouteLevel(R, "spravato-pi", "Racemic ketamine raises blood pressure in the same way: "
                              "prescriber review.")),
         _medical("intracerebral_hemorrhage_history")),
    Rule("hypersensitivity-ketamine-esketamine", "Hypersensitivity to ketamine or esketamine",
         "Known hypersensitivity to esketamine, ketamine or an excipient: do not give either drug.",
         _by_route(RouteLevel(A, "spravato-pi"), RouteLevel(A, "fda-label-ketalar")),
         _medical("hypersensitivity_to_ketamine_or_esketamine")),
    Rule("uncontrolled-hypertension-or-cardiovascular-disease",
         "Uncontrolled hypertension or poorly controlled cardiovascular disease",
         "Ketamine raises blood pressure and heart rate; uncontrolled hypertension or poorly controlled "
         "heart disease makes that rise dangerous. (A condition whose control is not recorded counts "
         "as uncontrolled.)",
         _by_route(RouteLevel(C, "spravato-pi", "Esketamine: check blood pressure before every dose and "
                              "weigh the rise against benefit."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine (ASRA grade B).")),
         _uncontrolled_cardiovascular),
    Rule("pregnancy", "Pregnancy",
         "Ketamine may harm the fetus (animal data); treatment in pregnancy needs an explicit decision.",
         _by_route(RouteLevel(R, "spravato-pi", "Not recommended on the esketamine label."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine.")),
         _medical("pregnant")),
    Rule("breastfeeding", "Breastfeeding",
         "Ketamine passes into breast milk.",
         _by_route(RouteLevel(R, "spravato-pi", "Breastfeeding during esketamine treatment is not recommended."),
                   RouteLevel(C, "spravato-pi", "Caution for racemic ketamine.")),
         _medical("breastfeeding")),
    Rule("psychosis-active", "Active psychosis",
         "Ketamine causes dissociation and perceptual changes and can worsen psychosis. Also fires when "
         "an episode is coded with psychotic features (F32.3, F33.3, F31.5).",
         _by_route(RouteLevel(R, "apa-2017", "Esketamine: assess carefully; a prescriber decides."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine.")),
         _psychosis_active),
    Rule("psychosis-history", "History of psychosis",
         "Past psychosis raises the risk that ketamine's perceptual effects trigger a relapse.",
         _by_route(RouteLevel(C, "apa-2017", "Esketamine: assess carefully."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine.")),
         _psychosis_history_only),
    Rule("substance-use-disorder-or-ketamine-misuse",
         "Active substance use disorder, or any ketamine/PCP misuse",
         "Ketamine can be misused; an active substance use disorder or any history of ketamine or PCP "
         "misuse raises that risk.",
         _by_route(RouteLevel(C, "spravato-pi", "Esketamine: abuse risk, monitor for misuse."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine.")),
         lambda e, _: (e.substance_use.substance_use_disorder is Status.ACTIVE
                       or e.substance_use.ketamine_or_pcp_misuse is not Status.NONE)),
    Rule("liver-disease-severe", "Severe liver disease",
         "Ketamine is cleared by the liver; severe liver disease raises exposure.",
         _by_route(RouteLevel(R, "spravato-pi", "Esketamine: not studied in severe hepatic impairment "
                              "(verify against the label)."),
                   RouteLevel(A, "asra-2018", "Racemic ketamine: avoid.")),
         lambda e, _: e.medical_history.liver_disease is LiverDisease.SEVERE),
    Rule("liver-disease-moderate", "Moderate liver disease",
         "Ketamine is cleared by the liver; moderate liver disease calls for caution.",
         _by_route(racemic=RouteLevel(C, "asra-2018")),
         lambda e, _: e.medical_history.liver_disease is LiverDisease.MODERATE),
    Rule("raised-intracranial-or-intraocular-pressure", "Raised intracranial or intraocular pressure",
         "Ketamine can raise intracranial and intraocular pressure.",
         _by_route(RouteLevel(C, "spravato-pi", "Esketamine: caution; do not dose if a pressure rise is a "
                              "serious risk."),
                   RouteLevel(R, "asra-2018", "Relative contraindication for racemic ketamine.")),
         lambda e, _: e.medical_history.raised_intracranial_pressure or e.medical_history.raised_intraocular_pressure),
    Rule("cns-depressants", "CNS depressants (benzodiazepines, opioids, sedative hypnotics, alcohol)",
         "Taken with ketamine these increase sedation.",
         _by_route(RouteLevel(C, "spravato-pi"),
                   RouteLevel(C, "spravato-pi", "Benzodiazepines may also blunt the antidepressant response.")),
         lambda e, _: e.takes(MedicationClass.BENZODIAZEPINE, MedicationClass.OPIOID, MedicationClass.Z_DRUG)
         or e.substance_use.regular_alcohol_use),
    Rule("psychostimulants-or-maois", "Psychostimulants or MAOIs",
         "Taken with ketamine these can raise blood pressure further: monitor blood pressure.",
         _all(RouteLevel(C, "spravato-pi")),
         lambda e, _: e.takes(MedicationClass.PSYCHOSTIMULANT, MedicationClass.MAOI)),
    # Age on the day (CLINICAL.md s.2 "Age") -------------------------------------------------------
    Rule("under-adult-age", "Under 18 years old",
         "The evidence and the label cover adults only; treating a patient under 18 is a prescriber's "
         "decision, off-label.",
         _by_route(RouteLevel(R, "spravato-pi", "Esketamine is indicated for adults; safety and effectiveness "
                              "in pediatric patients are not established (Spravato PI)."),
                   RouteLevel(R, "apa-2017", "The APA 2017 consensus on ketamine for depression covers adults "
                              "only: prescriber review.")),
         lambda e, _: e.age_years is not None and e.age_years < ADULT_AGE_YEARS,
         lambda e, _: f"Age {e.age_years} on the day evaluated."),
    # Clinic policy: baseline vital signs ---------------------------------------------------------
    Rule("baseline-bp-above-review-threshold", "Baseline blood pressure above the clinic's review threshold",
         "Clinic policy, not a guideline: baseline blood pressure is high enough that a prescriber must "
         "decide whether to treat. The esketamine label gives no numeric cut-off.",
         _all(RouteLevel(R, CLINIC_POLICY)), _bp_above_review, _bp_detail("review")),
    Rule("baseline-bp-above-caution-threshold", "Baseline blood pressure above the clinic's caution threshold",
         "Clinic policy, not a guideline: baseline blood pressure is raised; weigh the expected rise "
         "during treatment against the benefit and watch it closely.",
         _all(RouteLevel(C, CLINIC_POLICY)), _bp_above_caution_only, _bp_detail("caution")),
    Rule("baseline-heart-rate-above-caution-threshold", "Baseline heart rate above the clinic's caution threshold",
         "Clinic policy, not a guideline: ketamine raises heart rate; the baseline is already high.",
         _all(RouteLevel(C, CLINIC_POLICY)),
         lambda e, p: e.baseline_vitals is not None and e.baseline_vitals.heart_rate_per_min > p.heart_rate_caution_per_min,
         lambda e, p: f"Baseline {e.baseline_vitals.heart_rate_per_min}/min; clinic threshold above "
                      f"{p.heart_rate_caution_per_min}/min."),
    # Other recorded conditions ---------------------------------------------------------------------
    Rule("substance-use-disorder-history", "Past substance use disorder",
         "A past substance use disorder raises the risk of ketamine misuse: monitor for misuse.",
         _all(RouteLevel(C, "spravato-pi")),
         lambda e, _: (e.substance_use.substance_use_disorder is Status.HISTORY
                       and e.substance_use.ketamine_or_pcp_misuse is Status.NONE)),
    Rule("bladder-symptoms", "Bladder or urinary symptoms",
         "Ketamine misuse and long-term use are linked to ulcerative or interstitial cystitis; record "
         "the baseline and monitor urinary symptoms.",
         _all(RouteLevel(C, "spravato-pi")), _medical("bladder_symptoms")),
    Rule("mania-history", "Mania or hypomania (current or past)",
         "Not a listed contraindication in the clinic's reference; the pre-treatment psychiatric "
         "assessment should weigh the risk of switching to mania.",
         _all(RouteLevel(C, "apa-2017")),
         lambda e, _: e.psychiatric_history.mania is not Status.NONE),
    Rule("seizure-disorder", "Seizure disorder",
         "Not a listed contraindication in the clinic's reference; include it in the prescriber's "
         "pre-treatment medical review.",
         _all(RouteLevel(C, "apa-2017")), _medical("seizures")),
    Rule("hyperthyroidism", "Hyperthyroidism",
         "Not a listed contraindication in the clinic's reference; include it in the prescriber's "
         "pre-treatment medical review (ketamine raises heart rate and blood pressure).",
         _all(RouteLevel(C, "apa-2017")), _medical("hyperthyroidism")),
    Rule("sleep-apnea", "Sleep apnea",
         "Not a listed contraindication in the clinic's reference; include it in the prescriber's "
         "pre-treatment medical review and watch sedation and oxygen saturation.",
         _all(RouteLevel(C, "apa-2017")), _medical("sleep_apnea")),
    Rule("esketamine-outside-labelled-indication", "Esketamine outside its labelled indication",
         "Esketamine is labelled for treatment-resistant depression in adults (as monotherapy or with an "
         "oral antidepressant, since 21 Jan 2025) and for major depression with acute suicidal ideation "
         "(with an oral antidepressant). Neither is established in this evaluation, so use would be "
         "off-label.",
         _by_route(esketamine=RouteLevel(R, "spravato-pi")),
         lambda e, p: not _has_labelled_esketamine_indication(e, p), _trd_detail),
    # Prerequisites -------------------------------------------------------------------------------
    Rule("treatment-resistance-not-documented", "Treatment resistance not documented",
         "Treatment-resistant depression is the indication, but the recorded antidepressant trials do not "
         "meet the clinic's definition: record the failed trials (drug, dose, weeks, outcome) or revise "
         "the indication.",
         _by_route(racemic=RouteLevel(P, "apa-2017")), _trd_claimed_not_met, _trd_detail),
    Rule("ecg-if-cardiovascular-risk", "ECG before treatment",
         "Cardiovascular risk recorded (hypertension, heart disease, aneurysm or AV malformation): obtain "
         "an ECG before the first treatment and record it on the chart (Tests and results).",
         _by_route(racemic=RouteLevel(P, "asra-2018")),
         lambda e, _: (e.medical_history.hypertension or e.medical_history.cardiovascular_disease
                       or e.medical_history.aneurysmal_vascular_disease_or_avm) and "ecg" not in e.tests_on_file),
    Rule("liver-tests-if-hepatic-dysfunction", "Liver tests before treatment",
         "Liver disease recorded: obtain liver function tests before the first treatment and record them on "
         "the chart (Tests and results).",
         _by_route(racemic=RouteLevel(P, "asra-2018")),
         lambda e, _: e.medical_history.liver_disease is not LiverDisease.NONE and "liver_tests" not in e.tests_on_file),
    Rule("rems-enrollment", "Spravato REMS enrollment",
         "Every esketamine patient must be enrolled in the Spravato REMS before the first dose.",
         _by_route(esketamine=RouteLevel(P, "spravato-rems")), lambda e, _: True),
    Rule("ride-home-arranged", "Ride home arranged",
         "The patient must not drive after treatment (esketamine: until the next day after restful sleep; "
         "IV/IM: 24 hours) and needs someone to take them home. Not yet recorded as arranged.",
         _by_route(RouteLevel(P, "spravato-pi"), RouteLevel(P, "seeds")),
         lambda e, _: e.ride_home_arranged is not True),
    Rule("baseline-bp-recorded", "Baseline blood pressure",
         "Record a baseline blood pressure and heart rate before the first treatment.",
         _all(RouteLevel(P, "apa-2017")), lambda e, _: e.baseline_vitals is None),
    Rule("weight-recorded", "Body weight",
         "Racemic ketamine is dosed per kilogram: record the weight before the first treatment.",
         {Route.IV: RouteLevel(P, "andrade-2017"), Route.IM: RouteLevel(P, "kap-feasibility"),
          Route.ORAL_SUBLINGUAL: RouteLevel(P, "andrade-2019")},
         lambda e, _: e.weight_kg is None),
    Rule("suicide-risk-assessment", "Same-day suicide-risk assessment",
         "PHQ-9 item 9 is 1 or more, or suicidal ideation is an indication: complete a C-SSRS suicide-risk "
         "assessment the same day, before treatment.",
         _all(RouteLevel(P, "cssrs")),
         lambda e, _: (e.phq9_item9_baseline is not None and e.phq9_item9_baseline >= 1)
         or Indication.MDD_WITH_SUICIDAL_IDEATION in e.indication_set),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# Every row of the shared/CLINICAL.md s.2 contraindication table and the rules implementing it.
TABLE_ROWS: dict[str, tuple[str, ...]] = {
    "Aneurysmal vascular disease or arteriovenous malformation": ("aneurysmal-vascular-disease-or-avm",),
    "History of intracerebral hemorrhage": ("intracerebral-hemorrhage-history",),
    "Hypersensitivity to esketamine, ketamine or excipients": ("hypersensitivity-ketamine-esketamine",),
    "Poorly controlled cardiovascular disease / uncontrolled hypertension":
        ("uncontrolled-hypertension-or-cardiovascular-disease",),
    "Pregnancy": ("pregnancy",),
    "Breastfeeding": ("breastfeeding",),
    "Active psychosis / history of psychosis": ("psychosis-active", "psychosis-history"),
    "Active substance use disorder; history of ketamine/PCP misuse": ("substance-use-disorder-or-ketamine-misuse",),
    "Severe hepatic disease": ("liver-disease-severe", "liver-disease-moderate"),
    "Raised intracranial or intraocular pressure": ("raised-intracranial-or-intraocular-pressure",),
    "CNS depressants (benzodiazepines, opioids, alcohol)": ("cns-depressants",),
    "Psychostimulants, MAOIs": ("psychostimulants-or-maois",),
}
