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

. bench/lib.sh

run() { # port -> "TEST rps" lines
    "$BENCH" -p "$1" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" -t "$TESTS" --csv -q 2>/dev/null |
        awk -F'","' 'NR>1 { gsub(/"/,""); split($0,a,","); print a[1], a[2] }'
}

start_server "$OURS"
P_OURS=$PORT
start_server "$REF"
P_REF=$PORT
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
