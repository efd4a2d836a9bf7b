# A patient screening allows to treat (the session-day fixture), for plan activation.
from ..treatments.conftest import ready  # noqa: F401
