"""Demo education through the services (audited): the IV pack sent to the portal patient."""

from ketamine_clinic.audit.services import Context

from . import services


def seed_education(nurse, patient) -> None:
    services.assign_pack(Context(user=nurse, source_ip="127.0.0.1"), patient, "iv")
