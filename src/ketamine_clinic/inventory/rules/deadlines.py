"""Deadlines after a theft or significant loss (source: ``21cfr1301.76b``), both counted from the
date of discovery: the written notice within 1 business day (US federal holidays, weekends off),
Form 106 within 45 calendar days."""

import datetime as dt
from dataclasses import dataclass

from ketamine_clinic.core.business_days import add_business_days

NOTICE_BUSINESS_DAYS = 1  # 21 CFR 1301.76(b)
FORM_106_CALENDAR_DAYS = 45  # 21 CFR 1301.76(b), 88 FR 40707


@dataclass(frozen=True)
class LossDeadlines:
    written_notice_due: dt.date
    form_106_due: dt.date


def loss_deadlines(discovered_on: dt.date) -> LossDeadlines:
    return LossDeadlines(
        written_notice_due=add_business_days(discovered_on, NOTICE_BUSINESS_DAYS),
        form_106_due=discovered_on + dt.timedelta(days=FORM_106_CALENDAR_DAYS),
    )
