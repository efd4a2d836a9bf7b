"""The steps of a session day, in order, and which one a session is at (the bedside screen and the board).

Decided from the recorded session only: its status, whether the recorded checklist is clear, and the
earliest discharge time computed from the recorded dose times.
"""

import datetime as dt
from dataclasses import dataclass

from .models import SessionStatus

STEPS = (
    ("checkin", "Check-in and checklist"),
    ("dose", "Dose"),
    ("monitoring", "Monitoring"),
    ("discharge", "Discharge"),
)
LABELS = dict(STEPS)
ORDER = [key for key, _ in STEPS]


def current_step(status: str, *, may_dose: bool | None, now: dt.datetime,
                 earliest_discharge: dt.datetime | None) -> str:
    """The step the session is at: "checkin" until the checklist is clear, "dose" while it is clear
    or dosing, "monitoring" during observation, "discharge" once the minimum observation is over;
    "done" for a discharged or ended session."""
    if status == SessionStatus.CHECKED_IN:
        return "dose" if may_dose else "checkin"
    if status == SessionStatus.DOSING:
        return "dose"
    if status == SessionStatus.OBSERVING:
        return "discharge" if earliest_discharge is not None and now >= earliest_discharge else "monitoring"
    return "done"


@dataclass(frozen=True)
class StepView:
    key: str
    label: str
    number: int
    state: str  # "done", "current", "in_progress" or "upcoming"
    open: bool  # shown expanded on the screen

    @property
    def is_current(self) -> bool:
        return self.state == "current"


def step_views(status: str, current: str) -> list[StepView]:
    """Every step with its state. Monitoring runs alongside the dose and observation, and the discharge
    form is open through observation, so those stay expanded; finished and later steps are collapsed."""
    in_progress = set()
    if status in (SessionStatus.DOSING, SessionStatus.OBSERVING):
        in_progress.add("monitoring")
    if status == SessionStatus.OBSERVING:
        in_progress.add("discharge")
    at = ORDER.index(current) if current in ORDER else len(ORDER)
    views = []
    for i, key in enumerate(ORDER):
        if key == current:
            state = "current"
        elif key in in_progress:
            state = "in_progress"
        elif i < at:
            state = "done"
        else:
            state = "upcoming"
        opened = state in ("current", "in_progress") or (status == SessionStatus.DISCHARGED and key == "discharge")
        views.append(StepView(key, LABELS[key], i + 1, state, opened))
    return views
