#!/usr/bin/env bash
# Request throughput of our server vs a reference server, same load generator
# (Debian's redis-benchmark), same settings, in one run; prints rps and ratio.
# Tests alternate between the two servers so machine noise hits both alike.
# Usage: bench/bench_throughput.sh [our-server] [reference-server]
# Env: REQUESTS (default 200000), CLIENTS (50), PIPELINES ("1 16"),
#      TESTS (ping_inline,ping_mbulk,set,get,incr,mset), BENCH (load generator).
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-ping_inline,ping_mbulk,set,get,incr,mset}
BENCH=${BENCH:-/usr/bin/redis-benchmark}

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

run() { # port test pipeline -> rps
    "$BENCH" -p "$1" -n "$REQUESTS" -c "$CLIENTS" -P "$3" -t "$2" --csv -q 2>/dev/null |
        awk -F'","' 'NR>1 { gsub(/"/,""); split($0,a,","); print a[2]; exit }'
}

P_OURS=$(start "$OURS")
P_REF=$(start "$REF")
printf "# %s clients, %s requests per test; reference: %s\n" "$CLIENTS" "$REQUESTS" "$REF"
printf "%-14s %3s %14s %14s %8s\n" test P ours reference ratio
for p in $PIPELINES; do
    for t in ${TESTS//,/ }; do
        o=$(run "$P_OURS" "$t" "$p")
        r=$(run "$P_REF" "$t" "$p")
        awk -v n="$t" -v p="$p" -v a="${o:-0}" -v b="${r:-0}" \
            'BEGIN { printf "%-14s %3d %14.0f %14.0f %8.2f\n", n, p, a, b, (b > 0 ? a / b : 0) }'
    done
done
