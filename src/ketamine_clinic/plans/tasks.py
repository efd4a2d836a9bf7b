"""Background tasks of the plans app (django-tasks, database backend). Each is safe to run twice."""

from django_tasks import task


@task()
def send_appointment_reminder(appointment_id: str, channel: str, kind: str) -> str:
    """Send one appointment reminder; a second run finds the claim and sends nothing."""
    from .reminders import send_reminder

    return send_reminder(appointment_id, channel, kind)
