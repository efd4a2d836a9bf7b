import pytest
from django.utils import timezone


@pytest.fixture
def today():
    """The server's local date, as the screening services compute it."""
    return timezone.localdate()
