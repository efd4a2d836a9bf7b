"""``core.batch.fetch_lists``: several QuerySets in one statement, each giving exactly what it gives
on its own (instances with their joined objects and annotations, values() dicts, order, slices)."""

import pytest
from django.db import connection
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.core.batch import fetch_lists
from ketamine_clinic.notes.models import Note
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.notes import services as notes
from ketamine_clinic.plans.models import TreatmentPlan
from ketamine_clinic.screening.models import ConsentDocument
from ketamine_clinic.treatments.models import TreatmentSession
from tests.front.test_sections import add_chart_records
from tests.support.people import ctx_for


def snapshot(item):
    """Everything an instance carries (its loaded fields, annotations, joined objects), comparably."""
    if isinstance(item, dict):
        return item
    values = {k: v for k, v in item.__dict__.items() if not k.startswith("_")}
    joined = {name: snapshot(obj) if obj is not None else None for name, obj in item._state.fields_cache.items()}
    return (type(item), values, joined)


@pytest.fixture
def chart(nurse, prescriber, patient, clinic):
    add_chart_records(3, routes=["iv"], patient=patient, nurse=nurse, prescriber=prescriber, location=clinic)
    notes.start_note(ctx_for(nurse), patient, "progress")
    return patient


def test_each_queryset_reads_as_it_would_alone_in_one_statement(chart):
    querysets = {
        "allergies": chart.allergies.order_by("substance", "id"),
        "medications": chart.medications.all(),
        "trials": chart.trials.order_by("-recorded_at", "-id"),
        "diagnoses": chart.diagnoses.all(),
        "results": chart.test_results.defer("attachment"),
        "measurements": chart.measurements.all(),
        "plans": TreatmentPlan.objects.filter(patient=chart).select_related("location").order_by("-created_at")[:2],
        "sessions": TreatmentSession.objects.filter(patient=chart).select_related("location").order_by("-checked_in_at")[:10],
        "timeline": chart.timeline.select_related("actor").order_by("-occurred_at")[:5],
        "notes": Note.objects.filter(patient=chart).select_related("author").annotate(n=Count("addenda")).order_by("-created_at"),
        "versions": ConsentDocument.objects.filter(organization=chart.organization).values("route").annotate(v=Max("version"))
                    .order_by("route"),
        "nothing": TimelineEvent.objects.filter(pk__in=[]),
    }
    alone = {key: [snapshot(x) for x in qs] for key, qs in querysets.items()}
    assert [k for k in querysets if not alone[k]] == ["nothing"], "every list has rows to compare"
    with CaptureQueriesContext(connection) as queries:
        together = fetch_lists(querysets)
    assert len(queries) == 1
    assert {key: [snapshot(x) for x in rows] for key, rows in together.items()} == alone


def test_an_empty_batch_reads_nothing_and_other_databases_or_kinds_are_refused(chart, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert fetch_lists({}) == {}
        assert fetch_lists({"none": TimelineEvent.objects.none()}) == {"none": []}
    with pytest.raises(ValueError):
        fetch_lists({"flat": TimelineEvent.objects.values_list("id", flat=True)})


def test_lists_keeps_what_a_page_read_and_reads_fresh_outside_one(chart, django_assert_num_queries):
    from ketamine_clinic.core import batch, request_memo

    reads = {("allergies", chart.pk): chart.allergies.all(), ("diagnoses", chart.pk): chart.diagnoses.all()}
    with request_memo.scope():
        with django_assert_num_queries(1):
            first = batch.lists(reads)
        with django_assert_num_queries(0):  # the section that shows them finds them read
            assert batch.lists({("diagnoses", chart.pk): chart.diagnoses.none()}) == {("diagnoses", chart.pk): first[("diagnoses", chart.pk)]}
    with django_assert_num_queries(1):  # no scope: every call reads
        batch.lists(reads)
    with django_assert_num_queries(1):
        batch.lists(reads)
