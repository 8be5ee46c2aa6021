#!/usr/bin/env bash
# `make test` (and CI): lint, format check and the whole pytest suite against real PostgreSQL
# and Redis.
#
# Bootstraps; installs Debian's chromium (browser tests) and docker-compose (the compose file
# test) when missing; makes sure PostgreSQL and Redis answer, starting the local ones if they are
# installed but stopped; starts a local S3-compatible object store (scripts/objectstore.sh) for
# the evidence files. DATABASE_URL, CELERY_BROKER_URL and REDIS_URL default to the local
# servers and may point elsewhere. Arguments go to pytest; with none, the whole suite runs with
# --create-db so a clean run never reuses a stale test schema. Exits with pytest's exit code
# (5, no tests collected, is a failure), or 1 if only lint failed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/bootstrap.sh"
export PATH="$VENV/bin:$PATH"

# Browser tests drive Debian's chromium through Playwright; Playwright's own browser download
# cannot work here, so never `playwright install`.
if [[ ! -x /usr/bin/chromium ]]; then
    apt_install chromium fonts-liberation
fi
if ! command -v docker-compose >/dev/null 2>&1; then
    apt_install docker-compose
fi
# The certificate tests read the rendered PDF (pdftotext, pdffonts, pdftoppm) and scan its QR
# code back (zbarimg); openssl verifies the signed credential as a holder would offline.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1 \
    || ! command -v openssl >/dev/null 2>&1; then
    apt_install poppler-utils zbar-tools openssl
fi

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ssb_portal}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"

# url_host_port URL DEFAULT_PORT: prints "HOST PORT".
url_host_port() {
    python - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit

url = urlsplit(sys.argv[1])
print(url.hostname or "127.0.0.1", url.port or sys.argv[2])
PY
}

is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }

# wait_for SECONDS COMMAND...: true as soon as COMMAND succeeds.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

tcp_open() { timeout 2 bash -c ": >/dev/tcp/$1/$2" 2>/dev/null; }

pg_up() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$1" -p "$2" -t 2
    else
        tcp_open "$1" "$2"
    fi
}

redis_up() {
    if command -v redis-cli >/dev/null 2>&1; then
        [[ $(redis-cli -h "$1" -p "$2" ping 2>/dev/null) == PONG ]]
    else
        tcp_open "$1" "$2"
    fi
}

ensure_postgres() {
    local host port
    read -r host port < <(url_host_port "$DATABASE_URL" 5432)
    pg_up "$host" "$port" && return 0
    if is_local "$host" && [[ $port == 5432 ]] && command -v pg_ctlcluster >/dev/null 2>&1 &&
        [[ -d /etc/postgresql ]]; then
        log "starting PostgreSQL"
        # shellcheck disable=SC2046 # one cluster version directory, e.g. 15
        pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start || true
        wait_for 20 pg_up "$host" "$port" && return 0
    fi
    die "PostgreSQL is not reachable at $host:$port (DATABASE_URL=$DATABASE_URL).
Install and start it (Debian, as root):
    apt-get install -y postgresql
    pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/ssb_portal to a server you have
(the user must be allowed to create the test database)."
}

ensure_redis() {
    local url=$1 host port
    read -r host port < <(url_host_port "$url" 6379)
    redis_up "$host" "$port" && return 0
    if is_local "$host" && [[ $port == 6379 ]] && command -v redis-server >/dev/null 2>&1; then
        log "starting Redis"
        (cd "${TMPDIR:-/tmp}" &&
            redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no) ||
            true
        wait_for 20 redis_up "$host" "$port" && return 0
    fi
    die "Redis is not reachable at $host:$port ($url).
Install and start it (Debian, as root):
    apt-get install -y redis-server
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no
or set CELERY_BROKER_URL and REDIS_URL=redis://HOST:PORT/N to a server you have."
}

ensure_redis "$REDIS_URL"
if [[ $CELERY_BROKER_URL == redis://* && $CELERY_BROKER_URL != "$REDIS_URL" ]]; then
    ensure_redis "$CELERY_BROKER_URL"
fi
ensure_postgres
# Check the credentials too, so a refused login says so here rather than in every test.
python - <<'PY' || die "PostgreSQL answers but refuses the login in DATABASE_URL=$DATABASE_URL
(on a fresh Debian server, allow it in pg_hba.conf or set a password and put it in the URL)."
import os
import sys

import psycopg

try:
    psycopg.connect(os.environ["DATABASE_URL"], dbname="postgres", connect_timeout=5).close()
except psycopg.Error as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
PY

# Each run gets its own var directory (uploads, generated PDFs, the filesystem broker if used).
made_var_dir=
if [[ -z ${PORTAL_VAR_DIR:-} ]]; then
    mkdir -p "$ROOT/var/test"
    PORTAL_VAR_DIR="$(mktemp -d "$ROOT/var/test/run.XXXXXX")"
    export PORTAL_VAR_DIR
    made_var_dir=1
fi
# shellcheck source=scripts/objectstore.sh
source "$ROOT/scripts/objectstore.sh"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    objectstore_stop
    if [[ -n $made_var_dir ]]; then rm -rf "$PORTAL_VAR_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Evidence and certificates go to a real S3-compatible object store for the whole suite, as in
# production (docker/compose.yml): a SeaweedFS started here on free loopback ports, its data in
# the run's var directory, stopped at exit. A STORAGE_URL already set (another store) is used
# as it is; STORAGE_URL=filesystem runs the suite on the filesystem instead.
if [[ ${STORAGE_URL:-} == filesystem ]]; then
    unset STORAGE_URL
elif [[ -z ${STORAGE_URL:-} ]]; then
    objectstore_start "$PORTAL_VAR_DIR/objectstore"
else
    python manage.py storage_ready --wait 10 || die "STORAGE_URL=$STORAGE_URL cannot store a file (above)."
fi
# WhiteNoise scans STATIC_ROOT when the live test server starts; pages are served from the
# finders in tests, so an empty folder is enough.
mkdir -p "$PORTAL_VAR_DIR/staticfiles"

lint_failed=0
log "ruff check ."
ruff check . || lint_failed=1
log "ruff format --check ."
ruff format --check . || lint_failed=1
# The dependency direction (pyproject.toml [tool.importlinter], docs/ARCHITECTURE.md).
log "lint-imports"
lint-imports --no-cache || lint_failed=1

if [[ $# -eq 0 ]]; then
    set -- --create-db
fi
log "pytest $*"
status=0
python -m pytest "$@" || status=$?

if [[ $status -eq 5 ]]; then
    printf '\nerror: pytest collected no tests; that counts as a failure.\n' >&2
elif [[ $status -eq 0 && $lint_failed -ne 0 ]]; then
    printf '\nerror: the tests passed but ruff or lint-imports did not (see above); "ruff format ." fixes formatting.\n' >&2
    status=1
fi
exit "$status"
