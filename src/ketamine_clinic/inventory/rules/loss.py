"""Is a discrepancy a significant loss? The DEA leaves it to the registrant's judgement, using the
factors below (source: ``dea-significant-loss``). The software never decides for the clinic: it
records the answers and the judgement, and flags what the guidance says must count as significant.
"""

from dataclasses import dataclass

# The factors the clinic answers, each with the question shown on the form.
FACTORS: tuple[tuple[str, str], ...] = (
    ("quantity_relative", "Is the quantity lost large relative to the clinic's use of the drug?"),
    ("pattern", "Is this part of a pattern of losses (including small ones), and what was done about earlier ones?"),
    ("diversion_trend", "Are there local trends or other signs of diversion?"),
)
SOURCE = "dea-significant-loss"


@dataclass(frozen=True)
class Assessment:
    significant: bool
    must_report: bool
    explanation: str


def assess(*, theft: bool, judged_significant: bool, factors: dict[str, bool]) -> Assessment:
    """The outcome of a discrepancy review. Theft is always reportable; a loss is reportable when the
    clinic judges it significant, and a continuing pattern of small losses is always significant."""
    unknown = set(factors) - {key for key, _ in FACTORS}
    if unknown:
        raise ValueError(f"unknown factor(s): {', '.join(sorted(unknown))}")
    if theft:
        return Assessment(True, True, "Any theft must be reported to the DEA.")
    if factors.get("pattern"):
        return Assessment(True, True, "A continuing pattern of loss, even of small quantities, is always significant.")
    if judged_significant:
        return Assessment(True, True, "The clinic judged the loss significant.")
    return Assessment(False, False, "A minor discrepancy: annotated in the records, not reported.")
