"""``core.prepared``: a read compiled once per process gives, for any ids, what its QuerySet gives;
a build whose SQL depends on the values is refused; PostgreSQL keeps it as a prepared statement."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.patients.models import Allergy, Patient, TimelineEvent
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
    with pytest.raises(ValueError):
        TIMELINE("1").fetch()  # a string where the SQL wants an id: refused when compiled
    with pytest.raises(TypeError):
        TIMELINE(1.0)


BETWEEN = Prepared(lambda pid, since, until: TimelineEvent.objects.filter(patient_id=pid, occurred_at__gte=since, occurred_at__lt=until)
                   .order_by("occurred_at", "id"))
BORN_SINCE = Prepared(lambda org_id, born: Patient.objects.filter(organization_id=org_id, date_of_birth__gte=born).order_by("id"))
BY_PUBLIC_ID = Prepared(lambda public_id: Patient.objects.filter(public_id=public_id))


def test_datetimes_dates_and_uuids_go_where_the_queryset_puts_them_on_either_database(two_charts):
    """On SQLite a datetime or date reaches the driver as text and a UUID as hex: the read binds
    them adapted the same way. Two datetimes of one read stay apart."""
    patient, other = two_charts
    times = sorted(TimelineEvent.objects.filter(patient=patient).values_list("occurred_at", flat=True))
    assert len(times) >= 2
    edges = [times[0] - dt.timedelta(days=1), times[0], times[-1], times[-1] + dt.timedelta(microseconds=1)]
    for since in edges:
        for until in edges:
            expected = list(TimelineEvent.objects.filter(patient=patient, occurred_at__gte=since, occurred_at__lt=until)
                            .order_by("occurred_at", "id"))
            assert BETWEEN(patient.pk, since, until).fetch() == expected
    assert BETWEEN(patient.pk, edges[0], edges[-1]).fetch()  # the edges do select rows
    for born in (patient.date_of_birth, patient.date_of_birth + dt.timedelta(days=1), dt.date(1900, 1, 1)):
        expected = list(Patient.objects.filter(organization_id=patient.organization_id, date_of_birth__gte=born).order_by("id"))
        assert BORN_SINCE(patient.organization_id, born).fetch() == expected
    assert BY_PUBLIC_ID(other.public_id).fetch() == [other]
    assert BY_PUBLIC_ID(uuid.uuid4()).fetch() == []


def test_a_naive_datetime_a_float_or_a_bool_is_refused(db):
    for value in (dt.datetime(2026, 1, 1), 1.5, True, -1, None, b"1"):
        with pytest.raises(TypeError):
            BETWEEN(1, value, timezone.now())


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


def test_a_build_that_works_a_value_out_or_follows_the_time_zone_is_refused(db):
    """Anything the build derives from a value, or from the request's zone, would be frozen into the
    compiled read as a constant: refused when compiled (the two compiles differ in stand-in spacing
    and in active zone)."""
    builds = [
        lambda pid, since: TimelineEvent.objects.filter(patient_id=pid, occurred_at__lt=since + dt.timedelta(hours=1)),
        lambda since, until: TimelineEvent.objects.filter(occurred_at__gte=since, occurred_at__lt=since + dt.timedelta(days=1))
        .exclude(occurred_at=until),
        lambda pid, day: TimelineEvent.objects.filter(patient_id=pid, occurred_at__date=day),
    ]
    values = [(1, timezone.now()), (timezone.now(), timezone.now()), (1, dt.date(2026, 3, 8))]
    for build, args in zip(builds, values):
        with pytest.raises(ValueError):
            Prepared(build)(*args).fetch()


def test_a_string_the_database_escapes_is_never_bound_unescaped(two_charts):
    """SQLite escapes ``_``, ``%`` and ``\\`` for ``iexact`` (a LIKE): such a read is refused there;
    PostgreSQL compares ``UPPER`` values and binds the string as it is, with the QuerySet's answer."""
    read = Prepared(lambda name: Allergy.objects.filter(substance__iexact=name).order_by("id"))
    for name in ("LATEX_%", two_charts[0].allergies.first().substance.upper()):
        expected = list(Allergy.objects.filter(substance__iexact=name).order_by("id"))
        if connection.vendor == "sqlite":
            with pytest.raises(ValueError):
                read(name).fetch()
        else:
            assert read(name).fetch() == expected
    assert not Allergy.objects.filter(substance__iexact="LATEX_%").exists()  # a wildcard would match "Latex 1-0"
