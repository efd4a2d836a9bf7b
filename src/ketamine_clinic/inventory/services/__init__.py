"""Every write of the controlled-substance record: permission, validation, one transaction,
the ledger event(s) and the audit event. Views, the API and the CLI call only these."""

from .catalog import create_product, create_supplier, register_location  # noqa: F401
from .counts import record_count, resolve_discrepancy  # noqa: F401
from .deadlines import mark_done  # noqa: F401
from .disposal import correct, destroy, record_loss, return_to_distributor  # noqa: F401
from .draws import administer, draw, return_to_stock, waste  # noqa: F401
from .receiving import receive, transfer  # noqa: F401
