"""Report reads on a read replica (core/db_router.py).

The routing rules run everywhere (no replica needed). The rest runs against a real PostgreSQL
streaming replica: ``./dev.sh test`` starts a throwaway primary + replica pair (``pg_basebackup -R``)
and runs this file with ``DATABASE_URL`` / ``DATABASE_REPLICA_URL`` pointing at it. Without a
configured replica those tests are skipped with the reason printed (``-rs``)."""

import time

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.core import db_router
from ketamine_clinic.core.db_router import PIN_COOKIE, REPLICA, ReportReadRouter, report_db, report_reads
from ketamine_clinic.patients.models import Patient

from tests.support.factories import OrganizationFactory

router = ReportReadRouter()


# --- the routing rules ----------------------------------------------------------------------------
@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_without_a_replica_every_read_stays_on_the_primary():
    assert REPLICA not in settings.DATABASES or settings.DATABASES[REPLICA]["TEST"]["MIRROR"] == "default"
    db_router_configured = REPLICA in settings.DATABASES
    with report_reads():
        assert report_db() == (REPLICA if db_router_configured else "default")
        if not db_router_configured:
            assert router.db_for_read(Patient) == "default"


def test_report_reads_go_to_the_replica_and_everything_else_to_the_primary(with_replica):
    assert router.db_for_read(Patient) == "default"
    with report_reads():
        assert router.db_for_read(Patient) == REPLICA
        assert router.db_for_write(Patient) == "default"
    assert router.db_for_read(Patient) == "default"
    assert router.allow_migrate("default", "patients") and not router.allow_migrate(REPLICA, "patients")


@pytest.mark.django_db
def test_a_read_inside_a_write_transaction_stays_on_the_primary(with_replica):
    with transaction.atomic(), report_reads():
        assert report_db() == "default" and router.db_for_read(Patient) == "default"


def test_a_user_who_just_wrote_reads_their_reports_from_the_primary(with_replica):
    fresh = RequestFactory().get("/", HTTP_COOKIE=f"{PIN_COOKIE}={time.time():.3f}")
    stale = RequestFactory().get("/", HTTP_COOKIE=f"{PIN_COOKIE}={time.time() - settings.REPLICA_PIN_SECONDS - 1:.3f}")
    garbled = RequestFactory().get("/", HTTP_COOKIE=f"{PIN_COOKIE}=soon")
    assert report_db(fresh) == "default"
    assert report_db(stale) == REPLICA and report_db(garbled) == REPLICA and report_db(RequestFactory().get("/")) == REPLICA
    with report_reads(fresh):
        assert router.db_for_read(Patient) == "default"


def test_a_successful_write_request_sets_the_pin_and_a_read_or_a_refusal_does_not(with_replica):
    class Response:
        def __init__(self, status_code):
            self.status_code, self.cookies = status_code, {}

        def set_cookie(self, name, value, **kwargs):
            self.cookies[name] = (value, kwargs)

    def through(method, status):
        middleware = db_router.PinPrimaryAfterWriteMiddleware(lambda request: Response(status))
        return middleware(getattr(RequestFactory(), method)("/")).cookies

    assert PIN_COOKIE in through("post", 302)
    assert through("post", 422) == {} and through("get", 200) == {}
    _, options = through("post", 200)[PIN_COOKIE]
    assert options["max_age"] == settings.REPLICA_PIN_SECONDS and options["httponly"]


# --- against a real streaming replica -----------------------------------------------------------
needs_replica = [
    pytest.mark.skipif(REPLICA not in settings.DATABASES,
                       reason="no DATABASE_REPLICA_URL: ./dev.sh test runs these on its own primary + replica pair"),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]
REPLAY_BOUND_S = 10.0


def wait_on_replica(check) -> None:
    """Bounded wait for the replica to replay what the primary committed."""
    deadline = time.monotonic() + REPLAY_BOUND_S
    while not check():
        assert time.monotonic() < deadline, f"the replica did not catch up within {REPLAY_BOUND_S} s"
        time.sleep(0.05)


def replica_has(row) -> bool:
    try:
        return type(row).objects.using(REPLICA).filter(pk=row.pk).exists()
    except DatabaseError:  # the test database itself is still being replayed
        connections[REPLICA].close()
        return False


class TestOnARealReplica:
    pytestmark = needs_replica

    def test_the_replica_is_a_standby_of_the_primary(self):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone() == (True,)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone() == (False,)

    def test_a_write_on_the_primary_becomes_visible_on_the_replica(self):
        org = OrganizationFactory(name="Replicated Clinic", slug="replicated", mrn_prefix="RP")
        wait_on_replica(lambda: replica_has(org))
        assert type(org).objects.using(REPLICA).get(pk=org.pk).name == "Replicated Clinic"

    def test_writes_never_go_to_the_replica(self):
        org = OrganizationFactory(name="Write Clinic", slug="write-clinic", mrn_prefix="WC")
        wait_on_replica(lambda: replica_has(org))
        with report_reads(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
            org.name = "Renamed"
            org.save()  # the router sends it to the primary even inside a report block
        assert on_replica.captured_queries == []
        with pytest.raises(DatabaseError, match="read-only"):  # and the replica itself refuses writes
            type(org).objects.using(REPLICA).filter(pk=org.pk).update(name="Nope")
        connections[REPLICA].close()

    def test_a_read_compiled_once_still_follows_the_router_on_each_use(self):
        from ketamine_clinic.accounts.models import Organization
        from ketamine_clinic.core.prepared import Prepared

        org = OrganizationFactory(name="Prepared Clinic", slug="prepared-clinic", mrn_prefix="PC")
        wait_on_replica(lambda: replica_has(org))
        read = Prepared(lambda org_id: Organization.objects.filter(pk=org_id))
        with report_reads(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert read(org.pk).fetch() == [org]  # compiled first for the replica
        assert len(on_replica.captured_queries) == 1
        with CaptureQueriesContext(connections[REPLICA]) as on_replica, CaptureQueriesContext(connection) as on_primary:
            assert read(org.pk).fetch() == [org]  # a safety check: never the (maybe lagging) replica
        assert on_replica.captured_queries == [] and len(on_primary.captured_queries) == 1
        connections[REPLICA].close()

    @pytest.mark.parametrize("through", ["page", "api"])
    def test_the_outcomes_report_runs_on_the_replica(self, client_for, api, nurse, patient, through):
        wait_on_replica(lambda: replica_has(patient))
        get = (lambda: client_for(nurse).get("/assessments/outcomes/")) if through == "page" else (
            lambda: api(nurse, "get", "/outcomes/summary"))
        with CaptureQueriesContext(connections[REPLICA]) as on_replica, CaptureQueriesContext(connection) as on_primary:
            assert get().status_code == 200
        report_table = "outcomes_outcomegrouprow"  # the summary's one grouped query (issue 19 §1)
        assert report_table in " ".join(q["sql"] for q in on_replica.captured_queries)
        assert report_table not in " ".join(q["sql"] for q in on_primary.captured_queries)

    def test_the_audit_trail_is_browsed_on_the_replica_but_not_right_after_a_write(self, client_for, clinic_admin, patient):
        wait_on_replica(lambda: replica_has(patient))
        client = client_for(clinic_admin)
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert client.get("/clinic-admin/audit/").status_code == 200
        assert "audit_auditevent" in " ".join(q["sql"] for q in on_replica.captured_queries)
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:  # the CSV export, streamed
            response = client.get("/clinic-admin/audit/", {"format": "csv"})
            rows = b"".join(response.streaming_content).decode().splitlines()
        assert response.status_code == 200 and len(rows) > 1 and patient.mrn in "".join(rows)
        assert "audit_auditevent" in " ".join(q["sql"] for q in on_replica.captured_queries)
        client.cookies[PIN_COOKIE] = f"{time.time():.3f}"  # as set after the user's own write
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert client.get("/clinic-admin/audit/").status_code == 200
        assert on_replica.captured_queries == []
