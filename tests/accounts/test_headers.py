"""A Content-Security-Policy with no inline code on every page, and Cache-Control: no-store on
every page and API answer (they carry PHI); static files stay cacheable."""

from ketamine_clinic.accounts import services

from tests.support.people import ctx_for


def test_pages_send_a_strict_content_security_policy(client_for, nurse, patient):
    response = client_for(nurse).get(f"/patients/{patient.public_id}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_chart_page_and_api_answers_are_never_stored(client_for, client, nurse, patient):
    page = client_for(nurse).get(f"/patients/{patient.public_id}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    raw = services.create_token(ctx_for(nurse), nurse, name="n")
    api = client.get(f"/api/v1/patients/{patient.public_id}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]


def test_outsider_refusal_is_not_stored_either(client_for, outsider, patient):
    response = client_for(outsider).get(f"/patients/{patient.public_id}/")
    assert response.status_code == 404 and "no-store" in response["Cache-Control"]


def test_templates_hold_no_inline_scripts_styles_or_event_handlers():
    import re
    from pathlib import Path

    import ketamine_clinic

    root = Path(ketamine_clinic.__file__).parent / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|<style|\sstyle=|\son[a-z]+=", re.I)
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.html") if inline.search(p.read_text())]
    assert offenders == []


def test_early_refusals_are_not_stored_but_static_files_stay_cacheable(client_for, nurse, org):
    org.require_mfa = True
    org.save()
    refused = client_for(nurse).get("/api/v1/me")  # answered by the MFA middleware itself
    assert refused.status_code == 403 and "no-store" in refused["Cache-Control"]
    static = client_for(nurse).get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")
