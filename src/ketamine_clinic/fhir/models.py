"""The fhir app's models: the bulk export job (``bulk/models.py``)."""

from .bulk.models import ExportJob, ExportLevel, ExportStatus  # noqa: F401
