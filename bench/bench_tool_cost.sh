#!/usr/bin/env bash
# Client-side cost of valkey-benchmark versus Debian's redis-benchmark: both
# tools run the same load against the same server in the same session, and we
# report CPU microseconds (user+sys) per request and the ratio ours/reference.
# Usage: bench/bench_tool_cost.sh [-n requests] [-t tests] [-P "1 16"] [--callgrind]
#   env: BENCH_BIN (default src/valkey-benchmark), REF_BENCH_BIN (/usr/bin/redis-benchmark),
#        SERVER_BIN (/usr/bin/redis-server), CLIENTS (50)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_BIN=${BENCH_BIN:-$ROOT/src/valkey-benchmark}
REF_BENCH_BIN=${REF_BENCH_BIN:-/usr/bin/redis-benchmark}
SERVER_BIN=${SERVER_BIN:-/usr/bin/redis-server}
CLIENTS=${CLIENTS:-50}
REQUESTS=200000
TESTS=set,get,lrange_100
PIPELINES="1 16"
CALLGRIND=0
while [ $# -gt 0 ]; do
    case "$1" in
        -n) REQUESTS=$2; shift 2 ;;
        -t) TESTS=$2; shift 2 ;;
        -P) PIPELINES=$2; shift 2 ;;
        --callgrind) CALLGRIND=1; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
for b in "$BENCH_BIN" "$REF_BENCH_BIN" "$SERVER_BIN"; do
    [ -x "$b" ] || { echo "missing binary: $b" >&2; exit 2; }
done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
"$SERVER_BIN" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
    --logfile "$WORK/server.log" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
    "$BENCH_BIN" -p "$PORT" -n 1 -c 1 -q -t ping_mbulk >/dev/null 2>&1 && break
    sleep 0.1
done

ntests=$(echo "$TESTS" | tr ',' '\n' | grep -c .)
# lrange_* tests add one LPUSH pass of -n requests each time any is selected.
if echo "$TESTS" | grep -q lrange; then ntests=$((ntests + 1)); fi
total=$((REQUESTS * ntests))

# CPU seconds (user+sys) of one tool run.
cpu_of() {
    /usr/bin/time -f "%U %S" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
    awk '{ printf "%.3f", $1 + $2 }' "$WORK/time"
}

# Instructions executed by the tool itself (callgrind, slow: use a small -n).
instr_of() {
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" >/dev/null 2>"$WORK/cg.err"
    grep -m1 '^summary:\|^totals:' "$WORK/cg.out" | awk '{ print $2 }'
}

printf "server: %s  clients: %s  requests: %s x %s tests\n" "$SERVER_BIN" "$CLIENTS" "$REQUESTS" "$ntests"
printf "%-4s %14s %14s %8s\n" "-P" "ours us/req" "ref us/req" "ratio"
for P in $PIPELINES; do
    args=(-h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -P "$P" -q -t "$TESTS")
    ours=$(cpu_of "$BENCH_BIN" "${args[@]}")
    ref=$(cpu_of "$REF_BENCH_BIN" "${args[@]}")
    awk -v p="$P" -v o="$ours" -v r="$ref" -v n="$total" 'BEGIN {
        printf "%-4s %14.3f %14.3f %8.2f\n", p, o * 1e6 / n, r * 1e6 / n, (r > 0 ? o / r : 0) }'
done
if [ "$CALLGRIND" = 1 ]; then
    command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 2; }
    small=$((REQUESTS / 10))
    printf "\ncallgrind, %s requests x %s tests, -P 1\n" "$small" "$ntests"
    args=(-h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$small" -q -t "$TESTS")
    ours=$(instr_of "$BENCH_BIN" "${args[@]}")
    ref=$(instr_of "$REF_BENCH_BIN" "${args[@]}")
    awk -v o="$ours" -v r="$ref" -v n="$((small * ntests))" 'BEGIN {
        printf "instructions/request: ours %.0f  ref %.0f  ratio %.2f\n", o / n, r / n, o / r }'
fi
