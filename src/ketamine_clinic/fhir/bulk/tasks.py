"""The background task that runs a bulk export (django-tasks, database backend); safe to run twice:
only a queued job is claimed, under a row lock."""

from django_tasks import task

from .exporter import run


@task()
def run_bulk_export(job_id: str) -> str:
    """Write the job's NDJSON files; a second run finds the job claimed and does nothing."""
    return run(job_id)
