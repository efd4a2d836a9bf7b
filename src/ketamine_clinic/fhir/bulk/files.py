"""Where an export's NDJSON files live: FHIR_EXPORT_DIR/<clinic>/<job>/, private (0700), since they carry PHI."""

import os
from pathlib import Path

from django.conf import settings


ERROR_FILE = "OperationOutcome.ndjson"  # the types left out, as one OperationOutcome (the manifest's "error")


def export_dir(job) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / str(job.organization.public_id) / str(job.public_id)


def fresh_dir(job) -> Path:
    """The job's directory, created private and emptied of a crashed earlier run's files."""
    directory = export_dir(job)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    for old in directory.iterdir():
        old.unlink()
    return directory


def private_file(path: Path):
    """A text file opened for writing, readable by its owner only."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8")
