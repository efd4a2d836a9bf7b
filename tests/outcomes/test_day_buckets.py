"""Issue 19: the day buckets the outcomes dashboard reads for the whole days of a period always equal
the sums of their rows: as responses, diagnoses and plans change (a baseline moving to another
day included), after the rebuild command, and under concurrent writers on PostgreSQL (real
threads, bounded). A period's whole UTC days and its part-days cover it exactly, in any zone."""

import datetime as dt
import importlib
import io
import zoneinfo
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import QuestionnaireResponse
from ketamine_clinic.clinical import icd10cm
from ketamine_clinic.outcomes import buckets, groups
from ketamine_clinic.outcomes.models import OutcomeDayBucket, OutcomeGroupRow
from ketamine_clinic.outcomes.report import _period_parts, outcomes_summary
from ketamine_clinic.patients.services import add_subrecord, register_patient

from tests.assessments.test_outcomes import _plan
from tests.outcomes.legacy_report import legacy_figures
from tests.support.assessments import phq9
from tests.support.concurrency import race
from tests.support.people import PATIENT_DATA, ctx_for

FIELDS = ("organization_id", "instrument_key", "day", "dimension", "group_key", *buckets.SUMS)


def _buckets() -> set:
    """Every bucket's fields; float sums to 9 decimals (the database adds a day's rows in the order
    it scans them, so a sum of three or more floats may change in its last bit between two reads)."""
    rows = OutcomeDayBucket.objects.values_list(*FIELDS)
    return {tuple(round(v, 9) if isinstance(v, float) else v for v in bucket) for bucket in rows}


def _rebuilt(organization_ids) -> set:
    """The buckets recomputed from scratch from the rows (what they must already be)."""
    buckets.rebuild_buckets((OutcomeDayBucket, OutcomeGroupRow), organization_ids)
    return _buckets()


def _all_bucket(patient, day: dt.date):
    return OutcomeDayBucket.objects.filter(organization_id=patient.organization_id, instrument_key="phq9", day=day,
                                           dimension="all").first()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
def test_the_whole_days_and_the_part_days_cover_a_period_exactly(zone):
    tz = zoneinfo.ZoneInfo(zone)
    for date_from, date_to in [(dt.date(2026, 3, 1), dt.date(2026, 3, 31)), (dt.date(2026, 11, 1), dt.date(2026, 11, 1)),
                               (dt.date(2025, 12, 31), dt.date(2026, 1, 2)), (dt.date(2024, 1, 1), dt.date(2026, 12, 5))]:
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        days, ends = _period_parts(start, end)
        pieces = list(ends)
        if days:
            pieces.append(tuple(dt.datetime.combine(d, dt.time.min, tzinfo=dt.timezone.utc) for d in days))
        pieces.sort()
        assert pieces[0][0] == start and pieces[-1][1] == end, (zone, date_from)
        assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:])), (zone, date_from)  # no gap, no overlap
        assert all(a < b for a, b in pieces)
        # only part-days are read from the rows (a period holding no whole UTC day is under two days)
        assert all(b - a < dt.timedelta(days=1 if days else 2) for a, b in ends)
        if zone == "UTC":
            assert ends == []


def test_the_buckets_follow_the_chart_and_equal_a_rebuild_from_the_rows(nurse, prescriber, location, patient, front_desk):
    other = register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name="Second"))
    day_at = timezone.now().replace(hour=12) - dt.timedelta(days=20)

    def respond(who, total, at):
        services.submit_response(ctx_for(nurse), who, "phq9", phq9(total=total), mode="staff_paper", completed_at=at)

    respond(patient, 20, day_at)
    respond(patient, 8, day_at + dt.timedelta(days=7))
    respond(other, 18, day_at)
    day = buckets.utc_day(day_at)
    bucket = _all_bucket(patient, day)
    assert (bucket.patients, bucket.with_follow_up, bucket.baseline_sum, bucket.change_sum) == (2, 1, 38, -12)
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    _plan(other, prescriber, location, "iv-racemic-induction", "iv")
    assert _buckets() == _rebuilt([patient.organization_id])
    # A response dated earlier becomes the baseline: the patient leaves the old day's buckets.
    respond(patient, 22, day_at - dt.timedelta(days=10))
    assert (_all_bucket(patient, day).patients, _all_bucket(patient, day).baseline_sum) == (1, 18)
    assert _all_bucket(patient, buckets.utc_day(day_at - dt.timedelta(days=10))).patients == 1
    original = QuestionnaireResponse.objects.get(patient=other, instrument_key="phq9")
    services.amend_response(ctx_for(nurse), original, phq9(total=16), "Item misread")
    assert _all_bucket(patient, day).baseline_sum == 16
    assert _buckets() == _rebuilt([patient.organization_id])


def test_the_rebuild_command_restores_stale_and_missing_buckets(nurse, patient, outsider, outsider_patient):
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=20), mode="staff_paper")
    services.submit_response(ctx_for(outsider), outsider_patient, "phq9", phq9(total=12), mode="staff_paper")
    expected = _buckets()
    assert {b[0] for b in expected} == {patient.organization_id, outsider_patient.organization_id}
    OutcomeDayBucket.objects.filter(organization_id=patient.organization_id).update(patients=99)  # stale
    OutcomeDayBucket.objects.filter(organization_id=outsider_patient.organization_id).delete()  # missing
    call_command("rebuild_outcome_groups", stdout=io.StringIO())
    assert _buckets() == expected
    OutcomeGroupRow.objects.filter(patient=patient).delete()  # no rows: no buckets
    assert {b[0] for b in _rebuilt([patient.organization_id])} == {outsider_patient.organization_id}
    call_command("rebuild_outcome_groups", clinic=patient.organization.slug, stdout=io.StringIO())
    assert _buckets() == expected


@pytest.mark.django_db(transaction=True)
def test_baselines_of_two_patients_on_one_day_at_once_both_count(nurse, front_desk):
    icd10cm.exists("F33.2")  # load the ICD-10-CM catalogue first: its lazy first load is not thread-safe
    people = [register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name=f"Same{n}")) for n in range(6)]
    for round_, pair in enumerate([people[0:2], people[2:4], people[4:6]]):
        at = timezone.now() - dt.timedelta(days=30 + round_)

        def respond(patient, total):
            return lambda: services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=total), mode="staff_paper",
                                                    completed_at=at)

        race(respond(pair[0], 20), respond(pair[1], 14))
        bucket = _all_bucket(pair[0], buckets.utc_day(at))
        assert (bucket.patients, bucket.baseline_sum) == (2, 34), round_
    assert _buckets() == _rebuilt([people[0].organization_id])


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_while_responses_arrive_leaves_every_bucket_equal_to_its_rows(nurse, front_desk):
    people = [register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name=f"Busy{n}")) for n in range(4)]
    at = timezone.now() - dt.timedelta(days=12)
    for patient in people[:2]:
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=19), mode="staff_paper", completed_at=at)

    def respond(patient):
        return lambda: services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=15), mode="staff_paper",
                                                completed_at=at)

    race(lambda: groups.rebuild(organization_id=people[0].organization_id), respond(people[2]), respond(people[3]))
    assert _all_bucket(people[0], buckets.utc_day(at)).patients == 4
    assert _buckets() == _rebuilt([people[0].organization_id])


def test_the_migration_fills_the_buckets_the_live_code_keeps(nurse, patient, outsider, outsider_patient):
    """Migration 0003 carries a frozen copy of the rebuild: on existing rows it must give what the
    live code keeps."""
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=20), mode="staff_paper",
                             completed_at=timezone.now() - dt.timedelta(days=9))
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=9), mode="staff_paper")
    services.submit_response(ctx_for(outsider), outsider_patient, "phq9", phq9(total=12), mode="staff_paper")
    kept = _buckets()
    assert len(kept) == 2 * 3  # two clinics: each patient under all, route none and protocol none (no diagnosis)
    OutcomeDayBucket.objects.all().delete()
    migration = importlib.import_module("ketamine_clinic.outcomes.migrations.0003_outcome_day_buckets")
    migration.fill(apps, SimpleNamespace(connection=connection))
    assert _buckets() == kept


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/New_York", "Pacific/Chatham"])
def test_baselines_a_minute_either_side_of_every_edge_count_as_the_old_code_counted_them(zone, nurse, front_desk):
    """Each end of a period and each UTC midnight next to it, with a baseline a minute before and
    a minute after: a bucket read in place of a part-day (or the reverse) would count one wrongly."""
    tz = zoneinfo.ZoneInfo(zone)
    date_from = timezone.localdate() - dt.timedelta(days=40)
    date_to = date_from + dt.timedelta(days=2)
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    (first_day, last_day), _ = _period_parts(start, end)
    edges = [start, end] + [dt.datetime.combine(d, dt.time.min, tzinfo=dt.timezone.utc) for d in (first_day, last_day)]
    minute = dt.timedelta(minutes=1)
    for n, at in enumerate(moment for edge in edges for moment in (edge - minute, edge + minute)):
        someone = register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name=f"Edge{n}"))
        for week, total in enumerate((12 + n, 5 + n // 2)):
            services.submit_response(ctx_for(nurse), someone, "phq9", phq9(total=total), mode="staff_paper",
                                     completed_at=at + dt.timedelta(days=7 * week))
    with timezone.override(zone):
        figures = outcomes_summary(ctx_for(nurse), date_from, date_to)["overall"]
        assert figures["patients"] == 6  # start+1, end-1 and both sides of the two UTC midnights
        for a, b in [(date_from, date_to), (date_from, date_from), (date_to, date_to), (date_from - dt.timedelta(days=1), date_from)]:
            new = outcomes_summary(ctx_for(nurse), a, b)["overall"]
            old = legacy_figures(nurse.organization_id, a, b, "phq9")["overall"]
            assert new == pytest.approx(old, rel=1e-12), (a, b)
