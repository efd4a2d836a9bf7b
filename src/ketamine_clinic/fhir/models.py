"""The fhir app's models: the bulk export job (``bulk/models.py``), SMART clients and tokens (``smart/models.py``)."""

from .bulk.models import ExportJob, ExportLevel, ExportStatus
from .smart.models import SmartAccessToken, SmartAssertionJti, SmartClient

__all__ = ["ExportJob", "ExportLevel", "ExportStatus", "SmartAccessToken", "SmartAssertionJti", "SmartClient"]
