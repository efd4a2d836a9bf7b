"""Which drug class a medication belongs to, from its name, so that a chart's medication list
carries the classes the eligibility rules and the REMS form ask about (an MAOI, a benzodiazepine,
a stimulant …) even when the person typing it does not know the class.

Generic names (and the brand names most often written for the interacting classes), lower case.
Class membership follows each drug's FDA Established Pharmacologic Class (source: fda-epc). The
class keys are those of the chart's medication list (``patients.DrugClass``).
"""

SOURCE = "fda-epc"

_BY_CLASS: dict[str, tuple[str, ...]] = {
    "ssri": ("citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline",
             "celexa", "lexapro", "prozac", "paxil", "zoloft"),
    "snri": ("desvenlafaxine", "duloxetine", "levomilnacipran", "milnacipran", "venlafaxine",
             "cymbalta", "effexor", "pristiq", "fetzima"),
    "tca": ("amitriptyline", "amoxapine", "clomipramine", "desipramine", "doxepin", "imipramine",
            "nortriptyline", "protriptyline", "trimipramine", "anafranil", "pamelor"),
    "maoi": ("isocarboxazid", "phenelzine", "selegiline", "tranylcypromine", "rasagiline", "safinamide",
             "marplan", "nardil", "emsam", "parnate", "azilect", "xadago"),
    "atypical_antidepressant": ("bupropion", "mirtazapine", "trazodone", "nefazodone", "vilazodone",
                                "vortioxetine", "wellbutrin", "remeron", "trintellix", "viibryd"),
    "benzodiazepine": ("alprazolam", "chlordiazepoxide", "clobazam", "clonazepam", "clorazepate", "diazepam",
                       "estazolam", "lorazepam", "midazolam", "oxazepam", "temazepam", "triazolam",
                       "xanax", "klonopin", "valium", "ativan", "restoril"),
    "z_drug": ("eszopiclone", "zaleplon", "zolpidem", "lunesta", "ambien"),
    "opioid": ("buprenorphine", "codeine", "fentanyl", "hydrocodone", "hydromorphone", "methadone",
               "morphine", "oxycodone", "oxymorphone", "tapentadol", "tramadol"),
    "stimulant": ("amphetamine", "dexmethylphenidate", "dextroamphetamine", "lisdexamfetamine",
                  "methamphetamine", "methylphenidate", "adderall", "ritalin", "concerta", "vyvanse"),
    "lamotrigine": ("lamotrigine", "lamictal"),
    "lithium": ("lithium",),
    "antipsychotic": ("aripiprazole", "brexpiprazole", "cariprazine", "clozapine", "haloperidol", "lurasidone",
                      "olanzapine", "quetiapine", "risperidone", "ziprasidone", "lumateperone",
                      "abilify", "rexulti", "vraylar", "seroquel", "zyprexa", "latuda"),
    "antihypertensive": ("amlodipine", "lisinopril", "enalapril", "losartan", "valsartan", "metoprolol",
                         "atenolol", "carvedilol", "hydrochlorothiazide", "chlorthalidone", "clonidine",
                         "prazosin", "nifedipine", "diltiazem", "propranolol"),
}

DRUG_CLASS_BY_NAME: dict[str, str] = {name: cls for cls, names in _BY_CLASS.items() for name in names}


def drug_class_for(name: str) -> str | None:
    """The class of a medication written as e.g. "Sertraline 100 mg" or "phenelzine (Nardil)"."""
    words = "".join(ch if ch.isalpha() else " " for ch in (name or "").casefold()).split()
    for word in words:
        if word in DRUG_CLASS_BY_NAME:
            return DRUG_CLASS_BY_NAME[word]
    return None


def known_names() -> list[str]:
    """Every generic and brand name above, sorted, for a type-ahead list."""
    return sorted(DRUG_CLASS_BY_NAME)
