# Shared settings and helpers for scripts/portal. Sourced, never run.
#
# Everything the portal creates at run time lives under $WEPULSE_VAR (default
# var/ in the checkout): databases, index, logs, PID files, generated config.
# Every setting can be overridden from the environment, which is how the tests
# start a second, isolated portal beside the first.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${WEPULSE_VAR:-$ROOT/var}
VENV=${WEPULSE_VENV:-$ROOT/.venv}
CACHE=${WEPULSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wepulse}

PG_PORT=${WEPULSE_PG_PORT:-5432}
REDIS_PORT=${WEPULSE_REDIS_PORT:-6379}
SOLR_PORT=${WEPULSE_SOLR_PORT:-8983}
WEB_PORT=${WEPULSE_WEB_PORT:-5000}
DEMO_PORT=${WEPULSE_DEMO_PORT:-8770}
WEB_WORKERS=${WEPULSE_WEB_WORKERS:-2}
HARVEST_WRITERS=${WEPULSE_HARVEST_WRITERS:-$(nproc)}  # a harvest's writer processes
TICK_SECONDS=${WEPULSE_TICK_SECONDS:-60}  # how often queued harvests are started and ended
SOLR_CONFIG=${WEPULSE_SOLR_CONFIG:-$ROOT/config/solr}
SOLR_VERSION=9.8.1
SOLR_USER=ckan

RUN=$VAR/run
LOG=$VAR/log
CKAN_INI=$VAR/ckan.ini
TEST_INI=$VAR/test.ini
TOKEN_FILE=$VAR/admin-api-token

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Run as root directly, otherwise through sudo (apt-get, chown).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ckan() { "$VENV/bin/ckan" -c "$CKAN_INI" "$@"; }

# A process we started is alive when its PID file names a live process.
pid_alive() { # pidfile
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

port_busy() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Start a long-running command in its own session, so `down` can stop it and
# all its children by process group, recording its PID.
spawn() { # name command...
  local name=$1; shift
  mkdir -p "$RUN" "$LOG"
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# Stop what a PID file names (its whole process group), then forget it.
stop_pidfile() { # name
  local pidfile=$RUN/$1.pid pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  rm -f "$pidfile"
  say "stopped $1 (pid $pid)"
}

# Wait until a check passes; fail early if the process behind pidfile died.
wait_until() { # what timeout_s pidfile-or-empty command...
  local what=$1 timeout=$2 pidfile=$3; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pidfile" ] && ! pid_alive "$pidfile"; then return 2; fi
    [ $SECONDS -lt $deadline ] || { warn "$what did not answer within ${timeout}s"; return 1; }
    sleep 0.5
  done
}

# Write stdin to a generated file (mode 600: it may hold a secret) only when
# that changes its content; succeeds when it did, so callers restart what reads it.
write_if_changed() { # file
  local new; new=$(cat)
  [ -f "$1" ] && [ "$(cat "$1")" = "$new" ] && return 1
  mkdir -p "$(dirname "$1")"
  (umask 077 && printf '%s\n' "$new" >"$1") && chmod 600 "$1"
}

http_ok() { curl -fsS -o /dev/null --max-time 5 "$1"; }
