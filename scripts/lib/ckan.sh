# CKAN itself: its configuration, database, admin account, web server and workers.

# Write ckan.ini and test.ini from the templates in config/, with this
# installation's ports, paths and secrets. Rewritten at every start, so a
# change to a template takes effect on the next `up`.
write_configs() {
  mkdir -p "$VAR/storage" "$VAR/test-storage"
  # Secrets are made private (umask 077); older versions made them readable by all.
  [ -d "$VAR/secrets" ] && find "$VAR/secrets" -type f -exec chmod 600 {} +
  local db_pass reader_pass redis_pass
  db_pass=$(secret db_password) reader_pass=$(secret datastore_reader_password)
  redis_pass=$(secret redis_password)
  local pg=127.0.0.1:$PG_PORT
  export WEPULSE_SECRET_KEY; WEPULSE_SECRET_KEY=$(secret ckan_secret_key)
  export WEPULSE_SITE_URL=http://127.0.0.1:$WEB_PORT
  export WEPULSE_DB_URL=postgresql://wepulse:$db_pass@$pg/wepulse
  export WEPULSE_DATASTORE_WRITE_URL=postgresql://wepulse:$db_pass@$pg/wepulse_datastore
  export WEPULSE_DATASTORE_READ_URL=postgresql://wepulse_reader:$reader_pass@$pg/wepulse_datastore
  export WEPULSE_SOLR_URL=http://127.0.0.1:$SOLR_PORT/solr/ckan
  export WEPULSE_SOLR_USER=$SOLR_USER WEPULSE_SOLR_PASSWORD; WEPULSE_SOLR_PASSWORD=$(secret solr_password)
  export WEPULSE_REDIS_URL=redis://:$redis_pass@127.0.0.1:$REDIS_PORT/0
  export WEPULSE_STORAGE=$VAR/storage
  export WEPULSE_DEMO_ADDRESS=127.0.0.1:$DEMO_PORT
  export WEPULSE_DEMO_SOURCES_URL=http://$WEPULSE_DEMO_ADDRESS
  export WEPULSE_TEST_DB_URL=postgresql://wepulse:$db_pass@$pg/wepulse_test
  export WEPULSE_TEST_DATASTORE_WRITE_URL=postgresql://wepulse:$db_pass@$pg/wepulse_test_datastore
  export WEPULSE_TEST_DATASTORE_READ_URL=postgresql://wepulse_reader:$reader_pass@$pg/wepulse_test_datastore
  export WEPULSE_TEST_SOLR_URL=http://127.0.0.1:$SOLR_PORT/solr/ckan_test
  export WEPULSE_TEST_REDIS_URL=redis://:$redis_pass@127.0.0.1:$REDIS_PORT/1
  export WEPULSE_TEST_STORAGE=$VAR/test-storage
  export WEPULSE_LICENCES=$VAR/licences.json
  export WEPULSE_LOG=$LOG  # the harvest log's directory
  export WEPULSE_HARVEST_WRITERS=$HARVEST_WRITERS
  "$VENV/bin/python" -m ckanext.wepulse.vocabularies licences-json >"$WEPULSE_LICENCES"
  envsubst <"$ROOT/config/ckan.ini.in" >"$CKAN_INI"
  envsubst <"$ROOT/config/test.ini.in" >"$TEST_INI"
  chmod 600 "$CKAN_INI" "$TEST_INI"
}

# Create or upgrade the schema (core and every enabled plugin's migrations).
init_database() {
  say "initialising the CKAN database"
  ckan db init >>"$LOG/ckan-cli.log" 2>&1 || die "ckan db init failed; see $LOG/ckan-cli.log"
}

# A sysadmin account, idempotently.
ensure_admin() {
  if ! ckan user show admin 2>/dev/null | grep -q "name=admin"; then
    say "creating sysadmin 'admin' (password in $VAR/secrets/admin_password)"
    ckan user add admin email=admin@wepulse.localhost password="$(secret admin_password)" \
      >>"$LOG/ckan-cli.log" 2>&1 || die "could not create the admin user; see $LOG/ckan-cli.log"
  fi
  ckan sysadmin add admin >>"$LOG/ckan-cli.log" 2>&1
}

# Long-running processes, each in its own session with a PID file.
start_web() {
  pid_alive "$RUN/web.pid" && return 0
  port_busy "$WEB_PORT" && die "port $WEB_PORT is taken by another program; stop it or set WEPULSE_WEB_PORT"
  say "starting CKAN on http://127.0.0.1:$WEB_PORT ($WEB_WORKERS workers)"
  # No --preload: each worker must open its own database connections (a pool
  # inherited across fork() is shared and corrupts). Threads keep idle browser
  # connections from blocking a worker when no proxy buffers in front.
  CKAN_INI=$CKAN_INI spawn web "$VENV/bin/gunicorn" --chdir "$ROOT/config" wsgi:application \
    --bind "127.0.0.1:$WEB_PORT" --workers "$WEB_WORKERS" --worker-class gthread --threads 4 \
    --timeout 120
  local status=0
  wait_until CKAN 120 "$RUN/web.pid" http_ok "http://127.0.0.1:$WEB_PORT/api/3/action/status_show" || status=$?
  if [ $status -ne 0 ]; then
    tail -n 30 "$LOG/web.log" >&2
    stop_pidfile web >/dev/null
    die "CKAN did not start (full log: $LOG/web.log)"
  fi
}

# An API token for the sysadmin, kept in $TOKEN_FILE for scripts and tests.
# Checked against the running portal and remade only when it no longer works
# (say, after the database was recreated).
ensure_token() {
  if [ -s "$TOKEN_FILE" ] && curl -fsS -o /dev/null --max-time 10 -H "Authorization: $(cat "$TOKEN_FILE")" \
    "http://127.0.0.1:$WEB_PORT/api/3/action/api_token_list?user_id=admin"; then
    return 0
  fi
  say "creating an API token for admin in $TOKEN_FILE"
  ckan user token add admin wepulse-scripts 2>>"$LOG/ckan-cli.log" | tail -n 1 | tr -d '[:space:]' >"$TOKEN_FILE"
  chmod 600 "$TOKEN_FILE"
  [ -s "$TOKEN_FILE" ] || die "could not create an API token; see $LOG/ckan-cli.log"
}

start_workers() {
  pid_alive "$RUN/jobs-worker.pid" || spawn jobs-worker "$VENV/bin/ckan" -c "$CKAN_INI" jobs worker
  # Link checks have a queue and a worker of their own: a round of slow hosts never
  # delays the validation and scoring of a changed dataset.
  pid_alive "$RUN/links-worker.pid" || spawn links-worker "$VENV/bin/ckan" -c "$CKAN_INI" jobs worker wepulse-links
  pid_alive "$RUN/gather-consumer.pid" || spawn gather-consumer "$VENV/bin/ckan" -c "$CKAN_INI" harvester gather-consumer
  pid_alive "$RUN/fetch-consumer.pid" || spawn fetch-consumer "$VENV/bin/ckan" -c "$CKAN_INI" harvester fetch-consumer
  # ckanext-harvest marks jobs finished (and starts scheduled ones) only when
  # `harvester run` is called, and `wepulse quality tick` queues the due link checks
  # and the daily quality run: in production both are cron entries.
  pid_alive "$RUN/harvest-runner.pid" ||
    spawn harvest-runner bash -c "while :; do '$VENV/bin/ckan' -c '$CKAN_INI' harvester run; '$VENV/bin/ckan' -c '$CKAN_INI' wepulse quality tick; sleep $TICK_SECONDS; done"
}

# The demo's harvest sources: recorded real payloads served on loopback.
start_demo_sources() {
  pid_alive "$RUN/demo-sources.pid" && return 0
  port_busy "$DEMO_PORT" && die "port $DEMO_PORT is taken by another program; stop it or set WEPULSE_DEMO_PORT"
  spawn demo-sources "$VENV/bin/python" -m harvesters.fixtures --port "$DEMO_PORT" \
    "$ROOT/ckanext-wepulse/ckanext/wepulse/demo/sources"
  wait_until "demo sources" 30 "$RUN/demo-sources.pid" http_ok "http://127.0.0.1:$DEMO_PORT/ckan/api/3/action/package_search"
}

stop_ckan() {
  local name
  for name in demo-sources harvest-runner fetch-consumer gather-consumer links-worker jobs-worker web; do stop_pidfile "$name"; done
}
