"""The regulations and guidance the inventory rules cite, by short name (PRACTICE.md §1).

``verify=True`` marks what PRACTICE.md tags *[from memory, verify]*: such a value is never a hard
rule here; it is a clinic setting labelled clinic policy, or only a format check.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RegSource:
    key: str
    citation: str
    verify: bool = False


REG_SOURCES: dict[str, RegSource] = {
    s.key: s
    for s in (
        RegSource("21cfr1304.04", "21 CFR 1304.04(a): every record and inventory kept at least 2 years, available for inspection."),
        RegSource("21cfr1304.11", "21 CFR 1304.11: initial inventory, biennial inventory; opening or close of business; estimated measure allowed for opened Schedule III-V containers."),
        RegSource("21cfr1304.22c", "21 CFR 1304.22(c) (importing (a)(2)(i), (ii), (iv), (vii), (ix)): name, finished form and units per container, receipts with supplier name, address and DEA number, each dose with patient name and address and who gave it, other disposal with date, manner and quantity."),
        RegSource("21cfr1301.76b", "21 CFR 1301.76(b); 88 FR 40707 (2023): written notice of theft or significant loss to the DEA Field Division within 1 business day of discovery, DEA Form 106 filed electronically within 45 calendar days."),
        RegSource("dea-significant-loss", "DEA guidance on 'significant' loss (quoted by University of Minnesota HSRM; vetcompliancehq.com): quantity relative to the business, pattern of losses, local diversion trends; any continuing pattern of small losses is significant; minor discrepancies are annotated, not reported."),
        RegSource("21cfr1317.95", "21 CFR 1317.95: two employees handle and witness transfer and destruction; DEA Form 41 D: two authorized employee witnesses."),
        RegSource("dea-form-41", "DEA Form 41 (OMB 1117-0007): registrant, per line NDC, batch, name, strength, form, package quantity, full and partial packages, total destroyed; date, method, location; two witnesses."),
        RegSource("dea-form-106", "DEA Form 106 (OMB 1117-0001): registrant, date of theft or loss, type, police report, losses in past 24 months, per NDC line quantity, purchase value, steps taken."),
        RegSource("dea-number-check-digit", "DEA registration number: 2 letters + 7 digits; (d1+d3+d5) + 2 x (d2+d4+d6), last digit equals d7.", verify=True),
        RegSource("fda-ndc", "FDA National Drug Code: 10 digits as labeler-product-package in 4-4-2, 5-3-2 or 5-4-1; billed as 11 digits 5-4-2 (21 CFR 207.35).", verify=True),
        RegSource("usp-797-bud", "USP <797>: multi-dose vial beyond-use date 28 days after first puncture unless the manufacturer says otherwise.", verify=True),
    )
}
