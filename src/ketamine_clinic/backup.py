"""Backup and restore of the whole database, then a check of the audit chain.

PostgreSQL goes through ``pg_dump`` (custom format) and ``pg_restore``; SQLite through its online
backup API, which copies a consistent snapshot while the clinic keeps running. Restoring replaces
the configured database's content: stop the server and the worker first.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """A refusal with a message for the user (bad file, missing tool); nothing was changed."""


def _pg_command(tool: str) -> tuple[list[str], dict]:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed).")
    db = connection.settings_dict
    args = [tool, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.returncode}")


def backup(path: Path) -> None:
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name.")
    if connection.vendor == "postgresql":
        args, env = _pg_command("pg_dump")
        _run(args + ["--format=custom", "--file", str(path), connection.settings_dict["NAME"]], env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"backup does not support {connection.vendor}.")


def _check_sqlite_file(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc}).") from None
    if not ok or "audit_auditevent" not in tables:
        raise BackupError(f"{path} is not a ketamine-clinic SQLite backup.")


def restore(path: Path) -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    if connection.vendor == "postgresql":
        with open(path, "rb") as fh:
            if fh.read(5) != b"PGDMP":
                raise BackupError(f"{path} is not a pg_dump custom-format file.")
        args, env = _pg_command("pg_restore")
        connection.close()
        _run(args + ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                     "--dbname", connection.settings_dict["NAME"], str(path)], env)
    elif connection.vendor == "sqlite":
        _check_sqlite_file(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        raise BackupError(f"restore does not support {connection.vendor}.")
