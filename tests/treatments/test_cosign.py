"""Co-signature in a small clinic: whether the ordering prescriber may co-sign a soft-limit dose is a
clinic setting (clinic policy); the co-signer is never the clinician giving the dose."""

import pytest

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import Administration

from tests.support.people import PASSWORD, ctx_for
from tests.support.treatments import lot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orderer_may_cosign, giver, cosigner, refused_field", [
    (False, "nurse", "prescriber", "cosigner"),  # default: the orderer may not co-sign
    (True, "nurse", "prescriber", None),  # one prescriber and one nurse: allowed by the clinic
    (True, "prescriber", "prescriber", "cosigner"),  # never the clinician giving the dose
    (False, "prescriber", "nurse", None),  # the orderer gives the dose, a nurse co-signs
    (False, "nurse", "nurse", "cosigner"),
    (True, "nurse", "outsider", "cosigner"),  # a clinician of another clinic is no co-signer here
], ids=["orderer-default-refused", "orderer-allowed", "giver-refused", "orderer-gives", "self", "outsider"])
def test_who_may_cosign_a_soft_limit_dose(dosing_ready, clinic_admin, prescriber, nurse, outsider,
                                          orderer_may_cosign, giver, cosigner, refused_field):
    people = {"prescriber": prescriber, "nurse": nurse, "outsider": outsider}
    session = dosing_ready("iv", dose_amount="0.8")  # above the 0.75 mg/kg soft limit, ordered by the prescriber
    if orderer_may_cosign:
        change_setting(ctx_for(clinic_admin), "session.cosign.orderer_may_cosign", True, "One prescriber, one nurse")
    data = lot(cosigner=people[cosigner].username, cosigner_password=PASSWORD, cosign_reason="Partial response")
    if refused_field:
        with pytest.raises(ValidationFailed) as err:
            services.start_dosing(ctx_for(people[giver]), session, data)
        assert refused_field in err.value.errors, err.value.errors
        assert not Administration.objects.exists()
    else:
        session = services.start_dosing(ctx_for(people[giver]), session, data)
        assert session.cosigned_by == people[cosigner] and session.guardrail_level == "soft"
