"""Plain helpers for making people and audit contexts (no fixtures here)."""

PASSWORD = "correct-horse-battery-staple"

PATIENT_DATA = {
    "given_name": "Jordan",
    "family_name": "Avery",
    "date_of_birth": "1984-05-17",
    "sex_at_birth": "female",
    "phone": "(555) 123-4567",
    "email": "jordan@example.org",
}


def make_user(org, username, roles=(), kind="staff", location=None):
    """A user of ``org`` with ``roles`` and the suite's PASSWORD."""
    from .factories import UserFactory

    return UserFactory(organization=org, username=username, roles=roles, kind=kind, default_location=location)


def ctx_for(user):
    from ketamine_clinic.audit.services import Context

    return Context(user=user, source_ip="127.0.0.1")
