"""Psychotherapy notes disclosed on the patient's written authorization: the author discloses one
signed note to one named colleague of the clinic, who then reads that note only (read-only, every
read audited) until the author revokes it or the authorization expires. Front desk and the outsider
never read it; the note stays out of the chart, lists, API lists and the portal."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import PermissionDenied, Role
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import PsychotherapyNoteDisclosure
from tests.support.people import ctx_for, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _signed(therapist, patient, text="PROCESS-NOTE: transference themes"):
    pnote = services.write_psychotherapy_note(ctx_for(therapist), patient, text)
    return services.sign_psychotherapy_note(ctx_for(therapist), pnote)


@pytest.fixture
def pnote(therapist, patient):
    return _signed(therapist, patient)


def _auth(recipient, **extra):
    data = {"recipient": str(recipient.public_id), "authorization_signed_on": TODAY().isoformat(),
            "authorization_reference": "Authorization form 2030-03 in the paper file, covers care coordination"}
    data.update(extra)
    return data


def test_the_colleague_reads_the_disclosed_note_only_and_every_read_is_audited(pnote, therapist, prescriber, patient):
    other = _signed(therapist, patient, "OTHER-NOTE")
    disclosure = services.disclose_psychotherapy_note(ctx_for(therapist), pnote, _auth(prescriber))
    note, seen = services.disclosed_psychotherapy_note_for(ctx_for(prescriber), pnote.public_id)
    assert note == pnote and seen == disclosure
    assert [d.note for d in services.notes_disclosed_to_me(ctx_for(prescriber))] == [pnote]
    with pytest.raises(NotFound):
        services.disclosed_psychotherapy_note_for(ctx_for(prescriber), other.public_id)
    with pytest.raises(PermissionDenied):  # the author's own pages stay the author's
        services.get_psychotherapy_note_for(ctx_for(prescriber), pnote.public_id)
    actions = list(AuditEvent.objects.filter(actor=prescriber).values_list("action", flat=True))
    assert actions.count("psychotherapy_note.disclosed_view") == 1 and "psychotherapy_note.disclosed_list" in actions
    assert AuditEvent.objects.filter(actor=therapist, action="psychotherapy_note.disclose").count() == 1
    assert not AuditEvent.objects.filter(detail__icontains="PROCESS-NOTE").exists()


def test_revoked_or_expired_the_colleague_no_longer_reads_it(pnote, therapist, prescriber, nurse):
    d = services.disclose_psychotherapy_note(ctx_for(therapist), pnote, _auth(prescriber))
    services.revoke_disclosure(ctx_for(therapist), pnote, d.public_id)
    with pytest.raises(NotFound):
        services.disclosed_psychotherapy_note_for(ctx_for(prescriber), pnote.public_id)
    with pytest.raises(Conflict):
        services.revoke_disclosure(ctx_for(therapist), pnote, d.public_id)
    assert AuditEvent.objects.filter(action="psychotherapy_note.disclosure_revoke").count() == 1
    services.disclose_psychotherapy_note(ctx_for(therapist), pnote, _auth(nurse, authorization_expires_on=TODAY().isoformat()))
    assert services.disclosed_psychotherapy_note_for(ctx_for(nurse), pnote.public_id)[0] == pnote
    PsychotherapyNoteDisclosure.objects.filter(recipient=nurse).update(authorization_expires_on=TODAY() - dt.timedelta(days=1))
    with pytest.raises(NotFound):
        services.disclosed_psychotherapy_note_for(ctx_for(nurse), pnote.public_id)
    assert list(services.notes_disclosed_to_me(ctx_for(nurse))) == []


def test_only_the_author_discloses_a_signed_note_once_per_colleague(pnote, therapist, prescriber, patient, org, location):
    other_therapist = make_user(org, "other_therapist", [Role.THERAPIST], location=location)
    with pytest.raises(NotFound):
        services.disclose_psychotherapy_note(ctx_for(other_therapist), pnote, _auth(prescriber))
    with pytest.raises(PermissionDenied):
        services.disclose_psychotherapy_note(ctx_for(prescriber), pnote, _auth(prescriber))
    draft = services.write_psychotherapy_note(ctx_for(therapist), patient, "draft")
    with pytest.raises(Conflict):
        services.disclose_psychotherapy_note(ctx_for(therapist), draft, _auth(prescriber))
    d = services.disclose_psychotherapy_note(ctx_for(therapist), pnote, _auth(prescriber))
    with pytest.raises(Conflict):
        services.disclose_psychotherapy_note(ctx_for(therapist), pnote, _auth(prescriber))
    with pytest.raises(NotFound):
        services.revoke_disclosure(ctx_for(other_therapist), pnote, d.public_id)
    assert PsychotherapyNoteDisclosure.objects.count() == 1


def test_bad_authorizations_get_field_errors_and_write_nothing(pnote, therapist, prescriber, front_desk, outsider):
    tomorrow = (TODAY() + dt.timedelta(days=1)).isoformat()
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    cases = [
        (_auth(front_desk), "recipient"),  # front desk reads no clinical notes
        (_auth(outsider), "recipient"),  # another clinic's user
        (_auth(therapist), "recipient"),  # the author
        ({**_auth(prescriber), "recipient": "not-a-uuid"}, "recipient"),
        (_auth(prescriber, authorization_signed_on=""), "authorization_signed_on"),
        (_auth(prescriber, authorization_signed_on="05/03/2030"), "authorization_signed_on"),
        (_auth(prescriber, authorization_signed_on=tomorrow), "authorization_signed_on"),
        (_auth(prescriber, authorization_expires_on=yesterday), "authorization_expires_on"),
        (_auth(prescriber, authorization_reference="  "), "authorization_reference"),
        (_auth(prescriber, authorization_reference="x" * 301), "authorization_reference"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.disclose_psychotherapy_note(ctx_for(therapist), pnote, data)
        assert field in exc.value.errors, (data, exc.value.errors)
    assert not PsychotherapyNoteDisclosure.objects.exists()


def test_front_desk_and_the_outsider_never_read_it(pnote, therapist, prescriber, front_desk, outsider):
    services.disclose_psychotherapy_note(ctx_for(therapist), pnote, _auth(prescriber))
    for user in (front_desk, outsider):
        with pytest.raises((PermissionDenied, NotFound)):
            services.disclosed_psychotherapy_note_for(ctx_for(user), pnote.public_id)
    with pytest.raises((PermissionDenied, NotFound)):
        services.disclose_psychotherapy_note(ctx_for(outsider), pnote, _auth(prescriber))


def test_the_pages_disclose_read_and_revoke(client_for, pnote, therapist, prescriber, front_desk, patient, portal_user):
    author = client_for(therapist)
    bad = author.post(f"/notes/psychotherapy/{pnote.public_id}/disclose/", _auth(prescriber, authorization_reference=""))
    assert bad.status_code == 422 and b"Describe the signed authorization" in bad.content
    ok = author.post(f"/notes/psychotherapy/{pnote.public_id}/disclose/", _auth(prescriber))
    assert ok.status_code == 302
    assert b"Revoke" in author.get(f"/notes/psychotherapy/{pnote.public_id}/").content
    reader = client_for(prescriber)
    assert pnote.public_id.hex[:8] in reader.get("/notes/psychotherapy/disclosed/").content.decode()
    page = reader.get(f"/notes/psychotherapy/{pnote.public_id}/disclosed/")
    assert page.status_code == 200 and b"PROCESS-NOTE" in page.content and b"<textarea" not in page.content
    # Still in no chart section, notes list or API list for the colleague; and not for front desk.
    for url in (f"/patients/{patient.public_id}/", f"/notes/patient/{patient.public_id}/",
                f"/api/v1/patients/{patient.public_id}/notes"):
        assert b"PROCESS-NOTE" not in reader.get(url).content, url
    assert client_for(front_desk).get(f"/notes/psychotherapy/{pnote.public_id}/disclosed/").status_code == 403
    assert client_for(portal_user).get("/portal/").content.count(b"PROCESS-NOTE") == 0
    disclosure = PsychotherapyNoteDisclosure.objects.get()
    author = client_for(therapist)
    assert author.post(f"/notes/psychotherapy/{pnote.public_id}/revoke/", {"disclosure": str(disclosure.public_id)}).status_code == 302
    assert client_for(prescriber).get(f"/notes/psychotherapy/{pnote.public_id}/disclosed/").status_code == 404
