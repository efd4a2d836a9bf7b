"""A clinic's own versions of the education pages: published by a clinic admin or prescriber from a
copy of the shipped page, each save a new immutable version, the newest replacing the shipped page
for that clinic only; settings placeholders keep working (an unknown one is a field error); the
reading level is shown and warned about; assignments keep the version they sent."""

import json

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.education import clinic_pages, content, services
from ketamine_clinic.education.models import ClinicEducationPage, EducationAssignment
from tests.support.concurrency import label, race
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db

SLUG = "after-a-session"


def _data(slug=SLUG, **extra):
    data = clinic_pages.draft_from(content.get_page(slug))
    data.update(reviewer="Dr. Rivera, medical director", review_date=timezone.localdate().isoformat(),
                body="# After your visit\n\nRest today. Do not drive for {{instructions.no_driving_h|hours}}.\n")
    data.update(extra)
    return data


def test_a_clinic_version_replaces_the_shipped_page_for_that_clinic_only(clinic_admin, prescriber, nurse, outsider):
    shipped = content.get_page(SLUG)
    row = clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "en", _data())
    assert row.version == shipped.version + 1
    ours = services.page_for(ctx_for(nurse), SLUG)
    assert ours.is_clinic_version and ours.version == row.version and ours.reviewer == "Dr. Rivera, medical director"
    assert "Do not drive for 24 hours" in services.rendered(ours, nurse.organization)[0]  # placeholder filled
    theirs = services.page_for(ctx_for(outsider), SLUG)
    assert theirs == shipped and not theirs.is_clinic_version
    second = clinic_pages.publish_page(ctx_for(prescriber), SLUG, "en", _data(body="# Newer\n\nRest today.\n"))
    assert second.version == row.version + 1 and services.page_for(ctx_for(nurse), SLUG).body.startswith("# Newer")
    # Old versions stay readable: the first clinic version and the shipped one.
    assert clinic_pages.version_of(ctx_for(nurse), SLUG, "en", row.version).body.startswith("# After your visit")
    assert clinic_pages.version_of(ctx_for(nurse), SLUG, "en", shipped.version) == shipped
    assert [v.version for v in clinic_pages.versions_of(ctx_for(nurse), SLUG, "en")] == [second.version, row.version]
    with pytest.raises(NotFound):
        clinic_pages.version_of(ctx_for(outsider), SLUG, "en", row.version)  # the outsider has no such version
    assert AuditEvent.objects.filter(action="education.page_publish").count() == 2


def test_assignments_keep_the_version_they_sent(clinic_admin, nurse, patient):
    v2 = clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "en", _data())
    sent = services.assign_pages(ctx_for(nurse), patient, [SLUG])[0]
    assert (sent.page_version, sent.clinic_page_id) == (v2.version, v2.pk)
    clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "en", _data(body="# Newer\n\nRest today.\n"))
    sent.refresh_from_db()
    assert sent.page_version == v2.version and "Do not drive for 24 hours" in sent.body_markdown
    newer = services.assign_pages(ctx_for(nurse), patient, [SLUG])[0]
    assert newer.pk != sent.pk and newer.page_version == v2.version + 1
    assert EducationAssignment.objects.filter(page_slug=SLUG).count() == 2


def test_a_route_pack_sends_the_clinic_version(clinic_admin, nurse, patient):
    v2 = clinic_pages.publish_page(ctx_for(clinic_admin), "preparing-for-a-session", "en", _data(
        "preparing-for-a-session", title="Getting ready", body="# Getting ready\n\nNo food for {{session.fasting.iv.food_min|duration}}.\n"))
    rows = {r.page_slug: r for r in services.assign_pack(ctx_for(nurse), patient, "iv")}
    assert rows["preparing-for-a-session"].clinic_page_id == v2.pk and rows["preparing-for-a-session"].page_title == "Getting ready"


@pytest.mark.parametrize("change, field", [
    ({"body": "Fast for {{session.fasting.iv.food_minutes|duration}}."}, "body"),  # no such setting
    ({"body": "Fast for {{session.fasting.iv.food_min|days}}."}, "body"),  # no such format
    ({"body": "Fast for {{ session.fasting.iv.food_min."}, "body"),  # malformed
    ({"body": "x" * 30_001}, "body"),  # oversize: refused, never cut
    ({"body": "  "}, "body"),
    ({"title": ""}, "title"),
    ({"reviewer": "r" * 121}, "reviewer"),
    ({"routes": "iv, intravenous"}, "routes"),
    ({"phase": "during"}, "phase"),
    ({"review_date": "01/12/2026"}, "review_date"),
    ({"review_date": "2999-01-01"}, "review_date"),
])
def test_bad_input_gets_a_field_error_and_writes_nothing(clinic_admin, change, field):
    with pytest.raises(ValidationFailed) as exc:
        clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "en", _data(**change))
    assert field in exc.value.errors, exc.value.errors
    assert not ClinicEducationPage.objects.exists()


def test_unknown_pages_and_languages_are_refused(clinic_admin):
    with pytest.raises(NotFound):
        clinic_pages.publish_page(ctx_for(clinic_admin), "no-such-page", "en", _data())
    with pytest.raises(ValidationFailed):
        clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "english", _data())
    assert not ClinicEducationPage.objects.exists()


def test_who_publishes(nurse, therapist, front_desk, biller):
    for user in (nurse, therapist, front_desk, biller):
        with pytest.raises(PermissionDenied):
            clinic_pages.publish_page(ctx_for(user), SLUG, "en", _data())


def test_script_in_a_clinic_page_is_never_run(clinic_admin, nurse):
    clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "en", _data(body='# Hi\n\n<script>alert(1)</script><a href="javascript:x" onclick="y">z</a>\n'))
    html = services.rendered(services.page_for(ctx_for(nurse), SLUG), nurse.organization)[1]
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html


def test_the_edit_page_shows_the_reading_level_and_warns_above_grade_8(client_for, clinic_admin, front_desk, nurse):
    client = client_for(clinic_admin)
    page = client.get(f"/education/pages/{SLUG}/edit/")
    assert page.status_code == 200 and b"Flesch" in page.content and b"above grade 8" not in page.content
    hard = ("Comprehensive postadministration documentation necessitates meticulous consideration of "
            "psychopharmacological contraindications, notwithstanding institutional recommendations.")
    assert client.post(f"/education/pages/{SLUG}/edit/", _data(body=f"# Hard\n\n{hard}\n", language="en")).status_code == 302
    warned = client.get(f"/education/pages/{SLUG}/edit/")
    assert b"above grade 8" in warned.content  # a warning, not a refusal: the version was published
    bad = client.post(f"/education/pages/{SLUG}/edit/", _data(body="{{no.such.setting}}", language="en"))
    assert bad.status_code == 422 and b"names no clinic setting" in bad.content
    library = client_for(clinic_admin).get("/education/")
    assert library.status_code == 200 and b"clinic version" in library.content and b"shipped" in library.content
    assert client_for(front_desk).get(f"/education/pages/{SLUG}/edit/").status_code == 403
    assert client_for(nurse).get(f"/education/pages/{SLUG}/versions/1/").status_code == 200
    assert client_for(nurse).get(f"/education/pages/{SLUG}/versions/99/").status_code == 404


def test_a_clinic_starts_a_spanish_version_from_the_english_copy(client_for, clinic_admin, nurse):
    start = client_for(clinic_admin).get(f"/education/pages/{SLUG}/edit/?language=es")
    assert start.status_code == 200 and b'name="language" value="es"' in start.content
    row = clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "es", _data(title="Después de su tratamiento",
                                                                            body="# Después\n\nNo maneje por {{instructions.no_driving_h|hours}}.\n"))
    assert row.version == 1 and services.page_for(ctx_for(nurse), SLUG, "es").language == "es"
    assert services.page_for(ctx_for(nurse), SLUG, "en") == content.get_page(SLUG)  # English untouched


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_make_distinct_versions_or_a_clear_conflict(clinic_admin, prescriber):
    outcomes = label(race(lambda: clinic_pages.publish_page(ctx_for(clinic_admin), SLUG, "en", _data()),
                          lambda: clinic_pages.publish_page(ctx_for(prescriber), SLUG, "en", _data()),
                          expect=(Conflict,)))
    versions = sorted(ClinicEducationPage.objects.values_list("version", flat=True))
    assert outcomes in (["ok", "ok"], ["conflict", "ok"])
    assert len(versions) == outcomes.count("ok") and len(set(versions)) == len(versions)


def test_the_api_publishes_and_lists_versions(client_for, clinic_admin, nurse):
    admin = client_for(clinic_admin)
    url = f"/api/v1/education/pages/{SLUG}/versions"
    made = admin.post(url, json.dumps(_data()), content_type="application/json")
    assert made.status_code == 201 and made.json()["clinic_version"] is True and made.json()["reading_grade"] < 8
    bad = admin.post(url, json.dumps(_data(body="{{no.such}}")), content_type="application/json")
    assert bad.status_code == 422 and "body" in bad.json()["errors"]
    staff = client_for(nurse)
    assert staff.post(url, json.dumps(_data()), content_type="application/json").status_code == 403
    assert [v["version"] for v in staff.get(url).json()] == [2]
    assert staff.get(f"/api/v1/education/pages/{SLUG}").json()["clinic_version"] is True
