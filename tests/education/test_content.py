"""The shipped education pages: complete front matter, plain language (Flesch–Kincaid grade ≤ 8,
SMOG reported), numbers taken from the clinic settings the checklists use, and safe rendering."""

import pytest
import textstat

from ketamine_clinic.clinic_settings import all_settings, policy_for
from ketamine_clinic.education import content

PAGES = sorted(content.library().values(), key=lambda p: p.slug)
MAX_FK_GRADE = 8  # NIH: below 8th grade; many organizations 6th-8th (PRACTICE.md §6.2)


def _plain(page):
    return content.to_plain_text(content.fill(page, policy_for(None)))


def test_the_library_covers_the_issue_topics():
    slugs = {p.slug for p in PAGES}
    assert {"what-to-expect-iv", "what-to-expect-im", "what-to-expect-esketamine", "what-to-expect-oral",
            "preparing-for-a-session", "after-a-session", "esketamine-rems", "at-home-ketamine", "bladder-symptoms",
            "good-faith-estimate"} <= slugs


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.slug)
def test_every_page_reads_at_grade_8_or_below(page):
    text = _plain(page)
    grade = textstat.flesch_kincaid_grade(text)
    print(f"{page.slug}: Flesch-Kincaid {grade}, SMOG {textstat.smog_index(text)}")
    assert grade <= MAX_FK_GRADE


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.slug)
def test_every_placeholder_names_a_clinic_setting(page):
    known = all_settings()
    assert [key for key in page.setting_keys if key not in known] == []


def test_the_fasting_text_follows_the_checklist_setting(db, clinic_admin):
    from ketamine_clinic.clinic_settings import change_setting
    from tests.support.people import ctx_for

    page = content.get_page("preparing-for-a-session")
    assert "| Infusion (drip) | 4 hours | 2 hours |" in content.fill(page, policy_for(None))
    change_setting(ctx_for(clinic_admin), "session.fasting.iv.food_min", "360", "Anaesthesia advice")
    assert "| Infusion (drip) | 6 hours | 2 hours |" in content.fill(page, policy_for(clinic_admin.organization))


def test_observation_and_driving_numbers_come_from_settings():
    defaults = policy_for(None)
    esk = content.fill(content.get_page("esketamine-rems"), defaults)
    assert f"at least {defaults['session.observation.esketamine_nasal_min'] // 60} hours" in esk
    after = content.fill(content.get_page("after-a-session"), dict(defaults, **{"instructions.no_driving_h": 36}))
    assert "Do not drive or use machines for 36 hours." in after


def test_rendering_is_sanitized():
    html = content.to_html('Hi <script>alert(1)</script> <a href="javascript:alert(1)" onclick="x()">link</a> '
                           '<img src=x onerror=alert(1)> <style>p{}</style>**bold**')
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html and "<img" not in html
    assert "<style" not in html and "<strong>bold</strong>" in html


def test_a_page_without_front_matter_is_refused():
    with pytest.raises(content.ContentError):
        content.parse_page("# no front matter")
    with pytest.raises(content.ContentError, match="missing"):
        content.parse_page("---\nslug: x\n---\nbody")


def test_an_unknown_setting_in_a_page_is_an_error_not_blank_text():
    page = content.parse_page("---\nslug: x\ntitle: X\nversion: 1\naudience: patient\nroutes: all\nphase: any\nlanguage: en\n"
                              "source: s\nreviewer: r\nreview_date: 2026-01-01\n---\nWait {{session.nope|duration}}.")
    with pytest.raises(content.ContentError, match="session.nope"):
        content.fill(page, policy_for(None))
