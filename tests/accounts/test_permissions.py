from pathlib import Path

import pytest

from ketamine_clinic.accounts.permissions import MATRIX, Role, has_permission, matrix_markdown, require, PermissionDenied

from tests.support.errors import NotFound
from tests.support.people import ctx_for

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_the_permission_matrix_from_code():
    assert matrix_markdown() in README.read_text()


def test_unknown_action_fails_loudly_instead_of_granting(prescriber):
    with pytest.raises(KeyError):
        has_permission(prescriber, "patient.viewx")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_matrix_row(staff, role):
    user = staff[role]
    for action, (allowed, _) in MATRIX.items():
        assert has_permission(user, action) == (role in allowed), action


def test_front_desk_cannot_edit_clinical_records(front_desk):
    with pytest.raises(PermissionDenied):
        require(front_desk, "patient.edit_clinical")


def test_portal_patient_has_no_staff_permission(portal_user):
    assert not any(has_permission(portal_user, a) for a in MATRIX)


def test_inactive_user_has_no_permission(prescriber):
    prescriber.is_active = False
    assert not has_permission(prescriber, "patient.view")


def test_anonymous_has_no_permission():
    from django.contrib.auth.models import AnonymousUser

    assert not has_permission(AnonymousUser(), "patient.view")


def test_the_outsiders_roles_grant_nothing_in_our_clinic(outsider, patient):
    """The matrix is per role; the clinic boundary is the scoped lookup: the outsider's prescriber role
    passes the matrix, yet our patient is "not found" to it."""
    from ketamine_clinic.patients.services import get_patient_for

    assert has_permission(outsider, "patient.view")
    with pytest.raises(NotFound):
        get_patient_for(ctx_for(outsider), patient.public_id)
