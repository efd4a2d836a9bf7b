"""Clinic-policy settings of billing (no published number; each clinic may change them)."""

from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY

SETTINGS: tuple[Setting, ...] = (
    Setting("billing.clinical_roles_see_payments", False, "", CLINIC_POLICY,
            "Prescribers, nurses and therapists may see invoices, payments and balances (clinic policy).",),
    Setting("billing.prior_auth_warn_units", 2, "", CLINIC_POLICY,
            "Warn when a prior authorization has this many units left or fewer (clinic policy).", 0, 50),
    Setting("billing.prior_auth_warn_days", 14, "d", CLINIC_POLICY,
            "Warn when a prior authorization ends within this many days (clinic policy).", 0, 120),
    Setting("billing.estimate_when_no_coverage_on_file", True, "", CLINIC_POLICY,
            "Treat a patient with no insurance coverage on file as uninsured: booking them makes a good-faith "
            "estimate due, as for an explicit self-pay patient (45 CFR 149.610 covers the uninsured and the "
            "self-pay). Turn off only if front desk always records coverage or self-pay before booking (clinic policy).",),
    Setting("billing.payment_plan_over_four_instalments", False, "", CLINIC_POLICY,
            "Allow payment plans of more than 4 instalments. Warning: with more than 4 instalments by written "
            "agreement, a clinic extending credit over 25 times a year is a creditor under Truth in Lending "
            "(Reg Z, 12 CFR 1026) and owes its disclosures; get legal review first.",),
)


def billing_policy(organization) -> dict:
    """{key without 'billing.': value}: the clinic's value where one is stored, else the default."""
    values = {s.key: s.default for s in SETTINGS}
    values.update({k: v for k, v in policy_for(organization, "billing.").items() if k in values})
    return {k.removeprefix("billing."): v for k, v in values.items()}


STRING_SETTINGS_NOTE = "billing.dispute_instructions is shown on every good-faith estimate and on invoices over it."
SETTINGS = SETTINGS + (
    Setting("billing.dispute_instructions",
            "Start within 120 calendar days of the bill's date (45 CFR 149.620); see www.cms.gov/nosurprises "
            "or ask our billing office how.", "", CLINIC_POLICY,
            "How a patient starts the patient-provider dispute process (shown on estimates and invoices; clinic wording)."),
)
