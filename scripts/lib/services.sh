# PostgreSQL, Redis and Solr: the project's own instances, on 127.0.0.1, with
# their data under $VAR. Each start is a no-op when ours is already running,
# and fails clearly when something else holds the port.
#
# None of them is open to whoever reaches its port: PostgreSQL asks for a
# password over TCP and keeps its socket to its own OS user, Redis asks for a
# password, Solr for Basic authentication. Their secrets are made once per
# installation in $VAR/secrets. A running service whose security settings
# changed (an installation from before they existed) is restarted, and CKAN
# with it, since CKAN's processes hold the old credentials.

PG_BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
PG_DATA=$VAR/postgres/data
PG_SOCKET=$VAR/postgres

# PostgreSQL refuses to run as root: its cluster belongs to the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Before a service restarts with new security settings: CKAN's processes hold
# the old ones, so they stop too (`up` starts them again).
security_changed() { # service
  say "$1's security settings changed: restarting it, and stopping CKAN until it is started again"
  stop_ckan
}

psql_admin() { # sql [database]
  as_postgres "$PG_BIN/psql" -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d "${2:-postgres}" -v ON_ERROR_STOP=1 -tAc "$1"
}

postgres_running() { as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

start_postgres() {
  [ -n "$PG_BIN" ] || die "PostgreSQL 15 is not installed (apt-get install postgresql-15)"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "creating PostgreSQL cluster in $PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$VAR/postgres"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  fi
  if postgres_running; then
    [ "$(psql_admin "SELECT current_setting('listen_addresses') || ' ' ||
      current_setting('unix_socket_permissions')")" = "127.0.0.1 0700" ] && return 0
    security_changed PostgreSQL
    stop_postgres
  fi
  port_busy "$PG_PORT" && die "port $PG_PORT is taken by another PostgreSQL; stop it or set WEPULSE_PG_PORT"
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  mkdir -p "$LOG"; touch "$LOG/postgres.log"
  [ "$(id -u)" = 0 ] && chown postgres: "$LOG/postgres.log"
  # TCP on loopback only, with a password (initdb's scram-sha-256); the socket
  # trusts its peer, so only the cluster's own OS user may open it.
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOG/postgres.log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700" \
    >/dev/null || die "PostgreSQL did not start; see $LOG/postgres.log"
}

# The project's roles and databases: for the portal and for the tests, CKAN's
# database and its DataStore's (tables of data the API can query). The DataStore
# is read through a role that may only read. Passwords are made once and kept in
# $VAR/secrets.
ensure_databases() {
  local db role
  for role in wepulse:db_password wepulse_reader:datastore_reader_password; do
    if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '${role%%:*}'")" != 1 ]; then
      psql_admin "CREATE ROLE ${role%%:*} LOGIN PASSWORD '$(secret "${role#*:}")'" >/dev/null
    fi
  done
  for db in wepulse wepulse_test wepulse_datastore wepulse_test_datastore; do
    if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      say "creating database $db"
      psql_admin "CREATE DATABASE $db OWNER wepulse ENCODING 'UTF8'" >/dev/null
    fi
  done
}

# The DataStore's permissions, as CKAN writes them for a configuration; once per
# database (CKAN's CLI takes seconds to start): its script's last object is the
# populate_full_text_trigger function, so that function's presence says it ran.
set_datastore_permissions() { # ini database
  local applied="SELECT to_regprocedure('public.populate_full_text_trigger()') IS NOT NULL"
  [ "$(psql_admin "$applied" "$2")" = t ] && return 0
  "$VENV/bin/ckan" -c "$1" datastore set-permissions 2>>"$LOG/ckan-cli.log" |
    as_postgres "$PG_BIN/psql" -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d postgres \
      -v ON_ERROR_STOP=1 -q -f - >>"$LOG/ckan-cli.log" 2>&1 ||
    die "could not set the DataStore's permissions; see $LOG/ckan-cli.log"
}

stop_postgres() {
  [ -n "$PG_BIN" ] && [ -f "$PG_DATA/postmaster.pid" ] || return 0
  postgres_running || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  say "stopped PostgreSQL"
}

# Redis reads its settings from a file, so its password never shows in `ps`.
REDIS_CONF=$VAR/redis/redis.conf
start_redis() {
  local changed=
  write_redis_config && changed=1
  if pid_alive "$RUN/redis.pid"; then
    [ -z "$changed" ] && return 0
    security_changed Redis
    stop_redis
  fi
  port_busy "$REDIS_PORT" && die "port $REDIS_PORT is taken by another Redis; stop it or set WEPULSE_REDIS_PORT"
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$RUN" "$LOG"
  redis-server "$REDIS_CONF" || die "Redis did not start; see $LOG/redis.log"
  wait_until Redis 20 "" redis_ping || die "Redis did not answer; see $LOG/redis.log"
}

write_redis_config() {
  write_if_changed "$REDIS_CONF" <<CONF
# Written by scripts/portal (scripts/lib/services.sh) at every start.
bind 127.0.0.1
protected-mode yes
port $REDIS_PORT
requirepass $(secret redis_password)
daemonize yes
pidfile $RUN/redis.pid
dir $VAR/redis
logfile $LOG/redis.log
save 300 1
CONF
}

# redis-cli with the password from the environment, not from its arguments.
redis_cli() { REDISCLI_AUTH=$(secret redis_password) redis-cli -p "$REDIS_PORT" "$@"; }
redis_ping() { [ "$(redis_cli ping)" = PONG ]; }

# SIGTERM: Redis saves its data, then exits.
stop_redis() { stop_pidfile redis; }

# Solr's home is rebuilt from config/solr at every start (configuration from
# the repository, index data kept), then the launcher checks every core loaded.
# A running Solr whose configuration changed reloads its cores instead; one
# whose security.json changed restarts, since Solr reads it only at start.
SOLR_HOME=$VAR/solr
SOLR_CONFIG_CHANGED=
start_solr() {
  local security_changed=
  write_solr_security && security_changed=1
  if pid_alive "$RUN/solr.pid"; then
    if [ -n "$security_changed" ]; then
      security_changed Solr
      stop_solr
    else
      diff -rq "$SOLR_CONFIG/home/configsets" "$SOLR_HOME/configsets" >/dev/null && return 0
      say "Solr's configuration changed: reloading its cores"
      install_solr_config
      local core
      for core in $(cd "$SOLR_HOME/cores" && ls); do
        solr_curl -fsS -o /dev/null --max-time 60 "$(solr_url)/admin/cores?action=RELOAD&core=$core" ||
          die "Solr could not reload core $core with the new configuration (log: $LOG/solr.log)"
      done
      SOLR_CONFIG_CHANGED=1
      return 0
    fi
  fi
  port_busy "$SOLR_PORT" && die "port $SOLR_PORT is taken by another Solr; stop it or set WEPULSE_SOLR_PORT"
  say "starting Solr $SOLR_VERSION on 127.0.0.1:$SOLR_PORT"
  mkdir -p "$SOLR_HOME" "$LOG/solr"
  install_solr_config
  : >"$LOG/solr.log"
  spawn solr java -Xms256m -Xmx1g -Djetty.testMode=true \
    -Dsolr.log.dir="$LOG/solr" -Dlog4j2.configurationFile="$SOLR_CONFIG/log4j2.xml" \
    -cp "$SOLR_LIB/*" "$SOLR_CONFIG/SolrLauncher.java" "$SOLR_HOME" "$SOLR_PORT"
  local status=0
  wait_until Solr 120 "$RUN/solr.pid" \
    solr_curl -fsS -o /dev/null --max-time 5 "$(solr_url)/ckan/select?q=*:*&rows=0" || status=$?
  if [ $status -ne 0 ]; then
    grep -h -A5 "^SOLR FAILED" "$LOG/solr.log" >&2 || tail -n 20 "$LOG/solr.log" >&2
    stop_pidfile solr >/dev/null
    die "Solr did not start (full log: $LOG/solr.log)"
  fi
}

solr_url() { echo "http://127.0.0.1:$SOLR_PORT/solr"; }

# curl with Solr's credentials, given on stdin so they never show in `ps`.
solr_curl() { # curl arguments...
  printf 'user = "%s:%s"\n' "$SOLR_USER" "$(secret solr_password)" | curl -K - "$@"
}

# Solr's users, from config/solr/security.json.in: one user, $SOLR_USER, allowed
# everything, and nobody else anything (blockUnknown). Its password is stored
# the way Solr's Sha256AuthenticationProvider checks it: base64(sha256(sha256(
# salt + password))), then a space and the base64 salt. The salt is a kept
# secret too, so the file changes only when a secret or the template does.
write_solr_security() {
  local credential
  credential=$(printf '%s\n%s\n' "$(secret solr_password)" "$(secret solr_salt)" | python3 -c '
import base64, hashlib, sys
password, salt = (line.encode() for line in sys.stdin.read().split("\n")[:2])
digest = hashlib.sha256(hashlib.sha256(salt + password).digest()).digest()
print(base64.b64encode(digest).decode(), base64.b64encode(salt).decode())')
  [ -n "$credential" ] || die "could not hash Solr's password"
  WEPULSE_SOLR_USER=$SOLR_USER WEPULSE_SOLR_CREDENTIAL=$credential \
    envsubst '${WEPULSE_SOLR_USER} ${WEPULSE_SOLR_CREDENTIAL}' <"$SOLR_CONFIG/security.json.in" |
    write_if_changed "$SOLR_HOME/security.json"
}

install_solr_config() {
  rm -rf "$SOLR_HOME/configsets"
  cp -r "$SOLR_CONFIG/home/solr.xml" "$SOLR_CONFIG/home/configsets" "$SOLR_HOME/"
  (cd "$SOLR_CONFIG/home" && find cores -name core.properties -exec cp --parents {} "$SOLR_HOME/" \;)
}

stop_solr() { stop_pidfile solr; }

# A random secret made once per installation and kept, e.g. `secret db_password`.
secret() { # name
  local file=$VAR/secrets/$1
  if [ ! -s "$file" ]; then
    mkdir -p "$VAR/secrets"; chmod 700 "$VAR/secrets"
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$file")
  fi
  cat "$file"
}
