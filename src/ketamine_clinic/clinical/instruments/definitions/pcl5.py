"""PCL-5: PTSD Checklist for DSM-5 (past-month version without criterion A).

A US government work from the National Center for PTSD, free to use. Item wording as published
(Weathers et al. 2013). No item LOINC codes are listed in shared/CLINICAL.md, so items carry none;
the panel and total codes are marked *(verify)* there.

The probable-PTSD cut-point is 31-33 in the source: this definition ships 33 and the clinic may
choose 31-33 (setting ``instruments.pcl5.probable_ptsd_min_total`` in ``scoring.SETTINGS``).
"""

from ..model import Band, Instrument, Item, Respondent, ordinal_options

PCL5_OPTIONS = ordinal_options(
    (
        ("Not at all", None),
        ("A little bit", None),
        ("Moderately", None),
        ("Quite a bit", None),
        ("Extremely", None),
    )
)

_TEXTS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
    "be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
    "have loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)

PROBABLE_PTSD_MIN_TOTAL_DEFAULT = 33  # source "pcl5": cut-point 31-33, clinic picks within it

PCL5 = Instrument(
    key="pcl5",
    name="PTSD Checklist for DSM-5 (PCL-5)",
    version="2013 past-month form; definition 1",
    recall_period="past month",
    respondent=Respondent.PATIENT,
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then circle one of the numbers to "
        "the right to indicate how much you have been bothered by that problem in the past "
        "month. In the past month, how much were you bothered by:"
    ),
    items=tuple(
        Item(link_id=f"pcl5-{n}", text=text, label=f"Item {n}", loinc=None, options=PCL5_OPTIONS)
        for n, text in enumerate(_TEXTS, start=1)
    ),
    licence_note="US government work (National Center for PTSD): free to use.",
    attribution="PCL-5 (Weathers, Litz, Keane, Palmieri, Marx, & Schnurr, 2013), National Center for PTSD.",
    source="pcl5",
    loinc_panel="101697-1",  # source "loinc" (verify)
    loinc_total="101698-9",  # source "loinc" (verify)
    bands=(
        Band("below_cutpoint", "Below probable-PTSD cut-point", 0, PROBABLE_PTSD_MIN_TOTAL_DEFAULT - 1, "pcl5"),
        Band("probable_ptsd", "Probable PTSD (provisional, confirm by interview)", PROBABLE_PTSD_MIN_TOTAL_DEFAULT, 80, "pcl5"),
    ),
)
