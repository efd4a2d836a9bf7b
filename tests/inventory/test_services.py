"""The controlled-substance services: receive, draw, administer, waste with a witness, return,
transfer, destroy, correct; every refusal writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.immutable import ImmutableRecordError
from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.models import Container, Draw, LedgerEvent
from ketamine_clinic.inventory.services._common import container_balance
from ketamine_clinic.inventory.services.draws import draw_open_quantity
from ketamine_clinic.inventory.rules.quantities import Quantity

from tests.support.people import ctx_for
from tests.support.inventory import receive, witness_data

pytestmark = pytest.mark.django_db


def _errors(exc_info):
    return exc_info.value.errors


def test_receipt_makes_labelled_containers_each_with_a_receive_event(vials, ketamine):
    assert len(vials) == 2 and len({v.label for v in vials}) == 2
    assert all(v.label.startswith("CS-") for v in vials)
    for vial in vials:
        assert container_balance(vial).mg == Decimal("500") and container_balance(vial).ml == Decimal("10")
        event = vial.events.get()
        assert event.event_type == "receive" and "INV-100" in event.reference
    assert AuditEvent.objects.filter(action="inventory.receive").count() == 1


def test_receipt_into_an_unregistered_or_foreign_location_is_refused(clinic_admin, location, supplier, ketamine, outsider_org):
    with pytest.raises(ValidationFailed) as exc:
        receive(clinic_admin, location, supplier, ketamine)
    assert "no DEA registration" in _errors(exc)["location"][0]
    theirs = Location.objects.create(organization=outsider_org, name="Theirs")
    with pytest.raises(ValidationFailed) as exc:
        receive(clinic_admin, theirs, supplier, ketamine)
    assert "location" in _errors(exc)
    assert not Container.objects.exists() and not LedgerEvent.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("dea_number", "BJ6125342", "check digit"),
    ("dea_number", "123", "2 letters and 7 digits"),
    ("name", "x" * 201, "At most 200"),
])
def test_supplier_input_is_checked(clinic_admin, field, value, message):
    data = {"name": "Supplier", "address": "1 Main St", "dea_number": "BJ6125341", field: value}
    with pytest.raises(ValidationFailed) as exc:
        services.create_supplier(ctx_for(clinic_admin), data)
    assert message in _errors(exc)[field][0]


def test_nurse_draws_administers_and_wastes_the_rest_with_a_witness(nurse, prescriber, patient, vials):
    vial = vials[0]
    drawn = services.draw(ctx_for(nurse), {"container": vial.public_id, "patient": patient.public_id, "quantity_ml": "0.8"})
    assert container_balance(vial) .mg == Decimal("460")
    assert Container.objects.get(pk=vial.pk).opened_on == timezone.localdate()  # multi-dose vial opened today
    given = services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "35"})
    assert given.patient_name == "Jordan Avery" and given.actor == nurse
    assert draw_open_quantity(drawn).mg == Decimal("5")
    wasted = services.waste(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "5", **witness_data(prescriber)})
    assert wasted.witness == prescriber and wasted.method
    assert draw_open_quantity(drawn).mg == 0
    assert container_balance(vial).mg == Decimal("460")  # administer and waste account for the draw only
    assert AuditEvent.objects.filter(action__in=["inventory.draw", "inventory.administer", "inventory.waste"]).count() == 3


def test_draw_accounting_never_exceeds_the_draw(nurse, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "40"})
    with pytest.raises(ValidationFailed) as exc:
        services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "40.5"})
    assert "More than was drawn" in _errors(exc)["quantity_mg"][0]
    services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "30"})
    services.return_to_stock(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "10"})
    assert container_balance(vials[0]).mg == Decimal("470")
    with pytest.raises(ValidationFailed) as exc:
        services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "1"})
    assert "fully accounted" in _errors(exc)["draw"][0]


@pytest.mark.parametrize("data, field, message", [
    ({"quantity_ml": "10.01"}, "quantity_mg", "More than the container holds"),
    ({"quantity_mg": "-5"}, "quantity_mg", "more than 0"),
    ({"quantity_mg": "1.23456"}, "quantity_mg", "At most 3 decimals"),
    ({"quantity_ml": "0.0005"}, "quantity_ml", "At most 3 decimals"),
    ({}, "quantity_mg", "mg or in mL"),
])
def test_bad_draws_get_a_field_error_and_write_nothing(nurse, patient, vials, data, field, message):
    before = LedgerEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, **data})
    assert message in _errors(exc)[field][0]
    assert LedgerEvent.objects.count() == before and not Draw.objects.exists()


def test_the_last_of_a_vial_is_drawn_to_exactly_zero_in_mg_and_ml(nurse, patient, vials):
    for mg in ("166.667", "166.667"):
        services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": mg})
    with pytest.raises(ValidationFailed):  # 500.001 mg in all: one thousandth of a mg too many
        services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "166.667"})
    services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "166.666"})
    assert container_balance(vials[0]) == Quantity(Decimal(0), Decimal(0))


def test_witness_must_be_another_clinician_who_re_authenticates(nurse, prescriber, front_desk, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "10"})
    cases = [
        (witness_data(nurse), "witness", "different clinician"),
        (witness_data(front_desk), "witness", "may witness"),
        (witness_data(prescriber, "wrong-password"), "witness_secret", "not correct"),
        ({"witness": prescriber.username}, "witness_secret", "re-enter"),
        ({}, "witness", "witness"),
    ]
    for extra, field, message in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.waste(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "10", **extra})
        assert message in _errors(exc)[field][0]
    assert not LedgerEvent.objects.filter(event_type="waste").exists()
    assert AuditEvent.objects.filter(action="inventory.witness_failed").count() == 1


def test_witness_may_use_an_authenticator_code(nurse, prescriber, patient, vials):
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value, yield_hotp_counters_from_time

    secret = generate_totp_secret()
    TOTP.activate(prescriber, secret)
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "10"})
    wasted = services.waste(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "10", **witness_data(prescriber, code)})
    assert wasted.witness == prescriber


def test_waste_without_witness_when_the_clinic_turns_it_off(nurse, clinic_admin, patient, vials):
    from ketamine_clinic.clinic_settings import change_setting

    change_setting(ctx_for(clinic_admin), "inventory.witness.waste", False, "State rule: no witness for syringe waste")
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "10"})
    assert services.waste(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "10"}).witness is None


def test_expired_or_past_beyond_use_containers_are_refused(clinic_admin, nurse, patient, location, registration, supplier, ketamine):
    from ketamine_clinic.inventory.models import Receipt

    receipt = receive(clinic_admin, location, supplier, ketamine, count=1, expiry=timezone.localdate() + dt.timedelta(days=3))
    vial = receipt.containers.get()
    later = timezone.now() + dt.timedelta(days=5)
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(nurse), {"container": vial.public_id, "patient": patient.public_id, "quantity_mg": "10"}, now=later)
    assert "Expired" in _errors(exc)["container"][0]
    fresh = receive(clinic_admin, location, supplier, ketamine, count=1).containers.get()
    services.draw(ctx_for(nurse), {"container": fresh.public_id, "patient": patient.public_id, "quantity_mg": "10"})
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(nurse), {"container": fresh.label, "patient": patient.public_id, "quantity_mg": "10"},
                      now=timezone.now() + dt.timedelta(days=29))
    assert "beyond-use date" in _errors(exc)["container"][0] and "clinic policy" in _errors(exc)["container"][0]
    assert Receipt.objects.count() == 2


def test_an_esketamine_device_is_drawn_and_given_whole(nurse, patient, devices):
    device = devices[0]
    drawn = services.draw(ctx_for(nurse), {"container": device.label, "patient": patient.public_id, "quantity_mg": "14"})
    assert drawn.event.quantity_mg == Decimal("28.0000")
    given = services.administer(ctx_for(nurse), {"draw": drawn.public_id})
    assert given.quantity_mg == Decimal("28.0000") and draw_open_quantity(drawn).mg == 0
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(nurse), {"container": device.label, "patient": patient.public_id})
    assert "already been used" in _errors(exc)["container"][0]


@pytest.mark.parametrize("role", ["front_desk", "therapist", "clinic_admin"])
def test_only_nurses_and_prescribers_draw(request, role, patient, vials):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.draw(ctx_for(user), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "10"})


@pytest.mark.parametrize("role", ["nurse", "prescriber", "front_desk", "therapist"])
def test_only_clinic_admins_receive(request, role, location, supplier, ketamine, registration):
    with pytest.raises(PermissionDenied):
        receive(request.getfixturevalue(role), location, supplier, ketamine)


def test_the_outsider_clinic_cannot_touch_our_stock(outsider, outsider_patient, vials, patient):
    from ketamine_clinic.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=outsider, role="nurse")
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(outsider), {"container": vials[0].public_id, "patient": outsider_patient.public_id, "quantity_mg": "10"})
    assert "No container of your clinic" in _errors(exc)["container"][0]
    with pytest.raises(ValidationFailed):
        services.transfer(ctx_for(outsider), {"container": vials[0].public_id, "to_location": vials[0].location.public_id})
    assert LedgerEvent.objects.filter(event_type="draw").count() == 0


def test_transfer_moves_the_balance_and_refuses_another_clinics_location(clinic_admin, vials, org, outsider_org):
    from ketamine_clinic.inventory.models import Registration

    annex = Location.objects.create(organization=org, name="Annex")
    theirs = Location.objects.create(organization=outsider_org, name="Theirs")
    Registration.objects.create(location=theirs, registrant_name="Them", dea_number="AB1234563")
    with pytest.raises(ValidationFailed) as exc:
        services.transfer(ctx_for(clinic_admin), {"container": vials[0].public_id, "to_location": theirs.public_id})
    assert "your clinic's locations" in _errors(exc)["to_location"][0]
    services.register_location(ctx_for(clinic_admin), {"location": annex.public_id, "registrant_name": "Test Clinic PC",
                                                       "dea_number": "AB1234563"})
    services.transfer(ctx_for(clinic_admin), {"container": vials[0].public_id, "to_location": annex.public_id, "reason": "restock"})
    moved = Container.objects.get(pk=vials[0].pk)
    assert moved.location == annex and container_balance(moved).mg == Decimal("500")
    at_annex = LedgerEvent.objects.filter(location=annex)
    assert [e.event_type for e in at_annex] == ["transfer_in"]


def test_destroy_needs_a_method_and_a_witness(clinic_admin, nurse, vials):
    data = {"container": vials[1].public_id, "all": True, "reason": "Expired stock"}
    with pytest.raises(ValidationFailed) as exc:
        services.destroy(ctx_for(clinic_admin), data)
    assert "method" in _errors(exc)
    event = services.destroy(ctx_for(clinic_admin), {**data, "method": "Chemical digestion (Rx Destroyer)", **witness_data(nurse)})
    assert event.witness == nurse and event.quantity_mg == Decimal("500")
    assert container_balance(vials[1]).mg == 0


def test_a_correction_points_at_the_corrected_event_and_restores_the_balance(clinic_admin, nurse, patient, vials):
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].public_id, "patient": patient.public_id, "quantity_mg": "50"})
    given = services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "50"})
    with pytest.raises(ValidationFailed):
        services.correct(ctx_for(clinic_admin), {"event": drawn.event.public_id, "reason": "wrong vial"})
    services.correct(ctx_for(clinic_admin), {"event": given.public_id, "reason": "wrong vial"})
    fix = services.correct(ctx_for(clinic_admin), {"event": drawn.event.public_id, "reason": "wrong vial"})
    assert fix.corrects == drawn.event and container_balance(vials[0]).mg == Decimal("500")
    assert draw_open_quantity(drawn).mg == 0
    with pytest.raises(ValidationFailed) as exc:
        services.correct(ctx_for(clinic_admin), {"event": drawn.event.public_id, "reason": "again"})
    assert "already been corrected" in _errors(exc)["event"][0]


def test_ledger_rows_are_append_only(vials):
    event = vials[0].events.get()
    event.reason = "edited"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    with pytest.raises(ImmutableRecordError):
        LedgerEvent.objects.filter(pk=event.pk).update(quantity_mg=1)
    with pytest.raises(ImmutableRecordError):
        LedgerEvent.objects.all().delete()
    with pytest.raises(ImmutableRecordError):
        vials[0].delete()  # containers are never deleted either


def test_nothing_is_recorded_for_a_container_before_it_was_received(nurse, patient, vials):
    before = vials[0].events.get().occurred_at - dt.timedelta(minutes=5)
    with pytest.raises(ValidationFailed) as exc:
        services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "10"}, now=before)
    assert "was received on" in _errors(exc)["container"][0]
    assert not Draw.objects.exists()
