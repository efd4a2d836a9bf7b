"""Signed checkpoints of the chain head, written outside the database.

After each sealing the sealer appends one line ``{"seq", "mac", "written_at", "sig"}`` to
``<dir>/checkpoints-YYYY-MM-DD.jsonl``. ``audit verify --checkpoints DIR`` then proves that the
chain still holds every position a checkpoint saw: removing the newest events and resetting the
head, which a database owner can do, no longer passes. Keep the directory on other storage (or
ship the lines to a log host) so that the database's owner cannot rewrite it.
"""

import datetime as dt
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .chain import checkpoint_signature


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    mac: str
    written_at: str
    source: str  # "file:line", for messages


def write(directory, seq: int, mac: str) -> None:
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    written_at = now.isoformat(timespec="seconds")
    line = {"seq": seq, "mac": mac, "written_at": written_at,
            "sig": checkpoint_signature(settings.AUDIT_KEY, seq, mac, written_at)}
    with open(path / f"checkpoints-{now:%Y-%m-%d}.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, sort_keys=True) + "\n")


def read(directory) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in ``directory`` whose signature holds, and a problem for each that does not."""
    path = Path(directory)
    if not path.is_dir():
        return [], []  # nothing sealed since it was configured; verify notes that no checkpoint was found
    found, problems = [], []
    for file in sorted(path.glob("checkpoints-*.jsonl")):
        for number, text in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{file.name}:{number}"
            try:
                data = json.loads(text)
                seq, mac, written_at = int(data["seq"]), str(data["mac"]), str(data["written_at"])
                sig = str(data["sig"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"checkpoint {where} is unreadable")
                continue
            if not hmac.compare_digest(sig, checkpoint_signature(settings.AUDIT_KEY, seq, mac, written_at)):
                problems.append(f"checkpoint {where} has a bad signature (forged or altered)")
                continue
            found.append(Checkpoint(seq, mac, written_at, where))
    return found, problems
