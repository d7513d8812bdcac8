#!/usr/bin/env bash
# Request throughput of our server vs a reference server, same load generator
# (Debian's redis-benchmark), same settings, in one run; prints rps and ratio.
# Tests alternate between the two servers so machine noise hits both alike.
# Usage: bench/bench_throughput.sh [our-server] [reference-server]
# Env: REQUESTS (default 200000), CLIENTS (50), PIPELINES ("1 16"),
#      TESTS (ping_inline,ping_mbulk,set,get,incr,mset), BENCH (load generator),
#      ROUNDS (3: each test runs this many times per server, best kept, so a
#      burst of foreign load on a shared machine does not decide the ratio).
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-ping_inline,ping_mbulk,set,get,incr,mset}
BENCH=${BENCH:-/usr/bin/redis-benchmark}
ROUNDS=${ROUNDS:-3}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start() runs in a command substitution (a subshell): servers and their
# directories are recorded in files so the EXIT trap can clean them up.
STATE=$(mktemp -d)
cleanup() {
    while read -r p; do kill "$p" 2>/dev/null || true; done < <(cat "$STATE/pids" 2>/dev/null)
    while read -r d; do rm -rf "$d"; done < <(cat "$STATE/dirs" 2>/dev/null)
    rm -rf "$STATE"
}
trap cleanup EXIT

start() { # binary -> prints port
    local bin=$1 port dir
    port=$(free_port)
    dir=$(mktemp -d)
    echo "$dir" >>"$STATE/dirs"
    "$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --daemonize no >"$dir/log" 2>&1 &
    echo $! >>"$STATE/pids"
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
printf "# %s clients, %s requests per test, best of %s; reference: %s\n" "$CLIENTS" "$REQUESTS" "$ROUNDS" "$REF"
printf "%-14s %3s %14s %14s %8s\n" test P ours reference ratio
for p in $PIPELINES; do
    for t in ${TESTS//,/ }; do
        o=0
        r=0
        for _ in $(seq "$ROUNDS"); do
            v=$(run "$P_OURS" "$t" "$p")
            o=$(awk -v a="$o" -v b="${v:-0}" 'BEGIN { print (b > a ? b : a) }')
            v=$(run "$P_REF" "$t" "$p")
            r=$(awk -v a="$r" -v b="${v:-0}" 'BEGIN { print (b > a ? b : a) }')
        done
        awk -v n="$t" -v p="$p" -v a="${o:-0}" -v b="${r:-0}" \
            'BEGIN { printf "%-14s %3d %14.0f %14.0f %8.2f\n", n, p, a, b, (b > 0 ? a / b : 0) }'
    done
done
