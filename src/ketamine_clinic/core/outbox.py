"""Where email and text messages go when no real provider is configured: a private outbox
directory (mode 0700, files 0600, readable only by the account that runs the clinic), never the
console or a shared log. Messages carry PHI (names, phone numbers, appointment times)."""

import os
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike) -> Path:
    directory = Path(path)
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    directory.chmod(DIR_MODE)
    return directory


def open_private(path: str | os.PathLike, mode: str = "a", **kwargs):
    """Open for appending, creating the file readable by its owner only."""
    private_dir(Path(path).parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a file made earlier with looser rights is tightened too
    return os.fdopen(fd, mode, **kwargs)


class PrivateFileEmailBackend(EmailBackend):
    """Django's file backend, with a private directory and private files (EMAIL_FILE_PATH)."""

    def __init__(self, *args, file_path=None, **kwargs):
        from django.conf import settings

        private_dir(file_path or settings.EMAIL_FILE_PATH)
        super().__init__(*args, file_path=file_path, **kwargs)

    def open(self):
        if self.stream is None:
            self.stream = open_private(self._get_filename(), "ab")
            return True
        return False
