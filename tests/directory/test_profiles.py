"""Provider profiles: who may edit whose, validation, audit, licences by state, the expiry list."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.demo.seed import seed_demo
from ketamine_clinic.directory import sections, services
from ketamine_clinic.directory.models import ProviderLicence, ProviderProfile

from tests.support.people import ctx_for

PROFILE = {"npi": "1234567893", "taxonomy_codes": ["2084P0800X", "207L00000X"], "primary_taxonomy": "207L00000X",
           "dea_number": "AB1234563", "dea_expires_on": "2031-01-31", "languages": "English, Spanish"}


def test_a_prescriber_saves_their_own_profile_with_the_primary_taxonomy_first(prescriber):
    profile = services.save_profile(ctx_for(prescriber), prescriber.public_id, PROFILE)
    profile.refresh_from_db()
    assert profile.npi == "1234567893" and profile.dea_number == "AB1234563"
    assert profile.taxonomy_codes == ["207L00000X", "2084P0800X"] and profile.primary_taxonomy == "207L00000X"
    assert profile.languages == ["English", "Spanish"] and profile.dea_expires_on == dt.date(2031, 1, 31)
    event = AuditEvent.objects.get(action="directory.profile_save")
    assert event.actor == prescriber and event.detail["after"]["npi"] == "1234567893"


@pytest.mark.parametrize("field, value, message", [
    ("npi", "1234567890", "check digit"),
    ("npi", "12345", "10 digits"),
    ("dea_number", "AB1234567", "check digit"),
    ("primary_taxonomy", "", "primary"),
    ("taxonomy_codes", ["9999999999"], "valid choice"),
    ("dea_expires_on", "", "expiry"),
    ("languages", "x" * 301, "at most 300"),
])
def test_bad_profile_input_is_a_field_error_and_nothing_is_written(prescriber, field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        services.save_profile(ctx_for(prescriber), prescriber.public_id, dict(PROFILE, **{field: value}))
    assert field in exc.value.errors and message in " ".join(exc.value.errors[field])
    assert not ProviderProfile.objects.exists() and not AuditEvent.objects.filter(action__startswith="directory.").exists()


def test_two_clinicians_of_one_clinic_cannot_share_an_npi(prescriber, nurse):
    services.save_profile(ctx_for(prescriber), prescriber.public_id, PROFILE)
    with pytest.raises(ValidationFailed) as exc:
        services.save_profile(ctx_for(nurse), nurse.public_id, {"npi": "1234567893"})
    assert "npi" in exc.value.errors


def test_the_clinic_admin_edits_anyones_profile_a_clinician_only_their_own(prescriber, nurse, therapist, clinic_admin, front_desk):
    services.save_profile(ctx_for(clinic_admin), nurse.public_id, {"npi": "1245319599"})
    services.save_profile(ctx_for(therapist), therapist.public_id, {"languages": "English"})
    with pytest.raises(PermissionDenied):
        services.save_profile(ctx_for(nurse), prescriber.public_id, {"npi": "1234567893"})
    with pytest.raises(NotFound):  # front desk has no provider profile
        services.save_profile(ctx_for(front_desk), front_desk.public_id, {})
    assert ProviderProfile.objects.get(user=nurse).npi == "1245319599"
    assert not ProviderProfile.objects.filter(user=prescriber).exists()


def test_the_outsider_clinic_neither_reads_nor_edits_our_profiles(prescriber, outsider):
    services.save_profile(ctx_for(prescriber), prescriber.public_id, PROFILE)
    with pytest.raises(NotFound):
        services.get_profile_for(ctx_for(outsider), prescriber.public_id)
    with pytest.raises(NotFound):
        services.save_profile(ctx_for(outsider), prescriber.public_id, {"npi": ""})
    with pytest.raises(NotFound):
        services.save_licence(ctx_for(outsider), prescriber.public_id, {"state": "NY", "number": "1", "expires_on": "2031-01-01"})
    assert [u for u, _ in services.clinicians_for(ctx_for(outsider))] == [outsider]
    assert ProviderProfile.objects.get(user=prescriber).npi == "1234567893"


def test_a_licence_is_one_per_state_and_a_renewal_replaces_it(prescriber):
    ctx = ctx_for(prescriber)
    services.save_licence(ctx, prescriber.public_id, {"state": "NY", "number": "MD-1", "expires_on": "2026-01-31"})
    services.save_licence(ctx, prescriber.public_id, {"state": "NY", "number": "MD-2", "expires_on": "2028-01-31"})
    services.save_licence(ctx, prescriber.public_id, {"state": "NJ", "number": "NJ-9", "expires_on": "2027-06-30"})
    assert list(ProviderLicence.objects.values_list("state", "number")) == [("NJ", "NJ-9"), ("NY", "MD-2")]
    services.remove_licence(ctx, prescriber.public_id, "NJ")
    assert list(ProviderLicence.objects.values_list("state", flat=True)) == ["NY"]
    assert AuditEvent.objects.get(action="directory.licence_remove").detail["number"] == "NJ-9"
    with pytest.raises(ValidationFailed) as exc:
        services.save_licence(ctx, prescriber.public_id, {"state": "ZZ", "number": "x" * 41, "expires_on": "soon"})
    assert set(exc.value.errors) == {"state", "number", "expires_on"}


def test_a_therapist_records_a_kap_training_certificate(therapist):
    services.add_credential(ctx_for(therapist), therapist.public_id, {
        "title": "KAP training certificate", "issuer": "A training institute", "issued_on": "2024-05-01"})
    profile = ProviderProfile.objects.get(user=therapist)
    assert profile.credentials.get().title == "KAP training certificate"
    with pytest.raises(ValidationFailed) as exc:
        services.add_credential(ctx_for(therapist), therapist.public_id, {
            "title": "X", "issued_on": "2024-05-01", "expires_on": "2023-01-01"})
    assert "expires_on" in exc.value.errors


def _expiring_setup(prescriber, nurse, today):
    services.save_profile(ctx_for(prescriber), prescriber.public_id,
                          dict(PROFILE, dea_expires_on=(today + dt.timedelta(days=30)).isoformat()))
    services.save_licence(ctx_for(prescriber), prescriber.public_id,
                          {"state": "NY", "number": "MD-1", "expires_on": (today + dt.timedelta(days=90)).isoformat()})
    services.save_licence(ctx_for(nurse), nurse.public_id,
                          {"state": "NY", "number": "RN-7", "expires_on": (today - dt.timedelta(days=2)).isoformat()})


def test_expiring_licences_and_dea_registrations_within_the_clinic_window(prescriber, nurse, clinic_admin, clinic_today):
    _expiring_setup(prescriber, nurse, clinic_today)
    rows = services.expiring_for(ctx_for(clinic_admin), clinic_today)
    assert [(r["what"], r["number"], r["expired"]) for r in rows] == [
        ("NY licence", "RN-7", True), ("DEA registration", "AB1234563", False)]  # the licence 90 days out is not listed
    change_setting(ctx_for(clinic_admin), "directory.expiry_warning_days", "120", reason="Longer notice")
    assert len(services.expiring_for(ctx_for(clinic_admin), clinic_today)) == 3
    with pytest.raises(PermissionDenied):
        services.expiring_for(ctx_for(prescriber), clinic_today)


def test_the_today_section_lists_expiries_for_the_admin_only(prescriber, nurse, clinic_admin, outsider, clinic_today):
    _expiring_setup(prescriber, nurse, clinic_today)
    request = RequestFactory().get("/")
    request.user = clinic_admin
    context = sections.today_context(request)
    html = render_to_string("directory/_today.html", context)
    assert context["window_days"] == 60
    assert "RN-7" in html and "expired 2 day(s) ago" in html and "AB1234563" in html and "in 30 day(s)" in html
    for other in (prescriber, outsider):
        request.user = other
        assert sections.today_context(request) == {} or "RN-7" not in render_to_string(
            "directory/_today.html", sections.today_context(request))
    request.user = outsider  # the outsider's admin sees its own clinic: nothing of ours
    assert sections.today_context(request)["expiring"] == []


def test_the_demo_seed_makes_profiles_through_the_services_and_the_admin_sees_the_nurse_licence(db):
    seed_demo(patients_main=2, patients_outsider=1)
    admin = User.objects.get(username="admin")
    assert ProviderProfile.objects.filter(organization=admin.organization).count() == 3
    rows = services.expiring_for(ctx_for(admin), dt.date.today())
    assert [r["number"] for r in rows] == ["RN-771204"]
    assert services.prescriber_block_reason(User.objects.get(username="prescriber"), dt.date.today()) is None
    assert AuditEvent.objects.filter(action="directory.profile_save").count() == 3
    _, total = services.search({"zip": "12207", "radius_miles": "500"})  # Albany reaches Portland, ME
    assert total == 3  # both demo clinics published: Riverbend's two locations and Harbor Light
