"""KAP: one integration window (``protocols.kap.integration_window_h``, clinic policy, 72 h) books
the integration sessions and dates the overdue integration note; sessions per week are capped by the
protocol; the plan names its therapist. The data migration keeps a clinic's earlier choice."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps

from ketamine_clinic.clinic_settings import change_setting, policy_for
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.models import ClinicSettingValue
from ketamine_clinic.notes import clinic_policy as notes_policy
from ketamine_clinic.plans import services
from ketamine_clinic.plans.models import AppointmentKind
from ketamine_clinic.plans.services import protocol_store

from tests.support.people import ctx_for
from tests.support.plans import NOW, local, plan_data

pytestmark = pytest.mark.django_db

KEY = "protocols.kap.integration_window_h"
KAP = "ketamine-assisted-psychotherapy"


def _activated_kap_plan(prescriber, nurse, therapist, patient, clinic, ready, **extra):
    ready("im")
    plan = services.create_plan(ctx_for(nurse), patient, plan_data(clinic, protocol=KAP, therapist=str(therapist.public_id),
                                                                    **extra), now=NOW)
    plan, warnings = services.activate_plan(ctx_for(prescriber), plan, "Start", now=NOW)
    return plan, warnings


def _pairs(plan):
    dosing = {a.session_number: a for a in plan.appointments.filter(kind=AppointmentKind.DOSING).select_related("location")}
    integration = plan.appointments.filter(kind=AppointmentKind.INTEGRATION).select_related("location")
    return [(dosing[a.session_number], a) for a in integration], dosing


@pytest.mark.parametrize("window_h", [None, 48])
def test_booking_and_the_overdue_note_read_the_same_window(window_h, prescriber, nurse, therapist, patient, clinic,
                                                           ready, clinic_admin):
    if window_h is not None:
        change_setting(ctx_for(clinic_admin), KEY, str(window_h), "Integration within two days")
    expected_h = window_h or 72
    assert notes_policy.kap_settings(patient.organization)["integration_window_h"] == expected_h
    entry = protocol_store.library_entry(patient.organization, KAP)
    assert entry.protocol.linked_sessions[1].within_days == expected_h // 24
    plan, warnings = _activated_kap_plan(prescriber, nurse, therapist, patient, clinic, ready)
    assert plan.protocol_data["linked_sessions"][1]["within_days"] == expected_h // 24 and not warnings
    pairs, dosing = _pairs(plan)
    assert len(pairs) == len(dosing) > 0
    for dose, integration in pairs:
        assert dose.end_at <= integration.start_at  # after its dosing session
        assert local(integration).date() - local(dose).date() <= dt.timedelta(days=expected_h // 24)
        assert integration.start_at - dose.start_at <= dt.timedelta(hours=expected_h)  # inside the window in hours
        assert integration.staff_id == therapist.pk  # with the plan's therapist


def test_the_window_is_bounded_and_a_bad_value_is_a_field_error(clinic_admin, patient):
    for bad in ("12", "400", "three days"):
        with pytest.raises(ValidationFailed) as exc:
            change_setting(ctx_for(clinic_admin), KEY, bad, "Try")
        assert "value" in exc.value.errors
    assert policy_for(patient.organization, KEY)[KEY] == 72


def test_kap_sessions_per_week_are_capped_by_the_protocol(prescriber, nurse, therapist, patient, clinic, ready):
    plan, _ = _activated_kap_plan(prescriber, nurse, therapist, patient, clinic, ready)
    cap = plan.protocol_data["phases"][0]["spacing"]["sessions_per_week"]
    days = sorted(local(a).date() for a in plan.appointments.filter(kind=AppointmentKind.DOSING).select_related("location"))
    assert cap == 1 and len(days) == 6
    for d in days:
        assert sum(1 for x in days if d <= x <= d + dt.timedelta(days=6)) <= cap


def test_a_kap_plan_names_its_therapist(nurse, patient, clinic):
    with pytest.raises(ValidationFailed) as exc:
        services.create_plan(ctx_for(nurse), patient, plan_data(clinic, protocol=KAP), now=NOW)
    assert "therapist" in exc.value.errors


def _old_row(org, user, key, value, version=1):
    return ClinicSettingValue.objects.create(organization=org, key=key, value=value, version=version,
                                             reason="Earlier choice", changed_by=user)


def test_the_migration_keeps_a_clinics_earlier_window(clinic_admin, outsider):
    migration = importlib.import_module("ketamine_clinic.notes.migrations.0002_one_kap_integration_window_setting")
    ours, theirs = clinic_admin.organization, outsider.organization
    # Ours changed both: the notes window (hours) wins; theirs changed only the booking window (days).
    _old_row(ours, clinic_admin, migration.OLD_DAYS_KEY, 5)
    _old_row(ours, clinic_admin, migration.OLD_HOURS_KEY, 96)
    _old_row(ours, clinic_admin, migration.OLD_HOURS_KEY, 48, version=2)
    _old_row(theirs, outsider, migration.OLD_DAYS_KEY, 2)
    migration.forwards(django_apps, None)
    assert policy_for(ours, KEY)[KEY] == 48 and policy_for(theirs, KEY)[KEY] == 48
    assert list(ClinicSettingValue.objects.filter(organization=ours, key=KEY).values_list("version", "value")) == [(2, 48), (1, 96)]
    migration.forwards(django_apps, None)  # running it again changes nothing
    assert ClinicSettingValue.objects.filter(key=KEY).count() == 3
