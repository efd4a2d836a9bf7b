"""Secrets shown once and stored only as their SHA-256 (API tokens, calendar feeds, questionnaire links)."""

import hashlib
import secrets


class HashedToken:
    """Mixed into a model that keeps ``token_sha256``; ``TOKEN_PREFIX`` tells its tokens apart in logs."""

    TOKEN_PREFIX = ""

    @staticmethod
    def digest(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.TOKEN_PREFIX + secrets.token_urlsafe(32)
