#!/usr/bin/env bash
# Server instructions per request (valgrind callgrind), ours vs a reference
# server: repeatable on a noisy machine. Each server runs under callgrind; for
# every test the counters are zeroed, a fixed number of requests is sent with
# redis-benchmark, the counters are dumped and the total is divided by the count.
# Usage: bench/bench_callgrind.sh [our-server] [reference-server]
# Env: REQUESTS (default 20000), CLIENTS (50), PIPELINES ("1 16"), TESTS (set,get).
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
REQUESTS=${REQUESTS:-20000}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-set,get}
BENCH=${BENCH:-/usr/bin/redis-benchmark}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start() runs in a subshell (process substitution): servers and their
# directories are recorded in files so the EXIT trap can clean them up.
STATE=$(mktemp -d)
cleanup() {
    while read -r p; do kill "$p" 2>/dev/null || true; done < <(cat "$STATE/pids" 2>/dev/null)
    while read -r d; do rm -rf "$d"; done < <(cat "$STATE/dirs" 2>/dev/null)
    rm -rf "$STATE"
}
trap cleanup EXIT

start() { # binary -> prints "port pid dir"
    local bin=$1 port dir
    port=$(free_port)
    dir=$(mktemp -d)
    echo "$dir" >>"$STATE/dirs"
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.%p" \
        "$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --daemonize no >"$dir/log" 2>&1 &
    local pid=$!
    echo "$pid" >>"$STATE/pids"
    for _ in $(seq 400); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "$port $pid $dir"
}

# Instructions executed by the server while serving one benchmark run.
measure() { # port pid dir test pipeline -> instructions per request
    local port=$1 pid=$2 dir=$3 t=$4 p=$5
    # Warm up (key created, buffers grown) outside the counted window.
    "$BENCH" -p "$port" -n 2000 -c "$CLIENTS" -P "$p" -t "$t" -q >/dev/null 2>&1
    callgrind_control -z "$pid" >/dev/null 2>&1
    "$BENCH" -p "$port" -n "$REQUESTS" -c "$CLIENTS" -P "$p" -t "$t" -q >/dev/null 2>&1
    rm -f "$dir"/cg.*.[0-9]*
    callgrind_control -d "$pid" >/dev/null 2>&1
    local f
    f=$(ls -t "$dir"/cg.*.[0-9]* 2>/dev/null | head -1)
    awk -v n="$REQUESTS" '/^(summary|totals):/ { print int($2 / n); exit }' "$f"
}

read -r PO IO DO < <(start "$OURS")
read -r PR IR DR < <(start "$REF")
printf "# instructions per request, %s requests, %s clients; reference: %s\n" "$REQUESTS" "$CLIENTS" "$REF"
printf "%-6s %3s %10s %10s %8s\n" test P ours reference ratio
for p in $PIPELINES; do
    for t in ${TESTS//,/ }; do
        o=$(measure "$PO" "$IO" "$DO" "$t" "$p")
        r=$(measure "$PR" "$IR" "$DR" "$t" "$p")
        awk -v n="$t" -v p="$p" -v a="$o" -v b="$r" \
            'BEGIN { printf "%-6s %3d %10d %10d %8.2f\n", n, p, a, b, (b > 0 ? a / b : 0) }'
    done
done
