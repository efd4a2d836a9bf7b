"""The ``ketamine-clinic`` command: demo, serve, worker, manage, token create/list/revoke, audit
verify/seal, backup, restore."""

import argparse
import os
import secrets
import sys
from pathlib import Path

from ketamine_clinic.core.env import env_bool
from ketamine_clinic.demo import DEMO_PASSWORD


def default_home() -> Path:
    if os.environ.get("KETAMINE_CLINIC_HOME"):
        return Path(os.environ["KETAMINE_CLINIC_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ketamine-clinic"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")
    import django

    django.setup()


def _key_file(path: Path, create: bool) -> str:
    if not path.exists() and create:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, even briefly
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _prepare_demo_environment(data_dir: Path, port: int | None = None) -> None:
    """Point settings at a demo data directory: its database, secret key, audit key, checkpoints.

    The demo makes the keys; every other command only reads what the demo made."""
    is_demo = port is not None
    if is_demo:
        data_dir.mkdir(parents=True, exist_ok=True)
    elif not (data_dir / "secret_key").exists():
        raise SystemExit(f"error: {data_dir} holds no demo (no secret_key); run `ketamine-clinic demo` first")
    os.environ["KETAMINE_CLINIC_DEMO"] = "1"
    os.environ["SECRET_KEY"] = _key_file(data_dir / "secret_key", create=is_demo)
    os.environ["AUDIT_KEY"] = _key_file(data_dir / "audit_key", create=True)
    os.environ.pop("AUDIT_KEY_FILE", None)
    os.environ["AUDIT_CHECKPOINT_DIR"] = str((data_dir / "audit-checkpoints").resolve())
    os.environ["DATABASE_URL"] = f"sqlite:///{(data_dir / 'clinic.sqlite3').resolve()}"
    os.environ["STATIC_ROOT"] = str((data_dir / "static").resolve())
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    if is_demo:
        os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")


def _use_data_dir(args, auto: bool = True) -> None:
    """``--data-dir`` wins; else, when the environment configures no deployment (no SECRET_KEY and
    no DATABASE_URL), the demo's directory ($KETAMINE_CLINIC_HOME or the default) if it holds one.
    ``serve`` passes ``auto=False``: a production server never falls back to demo data. Nor does a
    test process: its settings are already fixed, and exporting a demo's keys into its environment
    would leak them into every subprocess it starts."""
    if getattr(args, "data_dir", None):
        _prepare_demo_environment(Path(args.data_dir).expanduser())
        return
    configured = os.environ.get("SECRET_KEY") or os.environ.get("DATABASE_URL") or env_bool("KETAMINE_CLINIC_TESTING")
    if not auto or configured:
        return
    home = default_home()
    if (home / "secret_key").exists() and (home / "clinic.sqlite3").exists():
        _prepare_demo_environment(home)


def _serve(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from ketamine_clinic.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            # %(U)s is the path without its query string: searches (names) never reach the log.
            self.cfg.set("access_log_format", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms')
            # Path secrets (calendar feed, questionnaire link, password reset) are redacted.
            self.cfg.set("logger_class", "ketamine_clinic.core.logging.RedactingGunicornLogger")

        def load(self):
            return application

    _settle_before_fork()
    Server().run()


def _settle_before_fork() -> None:
    """Load the URL map once in the master, then move everything loaded so far out of the garbage
    collector's reach (``gc.freeze``): the workers fork from here, share these pages of memory, and
    their full collections no longer walk the hundreds of thousands of objects Django keeps for
    good (a page that allocates a lot paid several milliseconds a request for them)."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (loads every app's URLs and views)
    gc.collect()
    gc.freeze()


def cmd_demo(args) -> int:
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_home()
    _prepare_demo_environment(data_dir, args.port)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # Imported after django.setup(): these modules load models.
    from ketamine_clinic.audit.services import seal_pending
    from ketamine_clinic.demo.seed import seed_demo

    created = seed_demo()
    seal_pending()
    url = f"http://127.0.0.1:{args.port}/"
    print(f"ketamine-clinic demo: data in {data_dir} ({'seeded' if created else 'already seeded'})")
    print("  database clinic.sqlite3, keys secret_key and audit_key, audit-checkpoints/, static/")
    print(f"Open {url}")
    print(f"Logins (password {DEMO_PASSWORD!r} for each):")
    for username, what in (
        ("admin", "clinic admin, Riverbend Ketamine Clinic"),
        ("prescriber", "prescriber (psychiatrist)"),
        ("nurse", "infusion nurse"),
        ("therapist", "therapist"),
        ("frontdesk", "front desk"),
        ("biller", "biller (codes visits, invoices, estimates)"),
        ("patient", "portal user linked to a patient"),
        ("outsider", "clinic admin of a second clinic (Harbor Light) — sees none of Riverbend's data"),
    ):
        print(f"  {username:<11} {what}")
    sys.stdout.flush()
    if args.no_serve:
        return 0
    # The demo runs its background worker (reminders, escalations) beside the web server.
    import subprocess

    worker = subprocess.Popen([sys.executable, "-m", "ketamine_clinic.cli", "worker"], env=os.environ.copy())
    try:
        _serve("127.0.0.1", args.port, workers=1, threads=8)
    finally:
        worker.terminate()
    return 0


def cmd_serve(args) -> int:
    _use_data_dir(args, auto=False)
    _setup_django()
    _serve(args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


def _seal_forever(interval_s: float) -> None:
    """The audit sealer, beside the task worker: links new audit events into the chain."""
    import time

    from django.db import close_old_connections

    from ketamine_clinic.audit.services import seal_pending

    while True:
        try:
            seal_pending()
        except Exception:  # a database hiccup must not stop sealing for good; logged, retried
            import logging

            logging.getLogger("ketamine_clinic.audit").exception("audit sealing failed; retrying")
        finally:
            close_old_connections()
        time.sleep(interval_s)


def cmd_worker(args) -> int:
    _use_data_dir(args)
    _setup_django()
    import threading

    from django.core.management import call_command

    from ketamine_clinic.audit.services import seal_pending

    if args.batch:
        seal_pending()
        call_command("db_worker", queue_name="*", interval=args.interval, batch=True)
        seal_pending()
        return 0
    threading.Thread(target=_seal_forever, args=(args.seal_interval,), daemon=True, name="audit-sealer").start()
    call_command("db_worker", queue_name="*", interval=args.interval)
    return 0


def cmd_manage(args) -> int:
    rest = list(args.rest)  # `manage --data-dir DIR command …`: the option comes before the command
    if rest and rest[0] == "--data-dir" and len(rest) > 1:
        args.data_dir, rest = rest[1], rest[2:]
    elif rest and rest[0].startswith("--data-dir="):
        args.data_dir, rest = rest[0].split("=", 1)[1], rest[1:]
    args.rest = rest
    _use_data_dir(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ketamine-clinic manage", *args.rest])
    return 0


def cmd_fhir_import(args) -> int:
    _use_data_dir(args)
    _setup_django()
    from ketamine_clinic.accounts.models import User
    from ketamine_clinic.audit.services import Context
    from ketamine_clinic.core.errors import PermissionDenied, ServiceError, error_text
    from ketamine_clinic.fhir.importer import import_path

    path = Path(args.path)
    if not path.exists():
        print(f"error: no such file or directory: {path}", file=sys.stderr)
        return 2
    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None or not user.is_staff_member:
        print(f"error: no active staff user named {args.user!r}", file=sys.stderr)
        return 2
    try:
        report = import_path(Context(user=user), path)
    except (ServiceError, PermissionDenied) as exc:
        print(f"error: {error_text(exc) if isinstance(exc, ServiceError) else exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def cmd_token_create(args) -> int:
    _use_data_dir(args)
    _setup_django()
    from ketamine_clinic.accounts.models import User
    from ketamine_clinic.accounts.services import create_token
    from ketamine_clinic.core.errors import ServiceError, error_text

    user = User.objects.filter(username=args.username).first()
    if user is None or not user.is_active:
        print(f"error: no active user named {args.username!r}", file=sys.stderr)
        return 2
    try:
        print(create_token(None, user, name=args.name, expires_in_days=args.expires_days))
    except ServiceError as exc:
        print(f"error: {error_text(exc)}", file=sys.stderr)
        return 2
    return 0


def cmd_token_list(args) -> int:
    _use_data_dir(args)
    _setup_django()
    from ketamine_clinic.accounts.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if args.username:
        tokens = tokens.filter(user__username=args.username)
    print("id\tuser\tname\tprefix\tcreated\tlast_used\texpires\tstate")
    for t in tokens:
        state = "revoked" if t.revoked_at else ("active" if t.is_usable(_now()) else "expired")
        print("\t".join([str(t.public_id), t.user.username, t.name, t.prefix, _stamp(t.created_at), _stamp(t.last_used_at),
                         _stamp(t.expires_at), state]))
    return 0


def cmd_token_revoke(args) -> int:
    """Revoke by token id (see `token list`), as the operator of the server (audited as the CLI)."""
    _use_data_dir(args)
    _setup_django()
    from ketamine_clinic.accounts.services import revoke_token
    from ketamine_clinic.core.errors import NotFound

    try:
        token = revoke_token(None, _uuid(args.token_id))
    except NotFound:
        print(f"error: no token with id {args.token_id!r}", file=sys.stderr)
        return 2
    print(f"revoked {token.public_id} ({token.user.username}, {token.name})")
    return 0


def _now():
    from django.utils import timezone

    return timezone.now()


def _stamp(when) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "-"


def _uuid(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _report_chain(result) -> int:
    for note in result.notes:
        print(f"note: {note}")
    if result.ok:
        print(f"audit chain intact: {result.events} events, {result.sealed} sealed"
              + (f", {result.checkpoints} checkpoints" if result.checkpoints else ""))
        return 0
    problems = result.all_problems()
    print(f"audit chain BROKEN: {len(problems)} problems ({result.events} events checked)", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def cmd_audit_verify(args) -> int:
    _use_data_dir(args)
    _setup_django()
    from django.conf import settings

    from ketamine_clinic.audit.verify import verify_chain

    checkpoint_dir = args.checkpoints or settings.AUDIT_CHECKPOINT_DIR or None
    if args.checkpoints and not Path(args.checkpoints).is_dir():
        print(f"error: no directory {args.checkpoints}", file=sys.stderr)
        return 2
    return _report_chain(verify_chain(checkpoint_dir))


def cmd_audit_seal(args) -> int:
    _use_data_dir(args)
    _setup_django()
    from ketamine_clinic.audit.services import seal_pending

    print(f"sealed {seal_pending()} events")
    return 0


def _backup_step(args, step: str) -> bool:
    """Run ``backup.backup`` or ``backup.restore`` on ``args.file``; a refusal is printed (False)."""
    _use_data_dir(args)
    _setup_django()
    from ketamine_clinic import backup

    try:
        getattr(backup, step)(Path(args.file))
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    return True


def cmd_backup(args) -> int:
    if not _backup_step(args, "backup"):
        return 2
    print(f"backup written to {args.file}")
    return 0


def cmd_restore(args) -> int:
    if not _backup_step(args, "restore"):
        return 2
    from ketamine_clinic.audit.verify import verify_chain

    print(f"restored from {args.file}; checking the audit chain")
    return _report_chain(verify_chain())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ketamine-clinic", description=__doc__)
    # Every command but demo also takes --data-dir: use the demo's database and keys from there.
    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument("--data-dir", help="a demo's data directory (default: $KETAMINE_CLINIC_HOME or "
                          "~/.local/share/ketamine-clinic, when SECRET_KEY and DATABASE_URL are unset)")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="seed a demo clinic in an embedded SQLite database and serve it on 127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", help="where the demo keeps its database (default: $KETAMINE_CLINIC_HOME or ~/.local/share/ketamine-clinic)")
    demo.add_argument("--no-serve", action="store_true", help="prepare and seed only")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", parents=[data_dir], help="production server (gunicorn), configured from the environment")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument("--threads", type=int, default=4)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", parents=[data_dir], help="run background tasks (reminders, alert escalation) from the database queue")
    worker.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    worker.add_argument("--interval", type=float, default=2.0, help="seconds between polls when idle")
    worker.add_argument("--seal-interval", type=float, default=2.0, help="seconds between audit sealing runs")
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser("manage", help="run a Django management command ([--data-dir DIR] first)", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", parents=[data_dir], help="print a new API token for USERNAME")
    create.add_argument("username")
    create.add_argument("--name", default="cli")
    create.add_argument("--expires-days", type=int, default=None, help="refuse the token after this many days (1-366)")
    create.set_defaults(func=cmd_token_create)
    listing = token.add_parser("list", parents=[data_dir], help="list API tokens (id, user, name, created, last used, expiry, state)")
    listing.add_argument("username", nargs="?", help="only this user's tokens")
    listing.set_defaults(func=cmd_token_list)
    revoke = token.add_parser("revoke", parents=[data_dir], help="revoke the API token with this id (from `token list`)")
    revoke.add_argument("token_id")
    revoke.set_defaults(func=cmd_token_revoke)

    audit = sub.add_parser("audit", help="audit trail").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", parents=[data_dir], help="check the keyed audit chain; list every problem")
    verify.add_argument("--checkpoints", metavar="DIR", help="signed chain-head checkpoints to check against "
                        "(default: $AUDIT_CHECKPOINT_DIR)")
    verify.set_defaults(func=cmd_audit_verify)
    seal = audit.add_parser("seal", parents=[data_dir], help="seal pending audit events now (the worker does this every few seconds)")
    seal.set_defaults(func=cmd_audit_seal)

    fhir = sub.add_parser("fhir", help="HL7 FHIR R4").add_subparsers(dest="fhir_command", required=True)
    fhir_import = fhir.add_parser("import", parents=[data_dir], help="import Synthea R4 bundles (a file, or a directory: infrastructure bundles first)")
    fhir_import.add_argument("path", metavar="FILE_OR_DIR")
    fhir_import.add_argument("--user", required=True, help="the staff username the import is recorded as (needs register and clinical-edit rights)")
    fhir_import.set_defaults(func=cmd_fhir_import)

    for name, func, what in (("backup", cmd_backup, "write a backup of the database to FILE (pg_dump, or SQLite's online backup)"),
                             ("restore", cmd_restore, "replace the database with the backup in FILE, then verify the audit chain")):
        command = sub.add_parser(name, parents=[data_dir], help=what)
        command.add_argument("file", metavar="FILE")
        command.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:  # everything after it is Django's, options included
        args = argparse.Namespace(func=cmd_manage, rest=argv[1:], data_dir=None)
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
