"""Clinic-policy numbers of the scheduling web layer, with shipped defaults.

The literature fixes none of these: they are the clinic's own policy (``CLINIC_POLICY``). They are
declared as ``Setting``s like the clinical core's, and read through ``clinic_settings`` (registered
from ``PlansConfig.ready``): a clinic's value is used once a clinic admin sets one; until then the
defaults hold.
"""

import datetime as dt

from ketamine_clinic.clinical.policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

SETTINGS: tuple[Setting, ...] = (
    Setting("plans.appointment_minutes.iv", 120, "min", CLINIC_POLICY,
            "IV session: chair time booked (40 min infusion plus observation; clinic policy).", 60, 360),
    Setting("plans.appointment_minutes.im", 120, "min", CLINIC_POLICY,
            "IM session: room time booked (clinic policy).", 30, 360),
    Setting("plans.appointment_minutes.esketamine_nasal", 150, "min", CLINIC_POLICY,
            "Esketamine session: chair time booked (dosing plus at least 2 h observation; clinic policy).", 130, 360),
    Setting("plans.appointment_minutes.oral_sublingual", 120, "min", CLINIC_POLICY,
            "Supervised oral/sublingual session: time booked (clinic policy).", 30, 360),
    Setting("plans.appointment_minutes.long_infusion", 240, "min", CLINIC_POLICY,
            "Infusions that must run longer than 2 h (chronic pain): chair time booked (clinic policy).", 150, 600),
    Setting("plans.therapy_minutes", 60, "min", CLINIC_POLICY,
            "Preparation, integration and psychotherapy sessions: time booked (clinic policy).", 30, 180),
    Setting("plans.reminder_lead_hours", 24, "h", CLINIC_POLICY,
            "Send the appointment reminder this many hours before the start (clinic policy).", 1, 96),
    Setting("plans.maintenance_open_ended_sessions", 4, "", CLINIC_POLICY,
            "Open-ended maintenance phases: boosters proposed at a time (clinic policy).", 1, 12),
    Setting("plans.slot_step_min", 15, "min", CLINIC_POLICY,
            "When the preferred time is taken, try start times this many minutes apart (clinic policy).", 5, 60),
)

DEFAULT_PREFERRED_TIME = dt.time(9, 0)


def plans_policy(organization) -> dict:
    """{key without 'plans.': value}: the clinic's value where one is stored, else the default."""
    values = {s.key: s.default for s in SETTINGS}
    values.update({k: v for k, v in policy_for(organization, "plans.").items() if k in values})
    return {k.removeprefix("plans."): v for k, v in values.items()}


def instruction_hours(organization) -> dict:
    """The clinic's hours for the discharge rules, as ``pre_visit_instructions`` takes them."""
    return {k.removeprefix("instructions."): v for k, v in policy_for(organization, "instructions.").items()}


def appointment_minutes(organization, protocol) -> int:
    """Time to book for one dosing session of ``protocol`` at this clinic."""
    p = plans_policy(organization)
    if protocol.dose_rule.min_infusion_duration_min:
        return p["appointment_minutes.long_infusion"]
    return p[f"appointment_minutes.{protocol.route.value}"]
