"""ketamine-clinic: runs a ketamine treatment program from first referral to long-term follow-up."""

__version__ = "0.1.0"
