# Installing what the portal needs. Idempotent: each step checks before it acts.

# Debian packages: PostgreSQL 15 server and headers, Redis, a JDK and Maven, and
# Chromium for the browser tests (accessibility, keyboard journeys).
install_debian_packages() {
  local missing=() pkg
  for pkg in postgresql-15 libpq-dev redis-server openjdk-17-jdk-headless maven curl gettext-base \
    chromium; do
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

# axe-core, the accessibility rules engine the browser tests inject into pages,
# from the npm registry (only its one-file build is needed, not a node project).
AXE_VERSION=4.14.1
AXE_JS=$CACHE/axe-core-$AXE_VERSION/axe.min.js
fetch_axe() {
  export WEPULSE_AXE_JS=$AXE_JS
  [ -f "$AXE_JS" ] && return 0
  say "fetching axe-core $AXE_VERSION from the npm registry"
  command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q npm
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar -xzf "axe-core-$AXE_VERSION.tgz")
  mkdir -p "$(dirname "$AXE_JS")"
  mv "$tmp/package/axe.min.js" "$AXE_JS"
  rm -rf "$tmp"
}

# The portal's own translations (ckanext-wepulse/ckanext/wepulse/i18n): .po to .mo.
compile_translations() {
  local i18n=$ROOT/ckanext-wepulse/ckanext/wepulse/i18n
  ls "$i18n"/*/LC_MESSAGES/ckanext-wepulse.po >/dev/null 2>&1 || return 0
  "$VENV/bin/pybabel" -q compile -d "$i18n" -D ckanext-wepulse
}

setup() {
  install_debian_packages
  install_python_packages
  fetch_solr
  fetch_axe
  compile_translations
}
