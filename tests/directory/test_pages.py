"""Provider-profile pages: the list, the profile with its edit forms, field errors shown, nothing written."""

from ketamine_clinic.directory.models import ProviderProfile


def test_a_prescriber_edits_their_profile_on_the_page(client_for, prescriber):
    client = client_for(prescriber)
    url = f"/directory/providers/{prescriber.public_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url + "save", {"npi": "1234567893", "taxonomy_codes": ["363LP0808X"],
                                          "primary_taxonomy": "363LP0808X", "languages": "English"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "1234567893" in page and "363LP0808X — Nurse Practitioner – Psychiatric/Mental Health (primary)" in page


def test_a_bad_npi_shows_a_field_error_and_writes_nothing(client_for, prescriber):
    response = client_for(prescriber).post(f"/directory/providers/{prescriber.public_id}/save", {"npi": "1234567890"})
    assert response.status_code == 422 and "check digit is wrong" in response.content.decode()
    assert not ProviderProfile.objects.exists()


def test_an_expired_licence_is_shown_as_a_signing_block(client_for, prescriber):
    client = client_for(prescriber)
    client.post(f"/directory/providers/{prescriber.public_id}/licences", {"state": "NY", "number": "MD-1", "expires_on": "2020-01-01"})
    page = client.get(f"/directory/providers/{prescriber.public_id}/").content.decode()
    assert "cannot sign orders" in page and "NY MD-1 expired on 2020-01-01" in page


def test_a_nurse_sees_but_cannot_edit_a_prescribers_profile(client_for, prescriber, nurse, front_desk):
    client = client_for(nurse)
    page = client.get(f"/directory/providers/{prescriber.public_id}/").content.decode()
    assert "Edit profile" not in page
    assert client.post(f"/directory/providers/{prescriber.public_id}/save", {"npi": "1234567893"}).status_code == 403
    assert client_for(front_desk).get("/directory/providers/").status_code == 200
    assert not ProviderProfile.objects.exists()


def test_the_outsider_gets_404_for_our_clinician(client_for, prescriber, outsider):
    client = client_for(outsider)
    assert client.get(f"/directory/providers/{prescriber.public_id}/").status_code == 404
    assert client.post(f"/directory/providers/{prescriber.public_id}/save", {"npi": "1234567893"}).status_code == 404
    assert prescriber.get_full_name() not in client.get("/directory/providers/").content.decode()
