"""The day buckets of the outcome group rows (``OutcomeDayBucket``): recomputed from the rows of each
day a rewrite touches, so that they always equal the sums of their rows.

Concurrency (PostgreSQL): a day's buckets are recomputed only under an exclusive advisory lock on
that (clinic, instrument, day), taken after the caller has written its rows, and the recomputing
statement reads after the lock is granted. Whoever recomputes a day last therefore reads every row
committed before it, plus its own: no lost update, whatever the order of two writers. A rebuild of
a whole clinic takes the clinic's lock exclusively; a one-day recompute takes it shared first.
Within one recompute, locks are taken clinic keys first, then day keys, each in sorted order.
This relies on PostgreSQL's READ COMMITTED (Django's default; under REPEATABLE READ the snapshot
would predate the lock), as the patient-row lock in ``outcomes.groups`` does. The locks are held to
the end of the caller's transaction: a transaction that rewrites several patients (a FHIR upload
of several bundles) keeps its days locked until it commits, and writers of the same days wait for
it. Two such transactions that touched the same days in opposite orders could deadlock. PostgreSQL
would then abort one of them. No writer today rewrites existing patients in bulk like that. On
SQLite the database's single writer already serializes the recomputes.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from ketamine_clinic.core.prepared import Prepared

from .models import OutcomeDayBucket, OutcomeGroupRow

UTC = dt.timezone.utc
ONE_DAY = dt.timedelta(days=1)
BULK_BATCH = 2000
# The two-integer form of the advisory locks: (namespace, key). The namespaces are this module's own.
CLINIC_LOCKS, DAY_LOCKS = 0x6B630101, 0x6B630102


def row_sums() -> dict:
    """What a group's rows add up to, named as the bucket's columns: a bucket is these sums over one
    day's rows, and the dashboard adds the same sums over the part-days at the ends of a period."""
    followed = Q(follow_up_count__gt=0)
    responded = followed & Q(responded=True)
    return dict(
        patients=Count("id"),
        with_follow_up=Count("id", filter=followed),
        responders=Count("id", filter=responded),
        remitters=Count("id", filter=followed & Q(remitted=True)),
        remission_defined=Count("id", filter=followed & Q(remitted__isnull=False)),
        change_sum=Sum("latest_change", filter=followed),
        percent_sum=Sum("latest_percent_change", filter=followed),
        percent_n=Count("latest_percent_change", filter=followed),
        response_days_sum=Sum("days_to_first_response", filter=responded),
        response_days_n=Count("days_to_first_response", filter=responded),
        baseline_sum=Sum("baseline_total"),
    )


SUMS = tuple(row_sums())


def utc_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(UTC).date()


def _lock_key(*parts) -> int:
    """A signed 32-bit key (a collision only makes two unrelated writers take turns)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock(namespace: int, keys, shared: bool = False) -> None:
    if connection.vendor != "postgresql" or not keys:
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        # PostgreSQL evaluates a volatile select list after ORDER BY: the locks are taken in key order
        cursor.execute(f"SELECT {function}(%s, k) FROM unnest(%s::int[]) AS k ORDER BY k", [namespace, sorted(set(keys))])


def _day_sums(organization_id: int, instrument_key: str, since: dt.datetime, until: dt.datetime):
    return (OutcomeGroupRow.objects.filter(organization_id=organization_id, instrument_key=instrument_key,
                                           baseline_at__gte=since, baseline_at__lt=until)
            .values("dimension", "group_key").annotate(**row_sums()).order_by())


# Compiled once per process: Django takes longer to build this read than PostgreSQL to answer it.
DAY_SUMS = Prepared(_day_sums)


def recompute_days(days: set[tuple[int, str, dt.date]]) -> None:
    """Recompute the buckets of these (organization id, instrument key, UTC day)s from their rows.
    Runs in the caller's transaction, after the caller has written its rows."""
    if not days:
        return
    _lock(CLINIC_LOCKS, [_lock_key(org) for org, _, _ in days], shared=True)
    _lock(DAY_LOCKS, [_lock_key(*day) for day in days])
    stale, fresh = Q(), []
    for org, instrument_key, day in sorted(days):
        stale |= Q(organization_id=org, instrument_key=instrument_key, day=day)
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=UTC)
        fresh += [OutcomeDayBucket(organization_id=org, instrument_key=instrument_key, day=day, **sums)
                  for sums in DAY_SUMS(org, instrument_key, midnight, midnight + ONE_DAY).fetch()]
    OutcomeDayBucket.objects.filter(stale).delete()
    OutcomeDayBucket.objects.bulk_create(fresh)


def rebuild_buckets(models_, organization_ids: list[int]) -> None:
    """Recompute every bucket of these clinics from their rows, in the caller's transaction
    (``models_``: the bucket and row models, historical ones when a migration calls it)."""
    bucket_model, row_model = models_
    _lock(CLINIC_LOCKS, [_lock_key(org) for org in organization_ids])
    bucket_model.objects.filter(organization_id__in=organization_ids).delete()
    grouped = (
        row_model.objects.filter(organization_id__in=organization_ids)
        .values("organization_id", "instrument_key", "dimension", "group_key", day=TruncDate("baseline_at", tzinfo=UTC))
        .annotate(**row_sums()).order_by()
    )
    batch = []
    for bucket in grouped.iterator(chunk_size=BULK_BATCH):  # a server-side cursor on PostgreSQL
        batch.append(bucket_model(**bucket))
        if len(batch) == BULK_BATCH:
            bucket_model.objects.bulk_create(batch)
            batch = []
    bucket_model.objects.bulk_create(batch)
