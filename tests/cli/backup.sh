#!/usr/bin/env bash
# `./annotate backup` and `./annotate restore` as an operator meets them: a backup while the app serves, a round
# trip that gives back every row of every table and the exports folder, a restore refused while the app runs,
# and a file that is not a backup refused. Output is TAP, read by ./annotate test.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(mktemp -d /tmp/annotate-backup-test.XXXXXX)"
chmod 755 "$data"
source "$ROOT/tests/cli/lib/common.bash"

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_app() { "$PG_BIN/psql" -h 127.0.0.1 -p "$(cat "$data/port")" -U postgres -d annotate -v ON_ERROR_STOP=1 -tA "$@"; }

# One line per table of every schema the app owns (its own and Hangfire's): name, row count and a digest of its
# rows in a fixed order. Read with the app stopped, so nothing moves between two readings.
digest() { # OUT
  as_owner "$PG_BIN/pg_ctl" -D "$data/postgres" -w -o "-p $(cat "$data/port") -k $data/run -c listen_addresses=127.0.0.1" \
    -l "$data/postgres.log" start >/dev/null || return 1
  local tables
  tables="$(psql_app -c "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname IN ('public', 'hangfire') ORDER BY 1")"
  for table in $tables; do
    psql_app -c "SELECT '$table', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM $table t"
  done >"$1"
  local tables_read=$?
  as_owner "$PG_BIN/pg_ctl" -D "$data/postgres" -m fast -w stop >/dev/null
  [ "$tables_read" -eq 0 ] && [ "$(wc -l <"$1")" -gt 10 ]
}

# Each command's output is kept in a log, and shown when the command fails.
logged() { # LOG COMMAND...
  local log="$1"; shift
  "$@" >"$log" 2>&1 || { tail -n 15 "$log" >&2; return 1; }
}
backup() { logged "$data/backup.log" "$ROOT/annotate" backup "$1" --data "$data"; }
restore() { logged "$data/restore.log" "$ROOT/annotate" restore "$1" --data "$data"; }
same() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -n 20 >&2; return 1; }; }
differ() { ! cmp -s "$1" "$2"; }
exported() { [ "$(cat "$data/exports/$1" 2>/dev/null)" = "$2" ]; }
absent() { [ ! -e "$data/exports/$1" ]; }
refused_with() { ! "$@" 2>/dev/null && grep -q "stop it" "$data/restore.log"; }
not_a_backup() { echo "just text" >"$data/not-a-backup.tar.gz"; ! restore "$data/not-a-backup.tar.gz" 2>/dev/null && grep -q "not a backup made by" "$data/restore.log"; }
cannot_sign_in() { ! signs_in "$@"; }
add_user() { echo 'a long password for ops' | logged "$data/user-add.log" "$ROOT/annotate" user add "$1" --password-stdin --data "$data"; }

cleanup() {
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then stop_up; fi
  [ -f "$data/postgres/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$data/postgres" -m fast -w stop >/dev/null 2>&1
  rm -rf "$data"
}
trap cleanup EXIT

check "./annotate up serves the demo" start_up "$data/up-1.log"
check "./annotate backup works while the app serves" backup "$data/while-running.tar.gz"
check "... and writes a compressed archive" bash -c "tar -tzf '$data/while-running.tar.gz' | grep -q database.dump"
check "a restore is refused while the app runs" refused_with restore "$data/while-running.tar.gz"
check "... and the app still serves its accounts" signs_in lead@demo.test annotate-demo
check "the app stops" stop_up

mkdir -p "$data/exports/7" && echo "the first export" >"$data/exports/7/dataset.jsonl"
check "every table read before the backup" digest "$data/before.txt"
check "./annotate backup works with the app stopped" backup "$data/stopped.tar.gz"

check "a later change: a new account" add_user later@example.org
echo "a later export" >"$data/exports/7/later.jsonl"
check "... read again" digest "$data/changed.txt"
check "... so the two readings differ" differ "$data/before.txt" "$data/changed.txt"

check "./annotate restore puts the backup back" restore "$data/stopped.tar.gz"
check "every row of every table is the backup's" digest "$data/after.txt"
check "... identical to the reading before the backup" same "$data/before.txt" "$data/after.txt"
check "the exports folder is the backup's" exported 7/dataset.jsonl "the first export"
check "... without the later export" absent 7/later.jsonl

check "a file that is not a backup is refused" not_a_backup
check "... and changes nothing" digest "$data/after-refusal.txt"
check "... (the same rows)" same "$data/before.txt" "$data/after-refusal.txt"

check "the restored data serves again" start_up "$data/up-2.log"
check "... with the backup's accounts" signs_in lead@demo.test annotate-demo
check "... and not the later one" cannot_sign_in later@example.org 'a long password for ops'
check "... and stops" stop_up

tap_summary
