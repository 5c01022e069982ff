#!/usr/bin/env bash
# `./annotate migration add NAME` as a newcomer meets it: in a fresh copy of the repository (no build output), it
# builds the migrations project with its design-time EF reference and adds a migration; the EF tools remove it again
# and leave the model snapshot as it was. Output is TAP, read by ./annotate test (see up.sh). Removing asks a database
# whether the migration was applied: the throwaway PostgreSQL of ./annotate test answers (its "postgres" database, where
# nothing of ours was ever applied).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
copy="$(mktemp -d /tmp/annotate-migration-test.XXXXXX)"
trap 'rm -rf "$copy"' EXIT

source "$ROOT/tests/cli/lib/tap.bash"

# The files of the working tree that git knows of (committed or not, never build output or ignored files).
fresh_copy() {
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
    [ -e "$file" ] && printf '%s\0' "$file"
  done | tar --null -T - -cf -) | tar -xf - -C "$copy"
}

add_migration() { (cd "$copy" && ./annotate migration add Throwaway) >"$copy/add.log" 2>&1 || { tail -n 30 "$copy/add.log" >&2; return 1; }; }
migration_file() { ls "$copy"/migrations/Migrations/*_Throwaway.cs >/dev/null 2>&1; }
empty_migration() { ! grep -qE 'migrationBuilder\.' "$(ls "$copy"/migrations/Migrations/*_Throwaway.cs | grep -v Designer)"; }
remove_migration() {
  [ -n "${ANNOTATE_TEST_POSTGRES:-}" ] || { echo "ANNOTATE_TEST_POSTGRES is not set: run this with ./annotate test" >&2; return 1; }
  (cd "$copy" && ConnectionStrings__Default="$ANNOTATE_TEST_POSTGRES;Database=postgres" dotnet ef migrations remove --project migrations --startup-project migrations) >"$copy/remove.log" 2>&1 \
    || { tail -n 30 "$copy/remove.log" >&2; return 1; }
}
no_migration_file() { ! ls "$copy"/migrations/Migrations/*_Throwaway* >/dev/null 2>&1; }
# The snapshot EF writes back is rebuilt from the previous migration (its text may differ from ours in form): what must
# hold is that it describes the model, so that the next migration holds only the next change.
no_pending_changes() {
  (cd "$copy" && dotnet ef migrations has-pending-model-changes --project migrations --startup-project migrations) >"$copy/pending.log" 2>&1 \
    || { tail -n 30 "$copy/pending.log" >&2; return 1; }
}

check "a fresh copy of the repository has no build output" fresh_copy
check "./annotate migration add builds and adds a migration there" add_migration
check "... whose file is in migrations/Migrations" migration_file
check "... and is empty, the model having no change" empty_migration
check "the EF tools remove it again" remove_migration
check "... leaving no file of it" no_migration_file
check "... and a model snapshot with no change pending" no_pending_changes

tap_summary
