#!/usr/bin/env bash
# The README's run command as a newcomer meets it: `./annotate up` serves and seeds the demo once, `user add`
# works beside it, SIGTERM stops the app and then its PostgreSQL, and a second `up` finds the data again and adds
# none of the demo work twice.
# Output is TAP ("ok N - ...", "not ok N - ...", then "# pass N" and "# fail N"), read by ./annotate test.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(mktemp -d /tmp/annotate-up-test.XXXXXX)"
chmod 755 "$data"
source "$ROOT/tests/cli/lib/common.bash"

# The demo's work, as the lead sees it: the change log's length, and the agreement report the seed queued.
sign_in_lead() {
  TOKEN="$(http POST /api/auth/login '{"email":"lead@demo.test","password":"annotate-demo"}' | grep -o '"accessToken":"[^"]*"' | cut -d'"' -f4)"
  DEMO="$(http GET /api/projects | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)"
  [ -n "$TOKEN" ] && [ -n "$DEMO" ]
}
demo_events() { http GET "/api/projects/$DEMO/events?limit=1000" | grep -o '"sequence":' | wc -l; }
has_demo_work() { EVENTS_1="$(demo_events)"; [ "$EVENTS_1" -ge 50 ]; }
report_succeeds() {
  for _ in $(seq 1 120); do http GET "/api/projects/$DEMO/agreement" | grep -q '"status":"succeeded"' && return 0; sleep 0.5; done
  return 1
}
same_demo_work() { sign_in_lead && [ "$(demo_events)" -eq "$EVENTS_1" ]; }

user_add() { echo 'a long password for ops' | "$ROOT/annotate" user add ops@example.org --password-stdin --data "$data" >"$data/user-add.log" 2>&1; }

cleanup() {
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then stop_up; fi
  rm -rf "$data"
}
trap cleanup EXIT

check "./annotate up serves a healthy app" start_up "$data/up-1.log"
check "the first run seeds the demo and prints its accounts" printed "lead@demo.test" "$data/up-1.log"
check "the demo lead signs in" signs_in lead@demo.test annotate-demo
check "... and finds the demo project" sign_in_lead
check "... with the demo annotators' work in its change log" has_demo_work
check "... and the agreement report the seed queued, computed" report_succeeds
check "./annotate user add works while the app runs" user_add
check "the new account signs in" signs_in ops@example.org 'a long password for ops'
check "SIGTERM stops ./annotate up" stop_up
check "... the app with it" app_gone
check "... and then its PostgreSQL" database_stopped
check "a second ./annotate up on the same folder serves again" start_up "$data/up-2.log"
check "... keeps the accounts" signs_in ops@example.org 'a long password for ops'
check "... and does not seed the demo again" not_printed "Demo accounts" "$data/up-2.log"
check "... nor add any of the demo work twice" same_demo_work
check "... and stops cleanly again" stop_up
check "... leaving no database running" database_stopped

tap_summary
