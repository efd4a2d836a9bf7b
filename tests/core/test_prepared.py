"""``core.prepared``: a read compiled once per process gives, for any ids, what its QuerySet gives;
a build whose SQL depends on the values is refused; PostgreSQL keeps it as a prepared statement."""

import pytest
from django.db import connection

from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.patients.models import Allergy, TimelineEvent
from ketamine_clinic.patients import services as patients
from tests.core.test_batch import snapshot
from tests.support.factories import PatientFactory
from tests.support.people import ctx_for

TIMELINE = Prepared(lambda pid: TimelineEvent.objects.filter(patient_id=pid).select_related("actor").order_by("-occurred_at", "-id")[:3])


@pytest.fixture
def two_charts(nurse, front_desk, patient):
    other = PatientFactory(registered_by=front_desk, given_name="Robin")
    for who, n in ((patient, 2), (other, 3)):
        for i in range(n):
            patients.add_subrecord(ctx_for(nurse), who, "allergy", {"substance": f"Latex {who.pk}-{i}", "severity": "mild"})
    return patient, other


def test_a_prepared_read_gives_what_its_queryset_gives_for_every_id(two_charts, django_assert_num_queries):
    for who in two_charts:
        expected = [snapshot(e) for e in TimelineEvent.objects.filter(patient=who).select_related("actor").order_by("-occurred_at", "-id")[:3]]
        assert expected
        with django_assert_num_queries(1):
            assert [snapshot(e) for e in TIMELINE(who.pk).fetch()] == expected
        with django_assert_num_queries(1):  # and inside a batch, with another read
            read = batch.fetch_lists({"t": TIMELINE(who.pk), "a": Allergy.objects.filter(patient=who).order_by("substance")})
        assert [snapshot(e) for e in read["t"]] == expected and [a.substance for a in read["a"]] == sorted(
            a.substance for a in who.allergies.all())


def test_the_instances_know_the_record_they_were_read_for(two_charts, django_assert_num_queries):
    patient, _ = two_charts
    rows = TIMELINE(patient.pk).knowing(patient=patient).fetch()
    with django_assert_num_queries(0):
        assert all(e.patient is patient for e in rows)


def test_a_build_whose_sql_depends_on_the_values_or_ignores_an_id_is_refused(db):
    with pytest.raises(ValueError):
        Prepared(lambda pid: Allergy.objects.filter(substance=str(pid)))(1).fetch()  # the id is not a parameter
    with pytest.raises(ValueError):
        Prepared(lambda pid: Allergy.objects.filter(pk__in=range(abs(pid) % 7 + 1)))(1).fetch()  # the SQL changes
    with pytest.raises(TypeError):
        TIMELINE("1")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (SQLite has no planner to spare)")
def test_postgresql_keeps_the_read_as_a_prepared_statement(two_charts):
    patient, _ = two_charts
    TIMELINE(patient.pk).fetch()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%patients_timelineevent%"])
        assert cursor.fetchone()[0] >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (SQLite has no planner to spare)")
def test_with_prepared_statements_turned_off_nothing_is_prepared(settings, two_charts):
    settings.DATABASE_PREPARED_STATEMENTS = False  # behind a pooler that cannot keep them
    patient, _ = two_charts
    read = Prepared(lambda pid: Allergy.objects.filter(patient_id=pid).order_by("-substance", "-id"))
    assert len(read(patient.pk).fetch()) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"substance" DESC, %'])
        assert cursor.fetchone()[0] == 0
