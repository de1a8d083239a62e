# PostgreSQL, Redis and Solr: the project's own instances, on 127.0.0.1, with
# their data under $VAR. Each start is a no-op when ours is already running,
# and fails clearly when something else holds the port.

PG_BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
PG_DATA=$VAR/postgres/data
PG_SOCKET=$VAR/postgres

# PostgreSQL refuses to run as root: its cluster belongs to the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
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
  postgres_running && return 0
  port_busy "$PG_PORT" && die "port $PG_PORT is taken by another PostgreSQL; stop it or set WEPULSE_PG_PORT"
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  mkdir -p "$LOG"; touch "$LOG/postgres.log"
  [ "$(id -u)" = 0 ] && chown postgres: "$LOG/postgres.log"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOG/postgres.log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1" >/dev/null ||
    die "PostgreSQL did not start; see $LOG/postgres.log"
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

start_redis() {
  pid_alive "$RUN/redis.pid" && return 0
  port_busy "$REDIS_PORT" && die "port $REDIS_PORT is taken by another Redis; stop it or set WEPULSE_REDIS_PORT"
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$VAR/redis" "$RUN" "$LOG"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --pidfile "$RUN/redis.pid" --dir "$VAR/redis" --logfile "$LOG/redis.log" \
    --save "300 1" || die "Redis did not start; see $LOG/redis.log"
  wait_until Redis 20 "" redis-cli -p "$REDIS_PORT" ping || die "Redis did not answer; see $LOG/redis.log"
}

# SIGTERM: Redis saves its data, then exits.
stop_redis() { stop_pidfile redis; }

# Solr's home is rebuilt from config/solr at every start (configuration from
# the repository, index data kept), then the launcher checks every core loaded.
# A running Solr whose configuration changed reloads its cores instead.
SOLR_HOME=$VAR/solr
SOLR_CONFIG_CHANGED=
start_solr() {
  if pid_alive "$RUN/solr.pid"; then
    diff -rq "$SOLR_CONFIG/home/configsets" "$SOLR_HOME/configsets" >/dev/null && return 0
    say "Solr's configuration changed: reloading its cores"
    install_solr_config
    local core
    for core in $(cd "$SOLR_HOME/cores" && ls); do
      curl -fsS -o /dev/null --max-time 60 "$(solr_url)/admin/cores?action=RELOAD&core=$core" ||
        die "Solr could not reload core $core with the new configuration (log: $LOG/solr.log)"
    done
    SOLR_CONFIG_CHANGED=1
    return 0
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
  wait_until Solr 120 "$RUN/solr.pid" http_ok "$(solr_url)/ckan/select?q=*:*&rows=0" || status=$?
  if [ $status -ne 0 ]; then
    grep -h -A5 "^SOLR FAILED" "$LOG/solr.log" >&2 || tail -n 20 "$LOG/solr.log" >&2
    stop_pidfile solr >/dev/null
    die "Solr did not start (full log: $LOG/solr.log)"
  fi
}

solr_url() { echo "http://127.0.0.1:$SOLR_PORT/solr"; }

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
    head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$file"
  fi
  cat "$file"
}
