#!/usr/bin/env bash
# Memory per key: DEBUG POPULATE N small string keys into our server and into a
# reference server, print used_memory growth per key for both and the ratio.
# Usage: bench/bench_memory.sh [our-server] [reference-server]   Env: KEYS (1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
KEYS=${KEYS:-1000000}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PIDS=()
DIRS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for d in "${DIRS[@]:-}"; do [ -n "$d" ] && rm -rf "$d"; done
}
trap cleanup EXIT

used_memory() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1=="used_memory" {print $2}'; }

measure() { # binary -> bytes per key
    local bin=$1 port dir before after
    port=$(free_port)
    dir=$(mktemp -d)
    DIRS+=("$dir")
    "$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --enable-debug-command yes >"$dir/log" 2>&1 &
    local pid=$!
    PIDS+=($pid)
    for _ in $(seq 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.05
    done
    before=$(used_memory "$port")
    redis-cli -p "$port" debug populate "$KEYS" >/dev/null
    after=$(used_memory "$port")
    kill "$pid" 2>/dev/null || true
    awk -v a="$after" -v b="$before" -v n="$KEYS" 'BEGIN { printf "%.1f", (a - b) / n }'
}

ours=$(measure "$OURS")
ref=$(measure "$REF")
printf "DEBUG POPULATE %d: bytes of used_memory per key\n" "$KEYS"
printf "  ours:      %s\n  reference: %s (%s)\n" "$ours" "$ref" "$REF"
awk -v a="$ours" -v b="$ref" 'BEGIN { printf "  ratio ours/reference: %.2f\n", a / b }'
