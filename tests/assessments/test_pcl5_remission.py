"""PCL-5 remission follows the clinic's probable-PTSD cut-point: a stored total never reads both."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.services.outcomes import refresh_outcome
from ketamine_clinic.clinic_settings import change_setting

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def pcl5(total: int) -> dict:
    answers = {f"pcl5-{n}": 0 for n in range(1, 21)}
    for n in range(1, 21):
        answers[f"pcl5-{n}"] = min(4, total)
        total -= answers[f"pcl5-{n}"]
    return answers


@pytest.mark.parametrize("cutpoint, follow_up_total, band, in_remission", [
    (33, 32, "below_cutpoint", True),
    (33, 33, "probable_ptsd", False),
    (31, 32, "probable_ptsd", False),  # the default remission total (32) gives way to the cut-point
    (31, 31, "probable_ptsd", False),
    (31, 30, "below_cutpoint", True),
])
def test_pcl5_band_and_remission_agree_under_the_clinics_cutpoint(nurse, clinic_admin, patient, cutpoint,
                                                                  follow_up_total, band, in_remission):
    if cutpoint != 33:
        change_setting(ctx_for(clinic_admin), "instruments.pcl5.probable_ptsd_min_total", cutpoint, "Clinic cut-point")
    earlier = (timezone.now() - dt.timedelta(hours=20)).isoformat()
    services.submit_response(ctx_for(nurse), patient, "pcl5", pcl5(60), mode="staff_paper", completed_at=earlier)
    latest = services.submit_response(ctx_for(nurse), patient, "pcl5", pcl5(follow_up_total), mode="staff_paper")
    assert latest.total == follow_up_total and latest.band == band
    assert refresh_outcome(patient, "pcl5").in_remission_now is in_remission
