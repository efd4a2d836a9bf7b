"""Routes of ketamine administration the clinic supports."""

from enum import StrEnum


class Route(StrEnum):
    IV = "iv"  # racemic ketamine, intravenous infusion or bolus
    IM = "im"  # racemic ketamine, intramuscular injection
    ESKETAMINE_NASAL = "esketamine_nasal"  # Spravato nasal spray, under the REMS
    ORAL_SUBLINGUAL = "oral_sublingual"  # racemic lozenges, troches, oral solution

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self]


ROUTE_LABELS = {
    Route.IV: "IV infusion (racemic ketamine)",
    Route.IM: "IM injection (racemic ketamine)",
    Route.ESKETAMINE_NASAL: "Esketamine nasal spray (Spravato)",
    Route.ORAL_SUBLINGUAL: "Oral / sublingual (racemic ketamine)",
}
