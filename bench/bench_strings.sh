#!/usr/bin/env bash
# Throughput of SET/GET/INCR/MSET: our server vs a reference server, measured
# in the same run with the same load generator, printing ours/reference ratios.
# Usage: bench/bench_strings.sh [our-server] [reference-server]
# Env: REQUESTS (default 200000), CLIENTS (50), PIPELINE (1), BENCH (load generator).
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-1}
BENCH=${BENCH:-/usr/bin/redis-benchmark}
TESTS=set,get,incr,mset

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PIDS=()
DIRS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for d in "${DIRS[@]:-}"; do [ -n "$d" ] && rm -rf "$d"; done
}
trap cleanup EXIT

start() { # binary -> prints port
    local bin=$1 port dir
    port=$(free_port)
    dir=$(mktemp -d)
    DIRS+=("$dir")
    "$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --daemonize no >"$dir/log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.05
    done
    echo "$port"
}

run() { # port -> "TEST rps" lines
    "$BENCH" -p "$1" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" -t "$TESTS" --csv -q 2>/dev/null |
        awk -F'","' 'NR>1 { gsub(/"/,""); split($0,a,","); print a[1], a[2] }'
}

P_OURS=$(start "$OURS")
P_REF=$(start "$REF")
# Interleave the two runs per test so drifting machine load hits both alike.
printf "%-22s %14s %14s %8s\n" test ours reference ratio
for t in ${TESTS//,/ }; do
    TESTS=$t
    o=$(run "$P_OURS" | head -1)
    r=$(run "$P_REF" | head -1)
    name=${o%% *}
    ro=${o##* }
    rr=${r##* }
    awk -v n="$name" -v a="$ro" -v b="$rr" 'BEGIN { printf "%-22s %14.0f %14.0f %8.2f\n", n, a, b, (b > 0 ? a / b : 0) }'
done
