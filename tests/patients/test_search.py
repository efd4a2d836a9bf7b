"""Patient search: the same matches on SQLite and PostgreSQL (this file runs on both), one query for
a page and its count, and on PostgreSQL the trigram indexes serve the ``%word%`` matches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Patient
from tests.support.factories import PatientFactory
from tests.support.people import PATIENT_DATA, ctx_for

PEOPLE = {  # key: (given, family, preferred, date of birth, phone)
    "jordan": ("Jordan", "Avery", "", "1984-05-17", "(555) 123-4567"),
    "zoe": ("Zoë", "Brontë", "", "1990-01-02", "555 987 6543"),
    "maria": ("María", "Núñez", "Mari", "1975-11-30", "555-222-3333"),
    "ann": ("Ann", "McAvery", "", "1960-07-04", "555 444 1212"),
    "lee": ("Lee", "O'Neil", "Jo", "2001-02-03", "555 777 0000"),
}

# query -> who it finds (ASCII case folds on both databases; a non-ASCII letter matches as typed).
QUERIES = {
    "avery": {"jordan", "ann"},  # partial: McAvery too
    "AVERY": {"jordan", "ann"},
    "aVeRy": {"jordan", "ann"},
    "jor": {"jordan"},
    "jo": {"jordan", "lee"},  # Lee's preferred name
    "Jordan Avery": {"jordan"},
    "Avery, Jordan": {"jordan"},
    "ann mcavery": {"ann"},
    "zoë": {"zoe"},
    "Brontë": {"zoe"},
    "núñez": {"maria"},
    "mari": {"maria"},
    "o'neil": {"lee"},
    "1984-05-17": {"jordan"},
    "05/17/1984": {"jordan"},
    "123-4567": {"jordan"},
    "5559876543": {"zoe"},
    "Zimmerman": set(),
    "%": set(),  # a LIKE wildcard is a plain character
    "_": set(),
}


@pytest.fixture
def people(front_desk):
    made = {}
    for key, (given, family, preferred, dob, phone) in PEOPLE.items():
        made[key] = PatientFactory(registered_by=front_desk, **dict(
            PATIENT_DATA, given_name=given, family_name=family, preferred_name=preferred, date_of_birth=dob, phone=phone))
    return made


@pytest.mark.parametrize("query", list(QUERIES))
def test_the_same_queries_find_the_same_patients_on_either_database(nurse, people, query):
    found = {p.pk for p in services.search_patients(ctx_for(nurse), query)}
    assert found == {people[k].pk for k in QUERIES[query]}


def test_an_mrn_finds_its_patient_whole_or_partial_and_in_any_case(nurse, people):
    mrn = people["zoe"].mrn
    for query in (mrn, mrn.lower()):
        assert [p.pk for p in services.search_patients(ctx_for(nurse), query)] == [people["zoe"].pk]


def test_a_page_and_its_count_come_from_one_query(nurse, people):
    ctx = ctx_for(nurse)
    ctx.user.may("patient.view")  # the roles are read once per request, before the search
    with CaptureQueriesContext(connection) as queries:
        rows, total = services.search_page(ctx, "a", 1, 2)
    assert len(queries) == 1
    everyone = list(services.search_patients(ctx, "a").order_by("family_name", "given_name", "id"))
    assert total == len(everyone) and rows == everyone[:2]
    assert services.search_page(ctx, "a", 2, 2) == (everyone[2:4], total)


def test_a_page_past_the_end_is_empty_and_still_counts(nurse, people):
    rows, total = services.search_page(ctx_for(nurse), "avery", 9, 25)
    assert (rows, total) == ([], 2)


def test_the_search_page_serves_the_last_page_past_the_end(client_for, nurse, people):
    for page in ("99", "-1", "x", "99999999999999999999"):
        response = client_for(nurse).get("/patients/", {"q": "avery", "page": page})
        assert response.status_code == 200 and response.context["page"].number == 1, page
        assert {p.pk for p in response.context["page"]} == {people["jordan"].pk, people["ann"].pk}
        assert response.context["page"].paginator.count == 2


def test_the_api_counts_every_match_and_pages_them(api, nurse, people):
    body = api(nurse, "get", "/patients?q=a&page_size=2").json()
    assert body["count"] == len(list(services.search_patients(ctx_for(nurse), "a"))) and len(body["items"]) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram GIN indexes exist on PostgreSQL only")
@pytest.mark.parametrize("field", ["given_name", "family_name", "preferred_name", "mrn", "phone_digits"])
def test_on_postgresql_icontains_on_a_searched_field_can_use_its_trigram_index(people, field):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show what it can use
    plan = Patient.objects.filter(**{f"{field}__icontains": "ave"}).explain()
    assert f"patient_{field}_trgm" in plan, plan


def test_with_no_words_every_patient_is_listed_in_name_order_and_counted(nurse, people):
    ctx = ctx_for(nurse)
    everyone = list(services.patients_for(ctx).order_by("family_name", "given_name", "id"))
    assert services.search_page(ctx, "  ", 1, 2) == (everyone[:2], len(everyone))
    assert services.search_page(ctx, "", 3, 2) == (everyone[4:6], len(everyone))


def test_a_search_that_can_match_nothing_is_an_empty_page(nurse, people):
    from ketamine_clinic.core import fence

    matches = Patient.objects.filter(pk__in=[])
    assert fence.page_rows(matches, matches.order_by("family_name")[:5]) == []


def test_the_page_keeps_its_joined_location_and_annotations(nurse, people):
    ctx = ctx_for(nurse)
    rows, _ = services.search_page(ctx, "avery", 1, 25)
    with CaptureQueriesContext(connection) as queries:
        locations = [row.home_location for row in rows]
    assert len(queries) == 0 and locations == [people["ann"].home_location, people["jordan"].home_location]
    assert [row.match_count for row in rows] == [2, 2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram GIN indexes exist on PostgreSQL only")
def test_on_postgresql_the_trigram_indexes_keep_no_pending_list(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'patient\\_%\\_trgm'")
        options = dict(cursor.fetchall())
    assert len(options) == 5 and all(value == ["fastupdate=off"] for value in options.values()), options


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram GIN indexes exist on PostgreSQL only")
@pytest.mark.parametrize("query", ["avery", "BE000001", "555-123-4567", "1984-05-17"])
def test_on_postgresql_every_branch_of_a_search_has_an_index(nurse, people, query):
    # One OR branch without an index (phone digits matched without UPPER) made every MRN or phone
    # search read the whole table.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show what it can use
    plan = Patient.objects.filter(services.search_condition(query)).explain()
    # Each branch read from its own index, the results OR-ed: no branch left to a scan's filter.
    assert "BitmapOr" in plan and "Seq Scan" not in plan, plan
