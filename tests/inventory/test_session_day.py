"""The session day draws from stock: the dosing form picks the container (lot and expiry come from
it), the administration record's total becomes the administered quantity, and the session cannot
be discharged until the rest of the draw is wasted (witnessed) or returned."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.inventory import services as inventory
from ketamine_clinic.inventory.models import Draw, LedgerEvent
from ketamine_clinic.inventory.services._common import container_balance
from ketamine_clinic.treatments import services
from ketamine_clinic.treatments.models import SessionStatus

from tests.support.people import ctx_for
from tests.support.treatments import FIT, ago
from tests.support.inventory import receive, witness_data

pytestmark = pytest.mark.django_db


def _infused(dosing_ready, nurse, vial, *, started=150, stopped=100):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("iv"), {"container": vial.label, "started_at": ago(started)})
    return services.stop_dosing(ctx, session, {"stopped_at": ago(stopped)})


def test_iv_dose_draws_from_the_container_and_the_pump_total_is_administered(dosing_ready, nurse, prescriber, vials):
    vial = vials[0]
    session = _infused(dosing_ready, nurse, vial)
    admin = session.administration
    assert (admin.lot_number, admin.expiry_date) == (vial.lot_number, vial.expiry_date)  # from the container
    drawn = Draw.objects.get(session=session)
    assert drawn.patient == session.patient and drawn.event.quantity_mg == Decimal("35.0000")  # 0.7 mL of 50 mg/mL
    given = LedgerEvent.objects.get(draw=drawn, event_type="administer")
    assert given.quantity_mg == Decimal("35.0000")  # the whole bag ran: 40 min at the computed rate
    assert container_balance(vial).mg == Decimal("465")


def test_discharge_waits_until_the_rest_of_the_draw_is_wasted(dosing_ready, nurse, prescriber, vials):
    session = _infused(dosing_ready, nurse, vials[0], started=150, stopped=130)  # stopped early: 17.5 mg given
    drawn = Draw.objects.get(session=session)
    with pytest.raises(Conflict) as err:
        services.discharge(ctx_for(nurse), session, FIT)
    assert any(vials[0].label in m and "17.5 mg" in m for m in err.value.errors["discharge"])
    inventory.waste(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "17.5", **witness_data(prescriber)})
    assert services.discharge(ctx_for(nurse), session, FIT).status == SessionStatus.DISCHARGED
    outcomes = {e.event_type: e.quantity_mg for e in LedgerEvent.objects.filter(draw=drawn)}
    assert outcomes == {"administer": Decimal("17.5000"), "waste": Decimal("17.5000")}  # given + wasted = drawn


def test_esketamine_devices_are_drawn_and_given_whole_by_device_id(dosing_ready, nurse, devices):
    ctx = ctx_for(nurse)
    session = services.start_dosing(ctx, dosing_ready("esketamine_nasal", dose_amount="3"),
                                    {"container": devices[0].label, "started_at": ago(60)})
    services.record_device(ctx, session, {"container": devices[1].label, "given_at": ago(54)})
    given = LedgerEvent.objects.filter(draw__session=session, event_type="administer").order_by("id")
    assert [(e.container.label, e.quantity_mg) for e in given] == [(devices[0].label, 28), (devices[1].label, 28)]
    assert [d.lot_number for d in session.devices.all()] == ["SPR-1", "SPR-1"]
    with pytest.raises(ValidationFailed):  # an empty device cannot be given again
        services.record_device(ctx, session, {"container": devices[0].label, "given_at": ago(48)})


def test_a_vial_past_its_beyond_use_date_or_another_clinics_refuses_the_dose_and_writes_nothing(
        dosing_ready, nurse, clinic_admin, patient, location, registration, supplier, ketamine):
    session = dosing_ready("iv")
    long_ago = timezone.now() - dt.timedelta(days=40)
    old = inventory.receive(ctx_for(clinic_admin), {
        "location": location.public_id, "supplier": supplier.public_id, "product": ketamine.public_id, "invoice_number": "I-0",
        "received_on": timezone.localdate(long_ago).isoformat(), "lot_number": "OLD", "container_count": 1,
        "expiry_date": (timezone.localdate() + dt.timedelta(days=300)).isoformat()}, now=long_ago)
    vial = old.containers.get()
    inventory.draw(ctx_for(nurse), {"container": vial.label, "patient": patient.public_id, "quantity_mg": "10"},
                   now=long_ago + dt.timedelta(days=10))  # opened 30 days ago: past the 28-day beyond-use date
    with pytest.raises(ValidationFailed) as err:
        services.start_dosing(ctx_for(nurse), session, {"container": vial.label, "started_at": ago(10)})
    assert "beyond-use date" in err.value.errors["container"][0]
    with pytest.raises(ValidationFailed) as err:
        services.start_dosing(ctx_for(nurse), session, {"container": "CS-NOTOURS", "started_at": ago(10)})
    assert "No container of your clinic" in err.value.errors["container"][0]
    with pytest.raises(ValidationFailed) as err:
        services.start_dosing(ctx_for(nurse), session, {"started_at": ago(10)})
    assert set(err.value.errors) == {"lot_number", "expiry_date"}
    session.refresh_from_db()
    assert session.status == SessionStatus.CHECKED_IN and not Draw.objects.filter(session=session).exists()


def test_a_dose_over_the_containers_balance_is_refused(dosing_ready, nurse, patient, vials):
    inventory.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_ml": "9.5"})
    with pytest.raises(ValidationFailed) as err:
        services.start_dosing(ctx_for(nurse), dosing_ready("iv"), {"container": vials[0].label, "started_at": ago(10)})
    assert "More than the container holds" in err.value.errors["quantity_mg"][0]
    assert Draw.objects.count() == 1


def test_the_session_dose_api_takes_a_container_from_stock(client_for, dosing_ready, nurse, vials):
    session = dosing_ready("iv")
    client = client_for(nurse)
    refused = client.post(f"/api/v1/sessions/{session.public_id}/dose", {"container": "CS-NOTOURS", "started_at": ago(10)},
                          content_type="application/json")
    assert refused.status_code == 422 and "container" in refused.json()["errors"]
    started = client.post(f"/api/v1/sessions/{session.public_id}/dose", {"container": vials[0].label, "started_at": ago(10)},
                          content_type="application/json")
    assert started.status_code == 200, started.content
    assert Draw.objects.get(session=session).container == vials[0]
