# TAP checks for the command-line tests (sourced): ./annotate test reads the "ok"/"not ok" lines and the totals.
number=0 failed=0
check() { # DESCRIPTION COMMAND...
  local description="$1"; shift
  number=$((number + 1))
  if "$@"; then echo "ok $number - $description"; else echo "not ok $number - $description"; failed=$((failed + 1)); fi
}

# The totals ./annotate test reads, and the script's exit status.
tap_summary() {
  echo "# pass $((number - failed))"
  echo "# fail $failed"
  [ "$failed" -eq 0 ]
}
