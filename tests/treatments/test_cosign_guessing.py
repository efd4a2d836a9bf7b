"""The co-signer's password cannot be guessed without limit: wrong passwords count against the
co-signer's account like sign-in failures; a clinic admin can unlock."""

import pytest

from ketamine_clinic.accounts import services as account_services
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import Administration

from tests.support.people import PASSWORD, ctx_for
from tests.support.treatments import lot

pytestmark = pytest.mark.django_db


def cosign(nurse, session, cosigner, password):
    return services.start_dosing(ctx_for(nurse), session, lot(cosigner=cosigner.username, cosigner_password=password,
                                                              cosign_reason="Partial response"))


def test_after_five_wrong_cosigner_passwords_the_right_one_is_refused_until_an_admin_unlocks(
        dosing_ready, nurse, second_nurse, clinic_admin):
    session = dosing_ready("iv", dose_amount="0.8")  # above the soft limit: needs a co-signature
    for _ in range(5):
        with pytest.raises(ValidationFailed) as err:
            cosign(nurse, session, second_nurse, "guess")
        assert "not correct" in err.value.errors["cosigner_password"][0]
    with pytest.raises(ValidationFailed) as err:
        cosign(nurse, session, second_nurse, PASSWORD)
    assert "Too many wrong passwords" in err.value.errors["cosigner_password"][0]
    assert not Administration.objects.exists()

    account_services.unlock_user(ctx_for(clinic_admin), second_nurse.public_id)
    assert cosign(nurse, session, second_nurse, PASSWORD).cosigned_by == second_nurse


def test_outsider_admin_cannot_unlock_a_cosigner(dosing_ready, nurse, second_nurse, outsider):
    from ketamine_clinic.core.errors import NotFound

    session = dosing_ready("iv", dose_amount="0.8")
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            cosign(nurse, session, second_nurse, "guess")
    with pytest.raises(NotFound):
        account_services.unlock_user(ctx_for(outsider), second_nurse.public_id)
    with pytest.raises(ValidationFailed):
        cosign(nurse, session, second_nurse, PASSWORD)
