"""Background work of measurement-based care (run by `ketamine-clinic worker`)."""

from django_tasks import task


@task()
def escalate_alerts() -> int:
    """Escalate every overdue unacknowledged suicide-risk alert; safe to run any number of times."""
    from .services import escalate_overdue_alerts

    return len(escalate_overdue_alerts())
