"""The fhir app's models: the bulk export job (``bulk/models.py``), SMART clients and tokens (``smart/models.py``)."""

from .bulk.models import ExportJob, ExportLevel, ExportStatus  # noqa: F401
from .smart.models import SmartAccessToken, SmartAssertionJti, SmartClient  # noqa: F401
