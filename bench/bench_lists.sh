#!/usr/bin/env bash
# Throughput of LPUSH/LPOP/LRANGE_100/HSET: our server vs a reference server,
# measured in the same run with the same load generator, printing
# ours/reference ratios (>= 1.0 is the target).
# Usage: bench/bench_lists.sh [our-server] [reference-server]
# Env: REQUESTS (default 200000), CLIENTS (50), PIPELINE (1), BENCH (load generator).
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-1}
BENCH=${BENCH:-/usr/bin/redis-benchmark}

. bench/lib.sh

# port, benchmark -t list, CSV test name prefix -> requests per second
run() {
    redis-cli -p "$1" flushall >/dev/null
    "$BENCH" -p "$1" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" -t "$2" --csv -q 2>/dev/null |
        awk -F'","' -v want="$3" 'NR>1 { gsub(/"/,""); split($0,a,","); if (index(a[1], want) == 1) { print a[2]; exit } }'
}

start_server "$OURS"
P_OURS=$PORT
start_server "$REF"
P_REF=$PORT
printf "%-22s %14s %14s %8s\n" test ours reference ratio
# "lpush,lpop": LPOP needs the list LPUSH fills first. LRANGE tests prefill themselves.
for spec in "lpush:lpush:LPUSH" "lpush,lpop:lpop:LPOP" "lrange_100:lrange_100:LRANGE_100" "hset:hset:HSET"; do
    IFS=: read -r tests name prefix <<<"$spec"
    o=$(run "$P_OURS" "$tests" "$prefix")
    r=$(run "$P_REF" "$tests" "$prefix")
    awk -v n="$name" -v a="${o:-0}" -v b="${r:-0}" 'BEGIN { printf "%-22s %14.0f %14.0f %8.2f\n", n, a, b, (b > 0 ? a / b : 0) }'
done
