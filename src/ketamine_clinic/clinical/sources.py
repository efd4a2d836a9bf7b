"""The literature the clinical core cites, by short name.

Every rule, threshold, dose or schedule in ``clinical/`` names one of these keys (or
``CLINIC_POLICY`` when the literature gives no number and the value is the clinic's own choice).
A test checks that every cited key exists here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    verify: bool = False  # True where shared/CLINICAL.md marks the fact "(verify)"


CLINIC_POLICY = "clinic-policy"

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(CLINIC_POLICY, "Clinic policy: no published number; a clinic setting with a shipped default."),
        Source("apa-2017", "Sanacora G et al. A consensus statement on the use of ketamine in the treatment of mood disorders. JAMA Psychiatry 2017;74:399-405."),
        Source("andrade-2017", "Andrade C. Ketamine for depression, 4: in what dose, at what rate, by what route, for how long, and at what frequency? J Clin Psychiatry 2017;78:e852-e857."),
        Source("andrade-2019", "Andrade C. Oral ketamine for depression, 1: pharmacologic considerations and clinical evidence. J Clin Psychiatry 2019;80:19f12820."),
        Source("cusin-2017", "Cusin C et al. Ketamine augmentation for outpatients with treatment-resistant depression: preliminary evidence for two-step intravenous dose escalation. Aust N Z J Psychiatry 2017;51:55-64.", verify=True),
        Source("ketect-pmc7265624", "KetECT-style maintenance protocol (PMC7265624): weekly x 1 month, every 2 weeks x 2 months, monthly x 3 months."),
        Source("asra-2018", "Cohen SP et al. Consensus guidelines on the use of intravenous ketamine infusions for chronic pain (ASRA/AAPM/ASA). Reg Anesth Pain Med 2018;43:521-546."),
        Source("spravato-pi", "SPRAVATO (esketamine) nasal spray, US prescribing information, Janssen."),
        Source("spravato-rems", "SPRAVATO REMS: Patient Monitoring Form and certified healthcare setting requirements."),
        Source("kap-feasibility", "Ketamine-assisted psychotherapy feasibility study (IM up to 0.75 mg/kg with optional 20-40 mg top-up)."),
        Source("seeds", "Common practice in ketamine clinics (no single published source); reviewed as clinic policy."),
        Source("emory-practice", "Emory ketamine service practice: BP every 10 min during infusion, every 15 min after."),
        Source("iv-bp-cohort", "Cohort of 2,342 IV ketamine infusions: mean BP rise +16/+11 mmHg, severe hypertension ~1% of sessions."),
        Source("padss", "Chung F. Post-Anesthetic Discharge Scoring System (PADSS); total 10, >= 9 fit for discharge."),
        Source("kroenke-2001", "Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen Intern Med 2001;16:606-613."),
        Source("spitzer-2006", "Spitzer RL et al. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097."),
        Source("pcl5", "Weathers FW et al. The PTSD Checklist for DSM-5 (PCL-5). National Center for PTSD, 2013."),
        Source("cssrs", "Posner K et al. Columbia-Suicide Severity Rating Scale, screen version (triage card). Columbia University.", verify=True),
        Source("loinc", "LOINC, Regenstrief Institute."),
        Source("domino-1984", "Domino EF et al. Ketamine kinetics in unmedicated and diazepam-premedicated subjects. Clin Pharmacol Ther 1984;36:645-653.", verify=True),
        Source("clements-1981", "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine in man. Br J Anaesth 1981;53:27-30.", verify=True),
        Source("hijazi-2003", "Hijazi Y et al. Pharmacokinetics and haemodynamics of ketamine in intensive care patients. Br J Anaesth 2003;90:155-160.", verify=True),
        Source("herd-2007", "Herd DW et al. Ketamine disposition in children presenting for procedural sedation. Br J Anaesth 2007;98:96-100."),
        Source("perez-ruixo-2021", "Perez-Ruixo C et al. Population pharmacokinetics of esketamine nasal spray and its metabolite noresketamine. Clin Pharmacokinet 2021;60:501-516."),
        Source("olofsen-2012", "Olofsen E et al. Ketamine psychedelic and antinociceptive effects are connected. Anesthesiology 2012;116:1025 (S-ketamine blood-effect-site half-life 6.1 min)."),
        Source("zanos-2018", "Zanos P et al. Ketamine and ketamine metabolite pharmacology. Pharmacol Rev 2018;70:621 (Table 1: Zarate 2006, 185 ng/mL end of 0.5 mg/kg/40 min)."),
        Source("anaesthesist-1984", "IM ketamine in adult trauma, Anaesthesist 1984;33:272: median peaks 147 ng/mL (0.5 mg/kg, 30 min), 474 ng/mL (1.0 mg/kg, 15 min)."),
        Source("grant-1981", "Grant IS, Nimmo WS, Clements JA. Pharmacokinetics and analgesic effects of IM and oral ketamine. Br J Anaesth 1981;53:805."),
        Source("chong-2009", "Chong C et al. Development of a sublingual/oral formulation of ketamine for use in neuropathic pain. Clin Drug Investig 2009;29:317."),
        Source("chong-2006", "Chong C, Schug S, Page-Sharp M, Ilett K. Bioavailability of ketamine after oral or sublingual administration. Pain Med 2006;7(5):469 (abstract; 25 mg oral / sublingual in six neuropathic-pain patients: Cmax 22.8 ± 12.8 / 28.6 ± 6.6 ng/mL, Tmax 0.96 ± 0.8 / 0.76 ± 0.51 h, mean ± SD)."),
        Source("rolan-2014", "Rolan P et al. The absolute bioavailability of racemic ketamine from a novel sublingual formulation. Br J Clin Pharmacol 2014;77:1011 (sublingual wafer 25 mg: F 29%, median Tmax 0.75 h)."),
        Source("bowdle-1998", "Bowdle TA et al. Psychedelic effects of ketamine in healthy volunteers. Anesthesiology 1998;88:82 (TCI measured vs target R = 0.997)."),
        Source("langsjo-2005", "Langsjo JW et al. Effects of subanesthetic ketamine on regional cerebral glucose metabolism. Anesthesiology 2005 (MAP +27%, HR +43%)."),
        Source("pharmacotherapy-2022", "Pharmacotherapy 2022;42:298: 10 mg IV ketamine Cmax 296 ng/mL."),
        Source("icd10cm", "ICD-10-CM, US National Center for Health Statistics."),
        Source("snomed-ct", "SNOMED CT International."),
        Source("rxnorm", "RxNorm, US National Library of Medicine."),
        Source("fda-epc", "FDA Established Pharmacologic Class of each drug, as printed in its US prescribing information (DailyMed)."),
        Source("fda-label-ketalar", "KETALAR (ketamine hydrochloride) injection, US prescribing information."),
    )
}


# How each source is named in a clinical screen's small print: author and year, or what it is.
SHORT: dict[str, str] = {
    CLINIC_POLICY: "clinic policy",
    "apa-2017": "Sanacora et al., JAMA Psychiatry 2017",
    "andrade-2017": "Andrade, J Clin Psychiatry 2017",
    "andrade-2019": "Andrade, J Clin Psychiatry 2019",
    "cusin-2017": "Cusin et al., Aust N Z J Psychiatry 2017",
    "ketect-pmc7265624": "KetECT maintenance protocol",
    "asra-2018": "Cohen et al. (ASRA/AAPM/ASA), Reg Anesth Pain Med 2018",
    "spravato-pi": "Spravato prescribing information",
    "spravato-rems": "Spravato REMS",
    "kap-feasibility": "KAP feasibility study",
    "seeds": "common clinic practice",
    "emory-practice": "Emory ketamine service practice",
    "iv-bp-cohort": "IV ketamine cohort, 2,342 infusions",
    "padss": "Chung, PADSS",
    "kroenke-2001": "Kroenke et al., J Gen Intern Med 2001",
    "spitzer-2006": "Spitzer et al., Arch Intern Med 2006",
    "pcl5": "Weathers et al., PCL-5 (National Center for PTSD) 2013",
    "cssrs": "Posner et al., C-SSRS",
    "loinc": "LOINC",
    "domino-1984": "Domino et al., Clin Pharmacol Ther 1984",
    "clements-1981": "Clements & Nimmo, Br J Anaesth 1981",
    "hijazi-2003": "Hijazi et al., Br J Anaesth 2003",
    "herd-2007": "Herd et al., Br J Anaesth 2007",
    "perez-ruixo-2021": "Perez-Ruixo et al., Clin Pharmacokinet 2021",
    "olofsen-2012": "Olofsen et al., Anesthesiology 2012",
    "zanos-2018": "Zanos et al., Pharmacol Rev 2018",
    "anaesthesist-1984": "Anaesthesist 1984",
    "grant-1981": "Grant et al., Br J Anaesth 1981",
    "chong-2009": "Chong et al., Clin Drug Investig 2009",
    "chong-2006": "Chong et al., Pain Med 2006",
    "rolan-2014": "Rolan et al., Br J Clin Pharmacol 2014",
    "bowdle-1998": "Bowdle et al., Anesthesiology 1998",
    "langsjo-2005": "Langsjo et al., Anesthesiology 2005",
    "pharmacotherapy-2022": "Pharmacotherapy 2022",
    "icd10cm": "ICD-10-CM",
    "snomed-ct": "SNOMED CT",
    "rxnorm": "RxNorm",
    "fda-epc": "FDA pharmacologic class",
    "fda-label-ketalar": "Ketalar prescribing information",
}


def short_citation(key: str) -> str:
    """What a clinician reads for a source: "Sanacora et al., JAMA Psychiatry 2017", "clinic policy".

    An unknown key (a clinic's own protocol may cite something new) is shown as written."""
    return SHORT.get(key, key)


def cite(key: str) -> Source:
    """The source for ``key``; raises KeyError for an unknown key so a typo fails loudly."""
    return SOURCES[key]
