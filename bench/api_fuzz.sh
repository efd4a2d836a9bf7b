#!/usr/bin/env bash
# Fuzz the REST API with schemathesis, once per role, against a freshly seeded demo on 127.0.0.1
# (prints the figures per role; a one-off check, not part of the test suite or the lock file).
#
#   bench/api_fuzz.sh [MAX_EXAMPLES]      (default 15 per operation and phase; about 2.5 min per role)
#
# schemathesis goes into a scratch venv (/tmp/kc-fuzz/venv, from the package index); the demo data
# into /tmp/kc-fuzz/demo. Checks: no 5xx, status codes and response bodies as the OpenAPI schema
# declares them, content types. Two passes per role: random path ids, then real ids of the seeded
# clinic (so the operations get past 404). Roles: prescriber, nurse, therapist, front desk, clinic
# admin, portal patient, and the outsider (another clinic's admin).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-15}
WORK=/tmp/kc-fuzz
PORT=${FUZZ_PORT:-8765}
mkdir -p "$WORK"
[ -x "$WORK/venv/bin/schemathesis" ] || { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q schemathesis; }

rm -rf "$WORK/demo"
KETAMINE_CLINIC_HOME="$WORK/demo" .venv/bin/ketamine-clinic demo --no-serve --data-dir "$WORK/demo" >/dev/null
export KETAMINE_CLINIC_DEMO=1 SECRET_KEY="$(cat "$WORK/demo/secret_key")" AUDIT_KEY="$(cat "$WORK/demo/audit_key")" \
  DATABASE_URL="sqlite:///$WORK/demo/clinic.sqlite3" ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL="http://127.0.0.1:$PORT"

: > "$WORK/tokens"
for user in prescriber nurse therapist frontdesk admin patient outsider; do
  echo "$user $(.venv/bin/ketamine-clinic token create --name fuzz "$user")" >> "$WORK/tokens"
done
echo '# random ids' > "$WORK/none.toml"
.venv/bin/ketamine-clinic manage shell -c "
from ketamine_clinic.assessments.models import SuicideRiskAlert
from ketamine_clinic.patients.models import Medication
from ketamine_clinic.plans.models import Appointment, TreatmentPlan
from ketamine_clinic.screening.models import IntakeEvaluation
from ketamine_clinic.treatments.models import TreatmentSession
s = TreatmentSession.objects.order_by('-checked_in_at').first(); p = s.patient
ids = {'patient_id': p.public_id, 'session_id': s.public_id, 'location_id': s.location.public_id,
       'plan_id': (TreatmentPlan.objects.filter(patient=p).first() or TreatmentPlan.objects.first()).public_id,
       'appointment_id': Appointment.objects.filter(status='booked').first().public_id,
       'evaluation_id': IntakeEvaluation.objects.filter(patient=p).first().public_id,
       'alert_id': SuicideRiskAlert.objects.first().public_id,
       'record_id': (Medication.objects.filter(patient=p).first() or Medication.objects.first()).public_id}
print('[parameters]'); print('\"path.kind\" = \"medication\"')
for k, v in ids.items(): print(f'\"path.{k}\" = \"{v}\"')
" 2>/dev/null | grep -E '^\[|^"' > "$WORK/ids.toml"

.venv/bin/ketamine-clinic serve --port "$PORT" --workers 2 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null && break; sleep 1; done

CHECKS=not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance
for pass in none ids; do
  while read -r role token; do
    set +e
    (cd "$WORK" && "$WORK/venv/bin/schemathesis" --config-file "$WORK/$pass.toml" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
      -u "http://127.0.0.1:$PORT" -H "Authorization: Bearer $token" -c "$CHECKS" -n "$N" --seed 7 -w 1 \
      --request-timeout 30 > "$WORK/$pass-$role.log" 2>&1)  # in $WORK: its cache stays out of the repository
    rc=$?
    set -e
    printf '%-5s %-11s exit %s  %s\n' "$pass" "$role" "$rc" "$(grep -E 'generated' "$WORK/$pass-$role.log" | tail -1 | xargs)"
  done < "$WORK/tokens"
done
