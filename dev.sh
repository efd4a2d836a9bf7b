#!/usr/bin/env bash
# The project's two commands on a fresh machine (Python 3.11 and pip, nothing else prepared):
#   ./dev.sh demo [--port N] [--data-dir DIR]   install, seed a demo clinic in SQLite, serve on 127.0.0.1
#   ./dev.sh test [pytest args]                 install, check the import layers, then run the whole suite on SQLite and on PostgreSQL
#                                               (and the replica tests on a throwaway PostgreSQL primary + replica pair)
#   ./dev.sh replica start|stop                 that pair alone, on 127.0.0.1:5434 (primary) and :5435 (replica)
# Installs are reproducible: uv (pinned) installs exactly what uv.lock lists into .venv.
set -euo pipefail
cd "$(dirname "$0")"

UV_VERSION=0.13.8
PG_URL_DEFAULT="postgres://postgres@127.0.0.1:5432/ketamine_clinic"

bootstrap() {
  if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
    echo "==> installing uv $UV_VERSION into .tools/"
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  echo "==> installing locked dependencies into .venv/"
  UV_PYTHON_DOWNLOADS=never .tools/bin/uv sync --locked --extra dev --quiet
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  echo "==> installing Debian's chromium for the browser tests"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

ensure_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then return; fi
  echo "==> starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  else
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && return; sleep 1; done
  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1
}

# --- a throwaway PostgreSQL primary + streaming replica, for tests/core/test_replica.py ----------
# Its own clusters (initdb, temp dirs, ports 5434/5435), never the shared one on 5432: that cluster
# has no replication line in pg_hba.conf, and restarting or reconfiguring it would disturb others.
PAIR_DIR="${REPLICA_PAIR_DIR:-${TMPDIR:-/tmp}/kc-replica-pair}"
PAIR_PRIMARY_PORT="${REPLICA_PAIR_PRIMARY_PORT:-5434}"
PAIR_REPLICA_PORT="${REPLICA_PAIR_REPLICA_PORT:-5435}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

as_pg() {  # PostgreSQL refuses to run as root: run its tools as the postgres OS user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

replica_pair_stop() {
  local bin; bin=$(pg_bin)
  for node in replica primary; do
    if [ -f "$PAIR_DIR/$node/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" -D "$PAIR_DIR/$node" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$PAIR_DIR"
}

replica_pair_start() {
  local bin; bin=$(pg_bin)
  replica_pair_stop  # idempotent: a pair left by an interrupted run is replaced
  mkdir -p "$PAIR_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PAIR_DIR"
  echo "==> starting a throwaway primary (:$PAIR_PRIMARY_PORT) and streaming replica (:$PAIR_REPLICA_PORT) in $PAIR_DIR"
  as_pg "$bin/initdb" -D "$PAIR_DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
  cat >>"$PAIR_DIR/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PAIR_PRIMARY_PORT
unix_socket_directories = '$PAIR_DIR'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 32MB
CONF
  echo "host replication all 127.0.0.1/32 trust" >>"$PAIR_DIR/primary/pg_hba.conf"
  as_pg "$bin/pg_ctl" -D "$PAIR_DIR/primary" -l "$PAIR_DIR/primary.log" -w start >/dev/null
  # -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby
  as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PAIR_PRIMARY_PORT" -U postgres -D "$PAIR_DIR/replica" -R -X stream -c fast
  echo "port = $PAIR_REPLICA_PORT" >>"$PAIR_DIR/replica/postgresql.conf"
  as_pg "$bin/pg_ctl" -D "$PAIR_DIR/replica" -l "$PAIR_DIR/replica.log" -w start >/dev/null
}

run_replica_tests() {
  if [ -z "$(pg_bin)" ]; then
    echo "==> replica tests skipped: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    return 0
  fi
  trap replica_pair_stop EXIT
  replica_pair_start
  echo "==> replica tests (report reads on the streaming replica)"
  local rc=0
  DATABASE_URL="postgres://postgres@127.0.0.1:$PAIR_PRIMARY_PORT/kc_replica" \
    DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$PAIR_REPLICA_PORT/kc_replica" \
    run_suite "PostgreSQL primary + replica" -rs tests/core/test_replica.py || rc=$?
  replica_pair_stop
  trap - EXIT
  return $rc
}

run_suite() {
  local label=$1; shift
  echo "==> test suite on $label"
  set +e
  KETAMINE_CLINIC_TESTING=1 .venv/bin/pytest -p no:cacheprovider "$@"
  local rc=$?
  set -e
  return $rc
}

case "${1:-}" in
  demo)
    shift
    bootstrap
    exec .venv/bin/ketamine-clinic demo "$@"
    ;;
  test)
    shift
    bootstrap
    ensure_chromium
    ensure_postgres
    echo "==> import layers (lint-imports)"
    .venv/bin/lint-imports --no-cache
    sqlite_rc=0; pg_rc=0
    run_suite "SQLite" "$@" || sqlite_rc=$?
    replica_rc=0
    run_replica_tests || replica_rc=$?
    DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}" run_suite "PostgreSQL" "$@" || pg_rc=$?
    echo "==> SQLite exit $sqlite_rc, PostgreSQL exit $pg_rc, replica exit $replica_rc"
    [ "$sqlite_rc" = 0 ] && [ "$pg_rc" = 0 ] && [ "$replica_rc" = 0 ]
    ;;
  replica)
    case "${2:-}" in
      start) replica_pair_start ;;
      stop) replica_pair_stop ;;
      *) echo "usage: ./dev.sh replica start|stop" >&2; exit 2 ;;
    esac
    ;;
  *)
    echo "usage: ./dev.sh demo [--port N] [--data-dir DIR] | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
