#!/usr/bin/env bash
# The README's run command as a newcomer meets it: `./annotate up` serves and seeds the demo once, `user add`
# works beside it, SIGTERM stops the app and then its PostgreSQL, and a second `up` finds the data again.
# Output is TAP ("ok N - ...", "not ok N - ...", then "# pass N" and "# fail N"), read by ./annotate test.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(mktemp -d /tmp/annotate-up-test.XXXXXX)"
chmod 755 "$data"
source "$ROOT/tests/cli/lib/common.bash"

user_add() { echo 'a long password for ops' | "$ROOT/annotate" user add ops@example.org --password-stdin --data "$data" >"$data/user-add.log" 2>&1; }

cleanup() {
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then stop_up; fi
  rm -rf "$data"
}
trap cleanup EXIT

check "./annotate up serves a healthy app" start_up "$data/up-1.log"
check "the first run seeds the demo and prints its accounts" printed "lead@demo.test" "$data/up-1.log"
check "the demo lead signs in" signs_in lead@demo.test annotate-demo
check "./annotate user add works while the app runs" user_add
check "the new account signs in" signs_in ops@example.org 'a long password for ops'
check "SIGTERM stops ./annotate up" stop_up
check "... the app with it" app_gone
check "... and then its PostgreSQL" database_stopped
check "a second ./annotate up on the same folder serves again" start_up "$data/up-2.log"
check "... keeps the accounts" signs_in ops@example.org 'a long password for ops'
check "... and does not seed the demo again" not_printed "Demo accounts" "$data/up-2.log"
check "... and stops cleanly again" stop_up
check "... leaving no database running" database_stopped

echo "# pass $((number - failed))"
echo "# fail $failed"
[ "$failed" -eq 0 ]
