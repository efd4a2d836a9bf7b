#!/usr/bin/env bash
# The project's two commands on a fresh machine (Python 3.11 and pip, nothing else prepared):
#   ./dev.sh demo [--port N] [--data-dir DIR]   install, seed a demo clinic in SQLite, serve on 127.0.0.1
#   ./dev.sh test [pytest args]                 install, check the import layers, then run the whole suite on SQLite and on PostgreSQL
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
    DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}" run_suite "PostgreSQL" "$@" || pg_rc=$?
    echo "==> SQLite exit $sqlite_rc, PostgreSQL exit $pg_rc"
    [ "$sqlite_rc" = 0 ] && [ "$pg_rc" = 0 ]
    ;;
  *)
    echo "usage: ./dev.sh demo [--port N] [--data-dir DIR] | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
