"""The clinic's eligibility policy: its settings, and where each rule's number comes from."""

from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical.eligibility import SETTINGS
from ketamine_clinic.clinical.sources import SOURCES


def clinic_policy(organization_id=None) -> dict:
    """The clinic's eligibility settings as ``{key: value}``: its own values, else the defaults."""
    return policy_for(organization_id, "eligibility.")


def policy_rows(organization_id=None) -> list[dict]:
    values = clinic_policy(organization_id)
    return [
        {"key": s.key, "value": values[s.key], "unit": s.unit.replace("mm[Hg]", "mmHg"), "description": s.description,
         "is_clinic_policy": s.is_clinic_policy, "source": s.source}
        for s in SETTINGS
    ]


def source_label(key: str) -> str:
    source = SOURCES.get(key)
    if key == "clinic-policy":
        return "Clinic policy"
    return source.citation if source else key
