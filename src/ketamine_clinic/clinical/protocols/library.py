"""The shipped protocols, as data, each number next to its source (shared/CLINICAL.md s.1).

Numbers the literature does not fix are clinic policy: they are declared in ``SETTINGS`` below and
the protocols use those defaults, so one number lives in one place. A clinic changes them by
copying a protocol (``protocol_to_dict``), editing it and saving it as a new version.
"""

from __future__ import annotations

from decimal import Decimal

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY
from .model import (
    DoseRule,
    DoseUnit,
    ProtocolIndication,
    LinkedSession,
    MeasureCadence,
    MeasureWhen,
    Phase,
    Protocol,
    ProtocolError,
    RelapseRule,
    RelativeTo,
    Spacing,
    TherapyKind,
    TitrationCondition,
    TitrationRule,
    check_protocol,
)

D = Decimal

KAP_INTEGRATION_WINDOW_KEY = "protocols.kap.integration_window_h"


def integration_window_days(window_h: int) -> int:
    """The KAP integration window in whole days for booking (local dates): never past the window."""
    return int(window_h) // 24


SETTINGS: tuple[Setting, ...] = (
    Setting("protocols.iv_induction.sessions_per_week", 3, "", "apa-2017",
            "IV induction: infusions per week (published 2-3).", 2, 3),
    Setting("protocols.iv.min_days_between", 2, "d", CLINIC_POLICY,
            "IV: minimum days between any two infusions, induction or booster (clinic policy).", 1, 7),
    Setting("protocols.iv_induction.max_span_days", 21, "d", "apa-2017",
            "IV induction: the 6 infusions fall within this many days (published 2-3 weeks).", 14, 28),
    Setting("protocols.maintenance.monthly_interval_days", 28, "d", CLINIC_POLICY,
            "Maintenance: 'monthly' booked as every 4 weeks, same weekday (clinic policy).", 28, 31),
    Setting("protocols.esketamine.min_days_between", 2, "d", CLINIC_POLICY,
            "Esketamine twice-weekly phases: minimum days between sessions (clinic policy; the label gives none).", 1, 3),
    Setting("protocols.esketamine.continuation_interval_days", 7, "d", "spravato-pi",
            "Esketamine week 9 on: weekly (7) or every 2 weeks (14), the least frequent that keeps response.", 7, 14),
    Setting("protocols.im.default_dose_mg_per_kg", D("0.5"), "mg/kg", CLINIC_POLICY,
            "IM series: default dose (clinic policy within the common 0.5-1.0 mg/kg).", 0.1, 1.0),
    Setting("protocols.im.min_dose_mg_per_kg", D("0.5"), "mg/kg", CLINIC_POLICY,
            "IM series: lowest allowed dose (clinic policy).", 0.1, 1.0),
    Setting("protocols.im.max_dose_mg_per_kg", D("1.0"), "mg/kg", CLINIC_POLICY,
            "IM series: highest allowed dose (clinic policy).", 0.1, 1.0),
    Setting("protocols.im.series_sessions", 6, "", CLINIC_POLICY,
            "IM series: number of sessions (clinic policy).", 1, 12),
    Setting("protocols.im.sessions_per_week", 2, "", CLINIC_POLICY,
            "IM series: sessions per week (clinic policy).", 1, 3),
    Setting("protocols.im.min_days_between", 2, "d", CLINIC_POLICY,
            "IM series: minimum days between sessions (clinic policy).", 1, 7),
    Setting("protocols.oral.default_dose_mg", 25, "mg", CLINIC_POLICY,
            "Oral/sublingual: default fixed dose (clinic policy; published 25-300 mg).", 25, 300),
    Setting("protocols.oral.sessions_per_week", 2, "", CLINIC_POLICY,
            "Oral/sublingual: doses per week (clinic policy).", 1, 3),
    Setting("protocols.oral.min_days_between", 2, "d", CLINIC_POLICY,
            "Oral/sublingual: minimum days between doses (clinic policy).", 1, 7),
    Setting("protocols.pain.default_rate_mg_per_kg_per_h", D("0.5"), "mg/kg/h", CLINIC_POLICY,
            "Chronic-pain infusion: default rate (clinic policy within the published 0.5-2 mg/kg/h).", 0.5, 2.0),
    Setting("protocols.pain.min_days_between", 1, "d", CLINIC_POLICY,
            "Chronic-pain infusion series: minimum days between infusions (clinic policy).", 1, 14),
    Setting("protocols.kap.dosing_sessions", 6, "", CLINIC_POLICY,
            "KAP: number of dosing sessions (clinic policy).", 1, 12),
    Setting("protocols.kap.sessions_per_week", 1, "", CLINIC_POLICY,
            "KAP: dosing sessions per week (clinic policy).", 1, 2),
    Setting("protocols.kap.min_days_between", 1, "d", CLINIC_POLICY,
            "KAP: minimum days between dosing sessions (clinic policy).", 1, 14),
    Setting("protocols.kap.default_dose_mg_per_kg", D("0.5"), "mg/kg", CLINIC_POLICY,
            "KAP (IM): default dose (clinic policy; published up to 0.75 mg/kg).", 0.1, 0.75),
    Setting("protocols.kap.preparation_within_days", 14, "d", CLINIC_POLICY,
            "KAP: the preparation session falls within this many days before the first dosing (clinic policy).", 1, 60),
    # One window for booking and for the overdue integration note (issue 15: "a clinic setting, default
    # 72 h"); PRACTICE.md s.5.1 cites integration within 24-72 h. Booking works in whole local days:
    # the protocol books integration within floor(hours / 24) days after the dosing date.
    Setting(KAP_INTEGRATION_WINDOW_KEY, 72, "h", CLINIC_POLICY,
            "KAP: each integration session is booked within this many hours after its dosing session, and its "
            "integration note is overdue after it (clinic policy).", 24, 336),
)

_DEFAULT = {s.key: s.default for s in SETTINGS}

# --- indications (ICD-10-CM codes from shared/CLINICAL.md s.2) --------------------------------

MDD_CODES = ("F32.0", "F32.1", "F32.2", "F32.3", "F32.4", "F32.5", "F32.9", "F32.A",
             "F33.0", "F33.1", "F33.2", "F33.3", "F33.4", "F33.8", "F33.9")
BIPOLAR_DEPRESSION_CODES = ("F31.3", "F31.4", "F31.5", "F31.81")
MDD_TRD = ProtocolIndication("Major depressive disorder, treatment-resistant (code the episode; record failed trials)",
                     MDD_CODES, "apa-2017")
BIPOLAR_DEPRESSION = ProtocolIndication("Bipolar depression", BIPOLAR_DEPRESSION_CODES, "apa-2017")
# Since 21 Jan 2025 the TRD indication is monotherapy or with an oral antidepressant (spravato-pi,
# CLINICAL.md s.2 "Label update"); the suicidal-ideation indication still requires one.
ESKETAMINE_TRD = ProtocolIndication("Treatment-resistant depression (adults), as monotherapy or with an oral antidepressant",
                            MDD_CODES, "spravato-pi")
ESKETAMINE_MDD_ASI = ProtocolIndication("Major depressive disorder with acute suicidal ideation or behaviour, "
                                "with an oral antidepressant",
                                MDD_CODES + ("R45.851",), "spravato-pi")
PTSD = ProtocolIndication("Post-traumatic stress disorder (seen in practice)", ("F43.1",), "seeds")
ANXIETY = ProtocolIndication("Generalized or social anxiety disorder (seen in practice)", ("F41.1", "F40.1"), "seeds")
CHRONIC_PAIN = ProtocolIndication("Chronic pain, including CRPS (codes: verify)", ("G89.21", "G89.29", "G89.4"), "asra-2018")

# --- measures ---------------------------------------------------------------------------------

PHQ9_BEFORE = MeasureCadence("phq9", MeasureWhen.BEFORE_EACH_SESSION, CLINIC_POLICY)
PHQ9_24H = MeasureCadence("phq9", MeasureWhen.H24_AFTER_EACH_SESSION, "seeds")  # research practice, CLINICAL.md s.4
PHQ9_WEEKLY = MeasureCadence("phq9", MeasureWhen.WEEKLY, CLINIC_POLICY)  # twice-weekly dosing: recall windows overlap
CADSS_DURING = MeasureCadence("cadss", MeasureWhen.DURING_SESSION, CLINIC_POLICY)

# --- doses ------------------------------------------------------------------------------------

IV_DEPRESSION_DOSE = DoseRule(
    unit=DoseUnit.MG_PER_KG,
    default=D("0.5"),  # apa-2017: 0.5 mg/kg over 40 min
    minimum=D("0.1"),  # apa-2017: 0.1-0.75 mg/kg published
    maximum=D("0.75"),  # apa-2017; higher ceilings are clinic policy (edit a copy)
    infusion_duration_min=40,  # apa-2017
    source="apa-2017",
)
IV_ESCALATION = TitrationRule(
    condition=TitrationCondition.INADEQUATE_RESPONSE,
    after_sessions=3,  # cusin-2017 (verify): after 3 infusions at 0.5 mg/kg
    new_dose=D("0.75"),  # cusin-2017 (verify): 0.75 mg/kg for the next 3
    source="cusin-2017",
    description="Inadequate response after 3 infusions at 0.5 mg/kg: 0.75 mg/kg for the next 3.",
)

# --- the protocols ----------------------------------------------------------------------------

IV_INDUCTION = Protocol(
    key="iv-racemic-induction",
    version=1,
    title="IV racemic ketamine, depression: induction series",
    route=Route.IV,
    indications=(MDD_TRD, BIPOLAR_DEPRESSION),
    phases=(
        Phase(
            name="induction",
            session_count=6,  # apa-2017 / andrade-2017: 6 infusions
            spacing=Spacing(
                min_days_between=_DEFAULT["protocols.iv.min_days_between"],  # clinic policy
                sessions_per_week=_DEFAULT["protocols.iv_induction.sessions_per_week"],  # apa-2017: 2-3/week
                max_span_days=_DEFAULT["protocols.iv_induction.max_span_days"],  # apa-2017: over 2-3 weeks
                source="apa-2017",
            ),
            description="6 infusions, 2-3 per week, over 2-3 weeks.",
        ),
    ),
    dose_rule=IV_DEPRESSION_DOSE,
    titration_rules=(IV_ESCALATION,),
    measures=(PHQ9_BEFORE, PHQ9_24H, CADSS_DURING),
    sources=("apa-2017", "andrade-2017", "cusin-2017"),
)

_MONTHLY = _DEFAULT["protocols.maintenance.monthly_interval_days"]
_IV_GAP = _DEFAULT["protocols.iv.min_days_between"]  # clinic policy: any two IV sessions

IV_MAINTENANCE = Protocol(
    key="iv-racemic-maintenance",
    version=1,
    title="IV racemic ketamine, depression: maintenance boosters (tapering)",
    route=Route.IV,
    indications=(MDD_TRD, BIPOLAR_DEPRESSION),
    phases=(
        # ketect-pmc7265624: weekly x 1 month, every 2 weeks x 2 months, monthly x 3 months.
        Phase("maintenance-weekly", 4, Spacing(min_days_between=_IV_GAP, interval_days=7, source="ketect-pmc7265624"),
              "Weekly for 1 month."),
        Phase("maintenance-every-2-weeks", 4, Spacing(min_days_between=_IV_GAP, interval_days=14, source="ketect-pmc7265624"),
              "Every 2 weeks for 2 months."),
        Phase("maintenance-monthly", 3, Spacing(min_days_between=_IV_GAP, interval_days=_MONTHLY, source="ketect-pmc7265624"),
              "Monthly for 3 months (booked every 4 weeks: clinic policy)."),
    ),
    dose_rule=IV_DEPRESSION_DOSE,
    measures=(PHQ9_BEFORE, PHQ9_24H),
    relapse_rule=RelapseRule(return_to_interval_days=14, source="ketect-pmc7265624"),  # back to every 2 weeks
    sources=("ketect-pmc7265624", "andrade-2017", "apa-2017"),
    notes="Andrade 2017: give the next dose a little before the previous effect wears off.",
)

_ESK_GAP = _DEFAULT["protocols.esketamine.min_days_between"]

ESKETAMINE_TRD_PROTOCOL = Protocol(
    key="esketamine-trd",
    version=1,
    title="Esketamine nasal spray (Spravato), treatment-resistant depression",
    route=Route.ESKETAMINE_NASAL,
    indications=(ESKETAMINE_TRD,),
    phases=(
        Phase("induction", 8, Spacing(min_days_between=_ESK_GAP, sessions_per_week=2, max_span_days=28,
                                      source="spravato-pi"),
              "Weeks 1-4: twice weekly; day 1 56 mg, then 56 or 84 mg. Assess benefit at the end."),
        Phase("maintenance-weekly", 4, Spacing(min_days_between=_ESK_GAP, interval_days=7, source="spravato-pi"),
              "Weeks 5-8: weekly, 56 or 84 mg."),
        Phase("maintenance-continuation", None,
              Spacing(min_days_between=_ESK_GAP, interval_days=_DEFAULT["protocols.esketamine.continuation_interval_days"],
                      source="spravato-pi", interval_options_days=(7, 14)),  # spravato-pi: weekly or every 2 weeks
              "Week 9 on: weekly or every 2 weeks (the prescriber chooses per patient), the least frequent "
              "that keeps response."),
    ),
    dose_rule=DoseRule(
        unit=DoseUnit.DEVICES,  # 28 mg per device, spravato-pi
        default=D(2),  # 56 mg
        minimum=D(2),  # 56 mg, spravato-pi
        maximum=D(3),  # 84 mg, spravato-pi
        first_session_dose=D(2),  # day 1: 56 mg, spravato-pi
        source="spravato-pi",
    ),
    measures=(PHQ9_WEEKLY, MeasureCadence("phq9", MeasureWhen.END_OF_PHASE, "spravato-pi"),
              MeasureCadence("cadss", MeasureWhen.DURING_SESSION, "spravato-pi")),
    sources=("spravato-pi", "spravato-rems"),
    notes="Devices 5 minutes apart; record device count x 28 mg and lot numbers. REMS enrolment before the first dose.",
)

ESKETAMINE_MDD_ASI_PROTOCOL = Protocol(
    key="esketamine-mdd-suicidal-ideation",
    version=1,
    title="Esketamine nasal spray (Spravato), MDD with acute suicidal ideation or behaviour",
    route=Route.ESKETAMINE_NASAL,
    indications=(ESKETAMINE_MDD_ASI,),
    phases=(
        Phase("induction", 8, Spacing(min_days_between=_ESK_GAP, sessions_per_week=2, max_span_days=28,
                                      source="spravato-pi"),
              "84 mg twice weekly for 4 weeks, with an oral antidepressant."),
    ),
    dose_rule=DoseRule(unit=DoseUnit.DEVICES, default=D(3), minimum=D(2), maximum=D(3), source="spravato-pi"),
    titration_rules=(
        TitrationRule(TitrationCondition.TOLERABILITY, D(2), "spravato-pi",
                      description="May reduce to 56 mg for tolerability."),
    ),
    measures=(PHQ9_WEEKLY, MeasureCadence("cadss", MeasureWhen.DURING_SESSION, "spravato-pi")),
    sources=("spravato-pi", "spravato-rems"),
    notes="Given with an oral antidepressant.",
)

IM_SERIES = Protocol(
    key="im-series",
    version=1,
    title="IM racemic ketamine series (clinic policy)",
    route=Route.IM,
    indications=(MDD_TRD,),
    phases=(
        Phase("induction", _DEFAULT["protocols.im.series_sessions"],
              Spacing(min_days_between=_DEFAULT["protocols.im.min_days_between"],
                      sessions_per_week=_DEFAULT["protocols.im.sessions_per_week"],
                      source=CLINIC_POLICY),
              "Session count and spacing are clinic policy."),
    ),
    dose_rule=DoseRule(
        unit=DoseUnit.MG_PER_KG,
        default=_DEFAULT["protocols.im.default_dose_mg_per_kg"],  # clinic policy
        minimum=_DEFAULT["protocols.im.min_dose_mg_per_kg"],  # clinic policy (common 0.5-1.0)
        maximum=_DEFAULT["protocols.im.max_dose_mg_per_kg"],  # clinic policy (common 0.5-1.0)
        source=CLINIC_POLICY,
    ),
    measures=(PHQ9_BEFORE, PHQ9_24H),
    sources=(CLINIC_POLICY, "kap-feasibility"),
    notes="A published KAP study used up to 0.75 mg/kg IM; 0.5-1.0 mg/kg is common clinic practice.",
)

_ORAL_DOSE = DoseRule(
    unit=DoseUnit.MG,
    default=D(_DEFAULT["protocols.oral.default_dose_mg"]),  # clinic policy
    minimum=D(25),  # andrade-2019: 25-300 mg fixed published
    maximum=D(300),  # andrade-2019
    source="andrade-2019",
)
_ORAL_SPACING = Spacing(min_days_between=_DEFAULT["protocols.oral.min_days_between"],
                        sessions_per_week=_DEFAULT["protocols.oral.sessions_per_week"], source=CLINIC_POLICY)

ORAL_IN_CLINIC = Protocol(
    key="oral-sublingual-in-clinic",
    version=1,
    title="Oral / sublingual racemic ketamine, supervised in clinic",
    route=Route.ORAL_SUBLINGUAL,
    indications=(MDD_TRD,),
    phases=(Phase("dosing", None, _ORAL_SPACING, "Open-ended; frequency is clinic policy."),),
    dose_rule=_ORAL_DOSE,
    measures=(PHQ9_BEFORE,),
    sources=("andrade-2019", CLINIC_POLICY),
    notes="Bioavailability ~20-30%: ~2-2.5 mg/kg oral gives about IV exposure (andrade-2019).",
)

ORAL_AT_HOME = Protocol(
    key="sublingual-lozenges-at-home",
    version=1,
    title="Sublingual racemic ketamine lozenges, at home",
    route=Route.ORAL_SUBLINGUAL,
    indications=(MDD_TRD,),
    phases=(Phase("dosing", None, _ORAL_SPACING, "Open-ended; frequency is clinic policy."),),
    dose_rule=_ORAL_DOSE,
    measures=(PHQ9_WEEKLY,),
    sources=("andrade-2019", CLINIC_POLICY),
    at_home=True,
    notes="At-home programs use lozenges or troches (andrade-2019).",
)

IV_CHRONIC_PAIN = Protocol(
    key="iv-chronic-pain",
    version=1,
    title="IV racemic ketamine infusion, chronic pain",
    route=Route.IV,
    indications=(CHRONIC_PAIN,),
    phases=(
        Phase("infusion-series", None,
              Spacing(min_days_between=_DEFAULT["protocols.pain.min_days_between"], source=CLINIC_POLICY),
              "Number and spacing of infusions are clinic policy."),
    ),
    dose_rule=DoseRule(
        unit=DoseUnit.MG_PER_KG_PER_H,
        default=_DEFAULT["protocols.pain.default_rate_mg_per_kg_per_h"],  # clinic policy within range
        minimum=D("0.5"),  # asra-2018: 0.5-2 mg/kg/h
        maximum=D(2),  # asra-2018
        min_total_dose_mg=D(80),  # asra-2018: total >= 80 mg
        min_infusion_duration_min=120,  # asra-2018: over more than 2 h
        max_bolus_mg_per_kg=D("0.35"),  # asra-2018: bolus up to 0.35 mg/kg
        source="asra-2018",
    ),
    measures=(MeasureCadence("pain_nrs", MeasureWhen.BEFORE_EACH_SESSION, CLINIC_POLICY),
              MeasureCadence("pain_nrs", MeasureWhen.H24_AFTER_EACH_SESSION, CLINIC_POLICY)),
    sources=("asra-2018",),
    notes="CRPS has moderate evidence (asra-2018).",
)

KAP = Protocol(
    key="ketamine-assisted-psychotherapy",
    version=1,
    title="Ketamine-assisted psychotherapy (IM dosing with a therapist)",
    route=Route.IM,
    indications=(MDD_TRD, PTSD, ANXIETY),
    phases=(
        Phase("dosing", _DEFAULT["protocols.kap.dosing_sessions"],
              Spacing(min_days_between=_DEFAULT["protocols.kap.min_days_between"],
                      sessions_per_week=_DEFAULT["protocols.kap.sessions_per_week"],
                      source=CLINIC_POLICY),
              "Dosing sessions with a therapist; count and spacing are clinic policy."),
    ),
    dose_rule=DoseRule(
        unit=DoseUnit.MG_PER_KG,
        default=_DEFAULT["protocols.kap.default_dose_mg_per_kg"],  # clinic policy
        minimum=D("0.1"),  # clinic policy floor
        maximum=D("0.75"),  # kap-feasibility: up to 0.75 mg/kg IM
        top_up_min_mg=D(20),  # kap-feasibility: optional 20-40 mg top-up
        top_up_max_mg=D(40),
        source="kap-feasibility",
    ),
    linked_sessions=(
        LinkedSession(TherapyKind.PREPARATION, RelativeTo.BEFORE_FIRST_DOSING, 1,
                      _DEFAULT["protocols.kap.preparation_within_days"], "seeds"),
        LinkedSession(TherapyKind.INTEGRATION, RelativeTo.AFTER_EACH_DOSING, 1,
                      integration_window_days(_DEFAULT[KAP_INTEGRATION_WINDOW_KEY]), "seeds"),
    ),
    measures=(PHQ9_BEFORE,),
    sources=("kap-feasibility", "seeds"),
)

PROTOCOLS: dict[str, Protocol] = {
    p.key: check_protocol(p)
    for p in (IV_INDUCTION, IV_MAINTENANCE, ESKETAMINE_TRD_PROTOCOL, ESKETAMINE_MDD_ASI_PROTOCOL, IM_SERIES,
              ORAL_IN_CLINIC, ORAL_AT_HOME, IV_CHRONIC_PAIN, KAP)
}


def get_protocol(key: str) -> Protocol:
    """The shipped protocol ``key``; ``ProtocolError`` naming the known keys otherwise."""
    try:
        return PROTOCOLS[key]
    except (KeyError, TypeError):
        raise ProtocolError("key", f"No shipped protocol {key!r}; known: {', '.join(sorted(PROTOCOLS))}.") from None
