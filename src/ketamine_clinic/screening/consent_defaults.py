"""Default consent texts, one per route: a TEMPLATE the clinic must review before use.

They are seeded lazily as version 1 of a clinic's consent document the first time the clinic
needs one, marked ``is_template`` until someone edits them. Facts in them follow
shared/CLINICAL.md (sources: spravato-pi, apa-2017, asra-2018, seeds).
"""

from ketamine_clinic.clinical.routes import Route

TEMPLATE_NOTICE = (
    "TEMPLATE — this default text ships with the software. The clinic must review and adapt it "
    "(with its own legal and clinical advice) before patients sign it."
)

_COMMON_RISKS = """Possible effects during and after treatment include: feeling detached or "dissociated", changes in
perception, dizziness, nausea and vomiting, drowsiness, headache, a temporary rise in blood pressure and heart
rate, anxiety, and confusion. These usually pass within about two hours. Rarely, blood pressure rises more and
needs treatment. Ketamine can be misused; long-term or heavy use is linked to bladder problems.

Before every treatment the clinic will check my blood pressure and ask about my health. I will tell the clinic
about every medicine I take (especially benzodiazepines, opioids, sleeping pills, stimulants and MAOIs), about
alcohol or drug use, and if I am or may be pregnant or am breastfeeding.

I must not drive, operate machinery or make important decisions until the next day after restful sleep, and
someone must take me home. I should not drink alcohol on treatment days.

Other treatments for my condition exist (medicines, psychotherapy, ECT, TMS) and were discussed with me.
Treatment may not work for me. I may ask questions at any time, and I may withdraw this consent at any time
without affecting my other care."""

DEFAULT_DOCUMENTS: dict[Route, tuple[str, str]] = {
    Route.IV: (
        "Consent to intravenous (IV) ketamine treatment",
        """I agree to receive racemic ketamine by intravenous infusion. A typical treatment for depression is about
0.5 mg per kg of body weight over about 40 minutes, usually as a series of about six infusions over two to three
weeks, sometimes followed by booster infusions. Ketamine is not approved by the FDA for depression or pain; its
use for these conditions is "off-label", based on published studies and expert consensus.

During the infusion a clinician monitors my blood pressure, heart rate and oxygen level, and I stay in the clinic
after the infusion until I am fit to go home.

""" + _COMMON_RISKS,
    ),
    Route.IM: (
        "Consent to intramuscular (IM) ketamine treatment",
        """I agree to receive racemic ketamine by injection into a muscle, at a dose the prescriber chooses for my
body weight. Ketamine is not approved by the FDA for depression; its use for this condition is "off-label".
The effect starts within minutes and cannot be stopped once given, unlike an infusion.

A clinician monitors me during treatment and I stay in the clinic until I am fit to go home.

""" + _COMMON_RISKS,
    ),
    Route.ESKETAMINE_NASAL: (
        "Consent to esketamine (Spravato) nasal spray treatment",
        """I agree to treatment with esketamine nasal spray (Spravato), which the FDA has approved for adults with
treatment-resistant depression (on its own or with an oral antidepressant) and, together with an oral
antidepressant, for depressive symptoms in adults with major depressive disorder with acute suicidal
thoughts or behavior.

Spravato is only available through a restricted program (the Spravato REMS). I must be enrolled in the REMS
before my first dose. I will take each dose in the clinic under supervision and stay for at least two hours
after dosing, until a clinician decides I may leave. I should not eat for two hours or drink for 30 minutes before
a dose.

""" + _COMMON_RISKS,
    ),
    Route.ORAL_SUBLINGUAL: (
        "Consent to oral or sublingual ketamine treatment",
        """I agree to receive racemic ketamine by mouth or dissolved under the tongue (for example a lozenge or
troche), at a dose the prescriber chooses. Ketamine is not approved by the FDA for depression; its use for this
condition is "off-label". If the clinic lets me take any dose at home, I will follow the clinic's written
instructions exactly, store the medicine locked away, and never share it.

""" + _COMMON_RISKS,
    ),
}
