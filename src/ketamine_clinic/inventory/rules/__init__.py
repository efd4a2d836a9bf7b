"""Pure rules of the controlled-substance record (no Django, no clock): DEA number and NDC checks,
business-day deadlines, significant-loss factors, beyond-use dates and ledger arithmetic.

Every regulatory fact names its source (``sources.REG_SOURCES``); PRACTICE.md §1 has the detail.
"""
