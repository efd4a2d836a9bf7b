"""The package's one router: each operation keeps the id it had when the API was one module."""

from ketamine_clinic.web.api import SplitRouter

router = SplitRouter("ketamine_clinic.treatments.api", tags=["sessions"])
