#!/usr/bin/env bash
# Bounded load test: `ketamine-clinic serve` (gunicorn, 2 workers) on 127.0.0.1 against the page
# benchmark's PostgreSQL database, then wrk with 8 connections for DURATION seconds on /healthz (the
# floor) and on a full patient chart, signed in. Prints requests/s and the chart's share of the floor.
# The server is always stopped (trap), also on Ctrl-C or an error.
#
#   bench/load.sh                      # after bench/bench_pages.py has seeded the database
#   DURATION=30 CONNECTIONS=8 PORT=8765 BENCH_DATABASE_URL=postgres://... bench/load.sh
#
# Needs wrk (Debian: apt-get install wrk). Prints figures; never fails on time.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
KC="$ROOT/.venv/bin/ketamine-clinic"
PORT="${PORT:-8765}"
DURATION="${DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-8}"
WORKERS="${WORKERS:-2}"
SLUG="${SLUG:-bench-large}"
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }

export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kc_bench_pages}"
# A throwaway production configuration: plain HTTP on loopback, keys made for this run only.
export SECRET_KEY="load-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export AUDIT_KEY="load-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOW_INSECURE_HTTP=1 ALLOWED_HOSTS=127.0.0.1 STATIC_ROOT="${STATIC_ROOT:-/tmp/kc-load-static}"
unset KETAMINE_CLINIC_TESTING DEBUG

"$KC" manage collectstatic --noinput -v0
# A signed-in session of the clinic's prescriber, and the chart that bench_pages.py filled.
SIGNED_IN=$("$KC" manage shell --no-imports -c "
from django.test import Client
from ketamine_clinic.accounts.models import User
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.screening.models import Consent
user = User.objects.get(username='$SLUG-prescriber')
client = Client()
client.force_login(user)
patient = Patient.objects.filter(organization=user.organization, pk__in=Consent.objects.values('patient')).first()
print(client.cookies['sessionid'].value, f'/patients/{patient.public_id}/')
" | tail -n 1)
read -r SESSION CHART <<<"$SIGNED_IN"

SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop_server EXIT INT TERM

"$KC" serve --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" --threads "${THREADS:-1}" >/tmp/kc-load-server.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do  # up to 2 minutes: a loaded machine starts gunicorn slowly
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "server did not start; see /tmp/kc-load-server.log" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$SESSION" "http://127.0.0.1:$PORT$CHART")
[[ "$status" == 200 ]] || { echo "the chart answered $status, not 200" >&2; exit 1; }

rate() {  # requests/s of wrk on one path; a second argument sends the session cookie
  local cookie=()
  [[ -n "${2:-}" ]] && cookie=(-H "Cookie: sessionid=$SESSION")
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s "${cookie[@]}" "http://127.0.0.1:$PORT$1" \
    | tee -a /tmp/kc-load-wrk.log | awk '/^Requests\/sec/ {print $2}'
}
: >/tmp/kc-load-wrk.log
floor=$(rate /healthz)
signed_in=$(rate /healthz signed-in)
chart=$(rate "$CHART" signed-in)
echo "gunicorn $WORKERS workers, wrk $CONNECTIONS connections, ${DURATION} s each, database ${DATABASE_URL##*/}"
printf '%-30s %10s req/s\n' "/healthz anonymous (floor)" "$floor" "/healthz signed in" "$signed_in" "patient chart (signed in)" "$chart"
awk -v c="$chart" -v f="$floor" 'BEGIN { printf "chart / floor: %.1f %%\n", 100 * c / f }'
