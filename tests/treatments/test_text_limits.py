"""What a nurse typed is kept whole in the entry; the entry's summary and the alert quoting it are
shortened visibly (an ellipsis) to fit their columns, never cut silently or overflowed."""

import pytest

from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import MonitoringEntry, SessionAlert

from tests.support.people import ctx_for
from tests.support.treatments import ago, lot

pytestmark = pytest.mark.django_db


def test_a_long_serious_adverse_event_is_kept_whole_and_its_summary_and_alert_show_the_cut(dosing_ready, nurse):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(25)))
    description = "Syncope on standing; " + "s" * 479  # 500 characters, the form's limit
    entry = services.record_event(ctx_for(nurse), session, {"kind": "adverse_event", "description": description,
                                                            "criteria": ["important_medical_event"]})
    entry = MonitoringEntry.objects.get(pk=entry.pk)
    assert entry.data["description"] == description
    assert len(entry.summary) == 300 and entry.summary.endswith("…")
    message = SessionAlert.objects.get(kind="serious_adverse_event").message
    assert len(message) == 300 and message.endswith("…") and "Syncope on standing" in message
