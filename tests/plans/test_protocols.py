"""The protocol library as versioned data: shipped read-only, clinic copies versioned."""

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.clinical.registry import all_settings
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.plans.services import protocol_store
from ketamine_clinic.plans.models import ClinicProtocol

from tests.support.people import ctx_for


def test_every_setting_path_holds_the_settings_default_in_the_shipped_protocol():
    settings = all_settings()
    for key, targets in protocol_store.SETTING_PATHS.items():
        assert key in settings, key
        for protocol_key, path in targets:
            data = cp.protocol_to_dict(cp.PROTOCOLS[protocol_key])
            for container, name in protocol_store.paths_in(data, path):
                default = protocol_store.SETTING_TO_FIELD.get(key, lambda v: v)(settings[key].default)
                assert protocol_store._same(container[name], default), (key, protocol_key, path)
    used = {k for k in settings if k.startswith("protocols.")}
    assert used == set(protocol_store.SETTING_PATHS)  # every protocol setting reaches a protocol


def test_the_library_is_available_to_every_clinic_with_sources(nurse, outsider):
    for user in (nurse, outsider):
        entries = protocol_store.protocols_for(ctx_for(user))
        keys = {e.key for e in entries if e.source == "library"}
        assert keys == set(cp.PROTOCOLS)
        assert all(e.protocol.sources for e in entries)


def test_a_clinic_setting_changes_the_library_protocol_it_sees(clinic_admin, nurse, outsider):
    change_setting(ctx_for(clinic_admin), "protocols.iv_induction.sessions_per_week", 2, "Twice weekly here")
    ours = protocol_store.get_protocol_for(ctx_for(nurse), "iv-racemic-induction")
    assert ours.protocol.phases[0].spacing.sessions_per_week == 2
    assert ours.clinic_settings == ["protocols.iv_induction.sessions_per_week"]
    theirs = protocol_store.get_protocol_for(ctx_for(outsider), "iv-racemic-induction")
    assert theirs.protocol.phases[0].spacing.sessions_per_week == 3 and theirs.clinic_settings == []


def test_copy_then_edit_makes_versions_with_reasons(clinic_admin, prescriber):
    v1 = protocol_store.save_clinic_protocol(ctx_for(clinic_admin), {
        "based_on": "iv-racemic-induction", "key": "iv-riverbend", "reason": "Our induction"})
    assert (v1.version, v1.based_on_key, v1.based_on_source, v1.data["version"]) == (1, "iv-racemic-induction", "library", 1)
    data = dict(v1.data, title="IV induction, Riverbend")
    v2 = protocol_store.save_clinic_protocol(ctx_for(prescriber), {
        "based_on": "iv-riverbend", "key": "iv-riverbend", "protocol": data, "reason": "Rename"})
    assert (v2.version, v2.based_on_key, v2.based_on_version, v2.based_on_source) == (2, "iv-riverbend", 1, "clinic")
    assert protocol_store.get_protocol_for(ctx_for(prescriber), "iv-riverbend").title == "IV induction, Riverbend"
    assert protocol_store.get_protocol_for(ctx_for(prescriber), "iv-riverbend", 1).title == cp.PROTOCOLS["iv-racemic-induction"].title
    assert [r.version for r in protocol_store.protocol_versions(ctx_for(prescriber), "iv-riverbend")] == [2, 1]


def test_bad_protocol_edits_are_refused_with_field_paths_and_nothing_saved(clinic_admin):
    base = cp.protocol_to_dict(cp.PROTOCOLS["iv-racemic-induction"])
    bad = dict(base, dose_rule=dict(base["dose_rule"], maximum="0.05"))
    cases = [
        ({"key": "iv-racemic-induction"}, "key"),  # the shipped one stays as published
        ({"key": "Bad Key!"}, "key"),
        ({"reason": ""}, "reason"),
        ({"based_on": "nope"}, "based_on"),
        ({"protocol": "{not json"}, "protocol"),
        ({"protocol": bad}, "protocol.dose_rule.maximum"),
    ]
    for change, field in cases:
        data = {"based_on": "iv-racemic-induction", "key": "iv-copy", "reason": "Copy", **change}
        with pytest.raises(ValidationFailed) as exc:
            protocol_store.save_clinic_protocol(ctx_for(clinic_admin), data)
        assert field in exc.value.errors, (change, exc.value.errors)
    assert ClinicProtocol.objects.count() == 0


def test_only_prescribers_and_admins_edit_protocols_and_clinics_are_separate(nurse, clinic_admin, outsider):
    with pytest.raises(PermissionDenied):
        protocol_store.save_clinic_protocol(ctx_for(nurse), {"based_on": "im-series", "key": "im-ours", "reason": "x"})
    protocol_store.save_clinic_protocol(ctx_for(clinic_admin), {"based_on": "im-series", "key": "im-ours", "reason": "x"})
    with pytest.raises(NotFound):
        protocol_store.get_protocol_for(ctx_for(outsider), "im-ours")
    assert "im-ours" not in {e.key for e in protocol_store.protocols_for(ctx_for(outsider))}
