"""Clinical screens word codes for people: citations, units, plurals, instrument names, History."""

from decimal import Decimal

import pytest

from ketamine_clinic.clinical.sources import SHORT, SOURCES, short_citation
from ketamine_clinic.core.templatetags.clinic_text import cite, dose_unit, unit


def test_every_source_has_a_short_citation_without_file_paths():
    assert set(SOURCES) <= set(SHORT)
    for key, source in SOURCES.items():
        assert "CLINICAL.md" not in source.citation and "shared/" not in source.citation, key
        assert "CLINICAL.md" not in SHORT[key]


@pytest.mark.parametrize(
    ("key", "shown"),
    [("apa-2017", "Sanacora et al., JAMA Psychiatry 2017"), ("clinic-policy", "clinic policy"),
     ("seeds", "common clinic practice"), ("spravato-pi", "Spravato prescribing information"), ("clinic-own-ref", "clinic-own-ref")],
)
def test_cite_shows_author_and_year_or_what_the_source_is(key, shown):
    assert cite(key) == shown == short_citation(key)


@pytest.mark.parametrize(
    ("value", "unit_name", "shown"),
    [(Decimal("1"), "devices", "1 device"), (Decimal("3.000"), "devices", "3 devices"), (Decimal("100.00"), "mg", "100 mg"),
     (Decimal("0.50"), "mg/kg", "0.5 mg/kg")],
)
def test_dose_units_read_as_written(value, unit_name, shown):
    assert dose_unit(value, unit_name) == shown


@pytest.mark.parametrize(("ucum", "shown"), [("mm[Hg]", "mmHg"), ("{score}", "points"), ("d", "days"), ("/min", "/min")])
def test_units_as_people_write_them(ucum, shown):
    assert unit(ucum) == shown


@pytest.mark.django_db
def test_history_names_records_and_fields_in_words(client_for, nurse, patient):
    from ketamine_clinic.patients import services

    ctx_user = nurse
    from tests.support.people import ctx_for

    med = services.add_subrecord(ctx_for(ctx_user), patient, "medication", {"name": "Sertraline", "drug_class": "ssri", "dose": "50 mg"})
    services.correct_subrecord(ctx_for(ctx_user), patient, "medication", med.public_id, {"dose": "100 mg"}, "Dose misread",
                               expected_version=med.version)
    page = client_for(nurse).get(f"/patients/{patient.public_id}/history/").content.decode()
    assert "Medication: Sertraline" in page and "<del>50 mg</del> → <ins>100 mg</ins>" in page
    assert str(med.public_id)[:8] not in page and "drug_class" not in page and "public_id" not in page
    assert "Drug class" in page


@pytest.mark.django_db
def test_timeline_uses_published_instrument_names(nurse, patient):
    from ketamine_clinic.assessments import services
    from ketamine_clinic.patients.models import TimelineEvent

    from tests.support.people import ctx_for

    services.submit_response(ctx_for(nurse), patient, "phq9", {f"phq9-{n}": 1 for n in range(1, 10)} | {"phq9-9": 0}, mode="staff_paper")
    line = TimelineEvent.objects.filter(patient=patient, kind="assessment").latest("id").summary
    assert line.startswith("PHQ-9 total 8") and "PHQ9" not in line
