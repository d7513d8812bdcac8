# Shared helpers for the bench/ scripts (sourced, not run).
# start_server BINARY [extra args...]  starts a server on a free loopback port in a
# temporary directory and sets PORT; every server started this way is stopped and
# its directory removed when the script exits. Call it directly, not inside $(...),
# so the cleanup list survives.

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

BENCH_PIDS=()
BENCH_DIRS=()
bench_cleanup() {
    for p in "${BENCH_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for p in "${BENCH_PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
    for d in "${BENCH_DIRS[@]:-}"; do [ -n "$d" ] && rm -rf "$d"; done
}
trap bench_cleanup EXIT

start_server() {
    local bin=$1 dir
    shift
    PORT=$(free_port)
    dir=$(mktemp -d)
    BENCH_DIRS+=("$dir")
    "$bin" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --daemonize no "$@" >"$dir/log" 2>&1 &
    BENCH_PIDS+=($!)
    for _ in $(seq 200); do
        redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "server $bin did not start; log:" >&2
    cat "$dir/log" >&2
    return 1
}
