"""The Spravato REMS Patient Monitoring Form from a real esketamine session: every field, a real
PDF (its text read back), the 7-day deadline, the clinic's list of forms due, marking submitted."""

import datetime as dt
import re

import pytest

from ketamine_clinic.clinical.session import CURRENT_SCHEMA
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.patients.services import add_subrecord
from ketamine_clinic.treatments import facts, services
from ketamine_clinic.treatments.services import rems
from ketamine_clinic.treatments.models import RemsForm

from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot
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
    from ketamine_clinic.treatments import rems_pdf

    form = esketamine_session.rems_form
    text = pdf_text(rems.rems_pdf(form))
    flat = " ".join(text.split("\n"))  # long questions wrap onto two lines
    assert "Spravato REMS Patient Monitoring Form" in text
    assert f"due by {form.due_date:%Y-%m-%d}" in text
    for label, value in rems.form_rows(form):
        assert label in flat
        if value:
            assert rems_pdf.display_value(value) in flat
    assert "Jordan Avery" in text and "SPV101, SPV102" in text and "142/88" in text


def test_the_pdf_is_laid_out_like_the_official_form(esketamine_session, patient):
    from ketamine_clinic.screening.services import current_rems

    form = esketamine_session.rems_form
    enrollment = current_rems(patient)
    assert "REMS patient ID: (not recorded)" in pdf_text(rems.rems_pdf(form))
    type(enrollment).objects.filter(pk=enrollment.pk).update(rems_patient_id="PT-0012345")
    text = pdf_text(rems.rems_pdf(form))
    assert "REMS patient ID: PT-0012345" in text
    sections = ["Patient information", "Concomitant medications", "Monitoring healthcare provider", "Healthcare setting",
                "Treatment", "Monitoring", "Vital signs", "Observations and adverse events"]
    lines = text.split("\n")
    assert [line for line in lines if line in sections] == sections  # every section, in the form's order
    assert any(line.startswith("Signature of the monitoring healthcare provider") for line in lines)
    assert "Missing required fields" not in text and "clinician_email" not in text


def test_missing_fields_are_named_in_words_in_the_pdf(esketamine_session):
    form = esketamine_session.rems_form
    RemsForm.objects.filter(pk=form.pk).update(missing_required=["clinician_email"])
    form.refresh_from_db()
    text = " ".join(pdf_text(rems.rems_pdf(form)).split("\n"))
    assert "Not yet recorded (required): Monitoring healthcare provider email" in text and "clinician_email" not in text


@pytest.mark.parametrize("answer_words", [1, 60, 250])
def test_no_question_is_split_across_a_page_break(answer_words):
    """Each question's lines and all of its answer's lines are drawn on one page, however long."""
    from ketamine_clinic.treatments import rems_pdf

    schema = CURRENT_SCHEMA
    values = {f.key: " ".join([f"a-{f.key}"] * answer_words) for f in schema.fields}
    header = rems_pdf.Header("A Patient", "R-1", "2026-12-01", "2026-12-08", schema.version)
    data = rems_pdf.render(header, rems_pdf.grouped_rows(schema, values), not_recorded=[], checks=[], submitted=None)
    pages = [pdf_text(b"%PDF" + stream).split("\n") for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)]
    pages = [lines for lines in pages if any(lines)]
    if answer_words == 250:
        assert len(pages) > 5  # long answers really do force page breaks
    for f in schema.fields:
        first_line = rems_pdf._wrapped(f.label, 9, True, rems_pdf.QUESTION_WIDTH_PT)[0]
        question_pages = {i for i, lines in enumerate(pages) if first_line in lines}
        answer_pages = {i for i, lines in enumerate(pages) for line in lines if line.split()[:1] == [f"a-{f.key}"]}
        assert len(question_pages) == 1 and answer_pages == question_pages, f.key


def test_missing_clinician_email_links_to_the_clinicians_profile(esketamine_session, nurse, prescriber, client_for):
    nurse.email = ""
    nurse.save(update_fields=["email"])
    form = rems.generate_rems_form(ctx_for(nurse), esketamine_session)
    assert form.missing_required == ["clinician_email"]
    page = client_for(nurse).get(f"/sessions/rems/{form.public_id}/").content.decode()
    assert "Not yet recorded: Monitoring healthcare provider email" in page
    assert 'href="/clinic-admin/profile/?next=' in page and "clinician_email" not in page
    other = client_for(prescriber).get(f"/sessions/rems/{form.public_id}/").content.decode()
    assert f"{nurse.name} adds their phone and email" in other and "/clinic-admin/profile/?next=" not in other
