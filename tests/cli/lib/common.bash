# Shared by the command-line tests (sourced, not run: ./annotate test runs tests/cli/*.sh only).
# The caller sets ROOT and data (a fresh folder); this picks a port and gives TAP checks, a tiny HTTP client,
# and starting/stopping `./annotate up` as a newcomer would.
# A random start: two test runs on one machine must not both find the same free port and talk to each other's app.
port=$((5600 + RANDOM % 3000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

source "$ROOT/tests/cli/lib/tap.bash"

# A small HTTP client on bash's /dev/tcp: a fresh machine need not have curl.
TOKEN="" # sent as a bearer token when set
http() { # METHOD PATH [JSON]
  local body="${3:-}" auth=""
  [ -n "$TOKEN" ] && auth="Authorization: Bearer $TOKEN"$'\r\n'
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n%sContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
    "$1" "$2" "$port" "$auth" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}

UP_PID=""
start_up() { # LOG
  # Its own session, as in a terminal of its own; stopped below with SIGTERM, what Ctrl-C's trap also does.
  setsid "$ROOT/annotate" up --data "$data" --port "$port" >"$1" 2>&1 &
  UP_PID=$!
  # The first run also builds the app in Release: on a fresh two-core machine that alone takes minutes.
  for _ in $(seq 1 1200); do
    http GET /healthz 2>/dev/null | grep -q '"healthy"' && return 0
    kill -0 "$UP_PID" 2>/dev/null || { tail -n 30 "$1" >&2; return 1; }
    sleep 0.5
  done
  tail -n 30 "$1" >&2
  return 1
}

stop_up() {
  kill -TERM "$UP_PID" 2>/dev/null
  for _ in $(seq 1 120); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 0.5; done
  ! kill -0 "$UP_PID" 2>/dev/null
}

app_gone() { ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
database_stopped() { [ ! -f "$data/postgres/postmaster.pid" ]; }
signs_in() { http POST /api/auth/login "{\"email\":\"$1\",\"password\":\"$2\"}" | grep -q '"accessToken"'; }
printed() { grep -q "$1" "$2"; }
not_printed() { ! grep -q "$1" "$2"; }
