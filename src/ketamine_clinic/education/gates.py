"""Education a rule depends on: for esketamine, the patient's acknowledgement of the education page
on the drug and its REMS before enrollment. Read from the recorded acknowledgement, never from what
a form claims."""

from dataclasses import dataclass

from ketamine_clinic.core.errors import Conflict

from . import services
from .clinic_policy import rems_ack_is_hard_stop

REMS_EDUCATION_PAGE = "esketamine-rems"


@dataclass(frozen=True)
class EducationItem:
    label: str
    done: bool
    hard_stop: bool
    message: str


def rems_education_item(patient) -> EducationItem:
    """The REMS enrollment's checklist item: the esketamine education page acknowledged."""
    hard_stop = rems_ack_is_hard_stop(patient.organization)
    row = services.acknowledged(patient, REMS_EDUCATION_PAGE)
    label = "Esketamine education page acknowledged by the patient"
    if row is not None:
        return EducationItem(label, True, hard_stop, f"Acknowledged version {row.page_version} on {row.acknowledged_at:%Y-%m-%d}.")
    sent = services.own_assignments(patient).filter(page_slug=REMS_EDUCATION_PAGE).exists()
    todo = "Sent, not yet acknowledged." if sent else "Not sent yet: send the esketamine pack from the chart."
    return EducationItem(label, False, hard_stop, todo + (" Enrollment waits for it (clinic policy)." if hard_stop else
                                                          " Not a hard stop at this clinic (clinic policy)."))


def refuse_rems_without_education(patient) -> None:
    """Conflict when the clinic makes the acknowledgement a hard stop and it is missing."""
    item = rems_education_item(patient)
    if item.hard_stop and not item.done:
        raise Conflict("The patient has not acknowledged the esketamine education page; the clinic requires it before "
                       "REMS enrollment.", {"education": [item.message]})
