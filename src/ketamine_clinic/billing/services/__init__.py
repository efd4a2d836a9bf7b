"""Billing services: every write checks permission, validates, writes in one transaction and audits."""

from . import superbill  # noqa: F401,E402
from .coding import add_line, edit_line, finalize_visit, propose_for_evaluation, propose_for_session, remove_line  # noqa: F401
from .coverage import add_coverage, coverage_on, mark_coverage_in_error  # noqa: F401
from .estimates import issue_estimate, record_estimate_due  # noqa: F401
from .invoices import balance_of, issue_invoice, record_adjustment, record_payment, record_refund  # noqa: F401
from .plans import create_payment_plan, plan_status, record_benefits_check  # noqa: F401,E402
from .prior_auth import add_prior_authorization, authorization_usage  # noqa: F401
from .reads import *  # noqa: F401,F403
from .setup import fee_for, save_fee_schedule, save_practice_profile, save_provider_numbers  # noqa: F401
