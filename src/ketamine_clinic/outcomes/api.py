"""/api/v1 operations of the outcomes report (same paths and tag as before the move)."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.db_router import report_reads
from ketamine_clinic.core.schemas import errors

from . import report

router = Router(tags=["assessments"])


class OutcomeRowOut(Schema):
    patients: int
    with_follow_up: int
    responders: int
    response_rate: float | None
    remitters: int
    remission_rate: float | None
    mean_baseline: float | None
    mean_change: float | None
    mean_percent_change: float | None
    mean_days_to_response: float | None


class OutcomeGroupOut(OutcomeRowOut):
    key: str
    label: str


class OutcomeSummaryOut(Schema):
    instrument_key: str
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")
    response_min_reduction_percent: float
    remission_max_total: float | None
    overall: OutcomeRowOut
    by_indication: list[OutcomeGroupOut]
    by_route: list[OutcomeGroupOut]
    by_protocol: list[OutcomeGroupOut]


class OutcomeParams(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    instrument: str = "phq9"


@router.get("/outcomes/summary", response={200: OutcomeSummaryOut, **errors(401, 403, 422)}, by_alias=True,
            summary="Clinic outcomes: response and remission rates, mean change, time to response")
def outcomes_summary(request, params: Query[OutcomeParams]):
    today = timezone.localdate()
    start = params.date_from or today - dt.timedelta(days=365)
    end = params.date_to or today
    with report_reads(request):  # on the read replica when one is configured
        s = report.outcomes_summary(Context.from_request(request), start, end, params.instrument)
    keys = OutcomeRowOut.model_fields
    groups = {name: [{"key": g["key"], "label": g["label"], **{k: g[k] for k in keys}} for g in s[name]]
              for name in ("by_indication", "by_route", "by_protocol")}
    return {
        "instrument_key": s["instrument"].key, "from": s["from"], "to": s["to"],
        "response_min_reduction_percent": s["policy"].response_min_reduction_percent,
        "remission_max_total": s["policy"].remission_max_total,
        "overall": {k: s["overall"][k] for k in keys},
        **groups,
    }
