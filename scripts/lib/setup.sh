# Installing what the portal needs. Idempotent: each step checks before it acts.

# Debian packages: PostgreSQL 15 server and headers, Redis, a JDK and Maven.
install_debian_packages() {
  local missing=() pkg
  for pkg in postgresql-15 libpq-dev redis-server openjdk-17-jdk-headless maven curl gettext-base; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The virtualenv: CKAN, its extensions and this project (editable). Reinstalls
# only when requirements.txt or setup.py changed since the last install.
install_python_packages() {
  local stamp=$VENV/.wepulse-installed want
  want=$(cat "$ROOT/requirements.txt" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  [ -x "$VENV/bin/python" ] || { say "creating virtualenv $VENV"; python3.11 -m venv "$VENV"; }
  say "installing Python packages into $VENV (a few minutes the first time)"
  "$VENV/bin/pip" install -q --upgrade pip wheel
  "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt"
  "$VENV/bin/pip" install -q --no-deps -e "$ROOT"
  echo "$want" >"$stamp"
}

# Solr's jars from Maven Central, kept in a cache shared by every checkout.
SOLR_LIB=$CACHE/solr-$SOLR_VERSION/lib
fetch_solr() {
  [ -f "$SOLR_LIB/.complete" ] && return 0
  say "fetching Solr $SOLR_VERSION jars from Maven Central into $SOLR_LIB"
  mkdir -p "$SOLR_LIB"
  mvn -B -q -f "$ROOT/config/solr/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$SOLR_LIB"
  touch "$SOLR_LIB/.complete"
}

setup() {
  install_debian_packages
  install_python_packages
  fetch_solr
}
