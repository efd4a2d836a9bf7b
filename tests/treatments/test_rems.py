"""The Spravato REMS Patient Monitoring Form from a real esketamine session: every field, a real
PDF (its text read back), the 7-day deadline, the clinic's list of forms due, marking submitted."""

import datetime as dt
import re

import pytest

from ketamine_clinic.clinical.session import CURRENT_SCHEMA
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.patients.services import add_subrecord
from ketamine_clinic.treatments import facts, rems, services
from ketamine_clinic.treatments.models import RemsForm

from ..conftest import ctx_for
from .conftest import NORMAL_VITALS, ago, lot
from .test_discharge import FIT

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text shown by an uncompressed PDF: every string drawn with Tj, in order."""
    assert data.startswith(b"%PDF")
    out = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        text = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        text = re.sub(rb"\\(.)", rb"\1", text)
        out.append(text.decode("cp1252"))
    return "\n".join(out)


@pytest.fixture
def esketamine_session(dosing_ready, nurse, patient, location):
    nurse.phone, nurse.email = "(555) 010-2000", "nurse@clinic.example"
    nurse.save()
    location.address_line, location.postal_code = "12 River Road", "12207"
    location.save()
    add_subrecord(ctx_for(nurse), patient, "medication", {"name": "Lorazepam", "drug_class": "benzodiazepine", "dose": "0.5 mg"})
    ctx = ctx_for(nurse)
    session = dosing_ready("esketamine_nasal", checked_in_min_ago=160)
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=128, diastolic_mmhg=80, observed_at=ago(140)))
    session = services.start_dosing(ctx, session, lot(started_at=ago(135), lot_number="SPV101"))
    services.record_device(ctx, session, lot(given_at=ago(130), lot_number="SPV102"))
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=142, diastolic_mmhg=88, spo2_percent=95, observed_at=ago(95)))
    services.record_event(ctx, session, {"kind": "cadss", "score": 9, "occurred_at": ago(95)})
    services.record_event(ctx, session, {"kind": "moaas", "score": 5, "occurred_at": ago(105)})
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=126, diastolic_mmhg=79))
    session.refresh_from_db()
    return services.discharge(ctx, session, dict(FIT, ready_without_minimum_min=75))


def test_the_form_is_filled_from_the_session(esketamine_session, patient, location):
    form = esketamine_session.rems_form
    v = form.values
    today = facts.local_date(esketamine_session, esketamine_session.dosing_started_at)
    assert form.schema_version == CURRENT_SCHEMA.version
    assert form.missing_required == [] and form.problems == []
    assert v["patient_name"] == "Jordan Avery" and v["patient_dob"] == "1984-05-17" and v["patient_sex"] == "female"
    assert v["first_treatment"] == "yes" and v["patient_enrolled"] == "yes"
    assert v["concomitant_benzodiazepines"] == "yes" and v["concomitant_opioids"] == "no"
    assert v["concomitant_psychostimulants"] == "no" and v["concomitant_maois"] == "no"
    assert v["clinician_phone"] == "(555) 010-2000" and v["clinician_email"] == "nurse@clinic.example"
    assert v["setting_name"] == "Test Clinic — Main" and v["setting_address"] == "12 River Road, Albany, NY 12207"
    assert v["treatment_date"] == today.isoformat()
    assert v["dose"] == "56" and v["lot_numbers"] == "SPV101, SPV102"
    assert v["total_monitoring_min"] in (135, 136) and v["ready_without_minimum_min"] == 75
    assert v["vitals_acceptable_before_dosing"] == "yes" and v["vitals_acceptable_before_completion"] == "yes"
    assert v["bp_before_dosing"] == "128/80" and v["bp_at_40_min"] == "142/88" and v["bp_before_completion"] == "126/79"
    assert v["sedation"] == "no" and v["dissociation"] == "yes"
    assert v["respiratory_depression"] == "no" and v["lowest_spo2_percent"] == 95
    assert v["serious_adverse_events"] == "no"
    assert form.due_date == today + dt.timedelta(days=7)
    assert {f.key for f in CURRENT_SCHEMA.fields if f.required} <= set(v)


def test_the_pdf_carries_every_field_and_value(esketamine_session):
    form = esketamine_session.rems_form
    text = pdf_text(rems.rems_pdf(form))
    assert "Spravato REMS Patient Monitoring Form" in text
    assert f"due by {form.due_date:%Y-%m-%d}" in text
    for label, value in rems.form_rows(form):
        assert f"{label}:" in text
        if value:
            assert value in text
    assert "Jordan Avery" in text and "SPV101, SPV102" in text and "142/88" in text


def test_forms_due_and_marking_submitted(esketamine_session, nurse, front_desk, outsider):
    form = esketamine_session.rems_form
    assert list(services.rems_forms_for(ctx_for(nurse))) == [form]
    with pytest.raises(Exception):
        services.rems_forms_for(ctx_for(front_desk))
    assert list(services.rems_forms_for(ctx_for(outsider))) == []
    with pytest.raises(NotFound):
        services.get_rems_form_for(ctx_for(outsider), form.public_id)
    form = services.mark_rems_submitted(ctx_for(nurse), form, {"submission_reference": "PMF-0042"})
    assert form.submitted_by == nurse and form.submitted_at is not None
    assert list(services.rems_forms_for(ctx_for(nurse))) == []
    with pytest.raises(Conflict):
        services.mark_rems_submitted(ctx_for(nurse), form, {})
    with pytest.raises(Conflict):
        rems.generate_rems_form(ctx_for(nurse), esketamine_session)


def test_a_form_missing_required_fields_cannot_be_marked_submitted(esketamine_session, nurse):
    form = esketamine_session.rems_form
    RemsForm.objects.filter(pk=form.pk).update(missing_required=["clinician_phone"])
    form.refresh_from_db()
    with pytest.raises(ValidationFailed) as err:
        services.mark_rems_submitted(ctx_for(nurse), form, {})
    assert "Monitoring healthcare provider phone" in err.value.errors["form"][0]


def test_iv_sessions_have_no_rems_form(dosing_ready, nurse):
    session = services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(10)))
    with pytest.raises(Conflict):
        rems.generate_rems_form(ctx_for(nurse), session)


def test_how_near_40_minutes_a_bp_counts_is_a_clinic_setting(dosing_ready, nurse, clinic_admin):
    from ketamine_clinic.core.clinic_settings import change_setting

    ctx = ctx_for(nurse)
    session = dosing_ready("esketamine_nasal", checked_in_min_ago=160)
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=128, diastolic_mmhg=80, observed_at=ago(140)))
    session = services.start_dosing(ctx, session, lot(started_at=ago(135), lot_number="SPV101"))
    # 58 minutes after the first device: 18 minutes past the 40-minute mark.
    services.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=142, diastolic_mmhg=88, observed_at=ago(77)))
    session.refresh_from_db()
    assert rems.rems_facts(session).bp_at_40_min is None  # default window: 15 minutes (clinic policy)
    change_setting(ctx_for(clinic_admin), "treatments.rems.bp_recheck_window_min", 20, "Our nurses chart at 55-60 min")
    bp = rems.rems_facts(session).bp_at_40_min
    assert (bp.systolic_mmhg, bp.diastolic_mmhg) == (142, 88)
