"""The aggregate definitions of the outcomes summary before issue 19 (a frozen copy, for the
equality test only: if the new code changed a definition, the test sees it)."""

from django.db.models import Avg, Count, Q, QuerySet


def _aggregates() -> dict:
    followed = Q(follow_up_count__gt=0)
    return dict(
        patients=Count("id"),
        with_follow_up=Count("id", filter=followed),
        responders=Count("id", filter=followed & Q(responded=True)),
        remitters=Count("id", filter=followed & Q(remitted=True)),
        remission_defined=Count("id", filter=followed & Q(remitted__isnull=False)),
        mean_change=Avg("latest_change", filter=followed),
        mean_percent_change=Avg("latest_percent_change", filter=followed),
        mean_days_to_response=Avg("days_to_first_response", filter=followed & Q(responded=True)),
        mean_baseline=Avg("baseline_total"),
    )


def _with_rates(row: dict) -> dict:
    n = row["with_follow_up"]
    row["response_rate"] = (row["responders"] / n) if n else None
    row["remission_rate"] = (row["remitters"] / row["remission_defined"]) if row["remission_defined"] else None
    return row


def aggregate(qs: QuerySet) -> dict:
    return _with_rates(qs.aggregate(**_aggregates()))


def grouped(qs: QuerySet, field: str, labels: dict) -> list[dict]:
    rows = qs.values(field).annotate(**_aggregates()).order_by(field)
    return [
        _with_rates({"key": r[field] or "none", "label": labels.get(r[field], r[field]) if r[field] else "No treatment plan", **r})
        for r in rows
    ]
