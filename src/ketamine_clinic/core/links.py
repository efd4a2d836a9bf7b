from django.conf import settings


def site_url(path: str) -> str:
    """An absolute URL for emails and SMS (SITE_URL from the environment; a relative path without it)."""
    return settings.SITE_URL.rstrip("/") + path if settings.SITE_URL else path
