"""Vocabularies of the public finder (pure data)."""

ACCESSIBILITY = (
    ("wheelchair", "Wheelchair accessible entrance"),
    ("step_free", "Step-free route to treatment rooms"),
    ("accessible_restroom", "Accessible restroom"),
    ("parking", "Accessible parking"),
    ("hearing_loop", "Hearing loop"),
    ("interpreter", "Sign-language or spoken-language interpreter on request"),
)
ACCESSIBILITY_LABELS = dict(ACCESSIBILITY)

# The SAMHSA FindTreatment payment filters (PRACTICE.md §3.3) as network names a clinic may list.
COMMON_NETWORKS = ("Private insurance", "Medicare", "Medicaid", "TRICARE")

# The right to a good-faith estimate must be posted on the website (45 CFR 149.610(b)(1)(iii); PRACTICE.md §2.2);
# the wording below is a clinic-policy default the clinic admin edits.
DEFAULT_GFE_NOTICE = ("You have the right to receive a Good Faith Estimate explaining how much your care will cost "
                      "if you do not have insurance or are not using insurance. Ask the clinic for one before you book.")
