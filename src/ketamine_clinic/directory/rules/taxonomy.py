"""NUCC provider taxonomy codes relevant to ketamine care, shipped as data (system
``http://nucc.org/provider-taxonomy``). Source: PRACTICE.md §3.2; codes tagged there
"[from memory, verify]" carry ``verify=True``. Refresh from the NUCC CSV twice a year."""

from dataclasses import dataclass

SYSTEM = "http://nucc.org/provider-taxonomy"


@dataclass(frozen=True)
class Taxonomy:
    code: str
    display: str
    verify: bool = False


TAXONOMIES: tuple[Taxonomy, ...] = (
    Taxonomy("2084P0800X", "Psychiatry & Neurology – Psychiatry"),
    Taxonomy("2084P0802X", "Addiction Psychiatry"),
    Taxonomy("2084P0804X", "Child & Adolescent Psychiatry"),
    Taxonomy("2084N0400X", "Neurology"),
    Taxonomy("207L00000X", "Anesthesiology"),
    Taxonomy("207LP2900X", "Anesthesiology – Pain Medicine"),
    Taxonomy("207LP3000X", "Pediatric Anesthesiology"),
    Taxonomy("208VP0000X", "Pain Medicine"),
    Taxonomy("208VP0014X", "Interventional Pain Medicine"),
    Taxonomy("367500000X", "Nurse Anesthetist, Certified Registered (CRNA)"),
    Taxonomy("367H00000X", "Anesthesiologist Assistant"),
    Taxonomy("363LP0808X", "Nurse Practitioner – Psychiatric/Mental Health"),
    Taxonomy("363L00000X", "Nurse Practitioner"),
    Taxonomy("363A00000X", "Physician Assistant"),
    Taxonomy("207P00000X", "Emergency Medicine"),
    Taxonomy("207Q00000X", "Family Medicine"),
    Taxonomy("207R00000X", "Internal Medicine"),
    Taxonomy("103T00000X", "Psychologist"),
    Taxonomy("103TC0700X", "Psychologist – Clinical", verify=True),
    Taxonomy("1041C0700X", "Social Worker – Clinical (LCSW)"),
    Taxonomy("101YM0800X", "Counselor – Mental Health", verify=True),
    Taxonomy("101YP2500X", "Counselor – Professional", verify=True),
    Taxonomy("106H00000X", "Marriage & Family Therapist", verify=True),
    Taxonomy("163W00000X", "Registered Nurse"),
    Taxonomy("163WP0808X", "Registered Nurse – Psychiatric/Mental Health", verify=True),
)

BY_CODE = {t.code: t for t in TAXONOMIES}


def display(code: str) -> str:
    t = BY_CODE.get(code)
    return t.display if t else code
