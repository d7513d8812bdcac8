#!/usr/bin/env bash
# Throughput of SADD/SPOP/ZADD/ZPOPMIN/ZRANGE (100 members with scores) and
# the latency of SUNION over two 100,000-member sets: our server vs a
# reference server in the same run, same load generator; prints ours/ref
# ratios (throughput: >= 1.0 is the target; SUNION: ours time / ref time,
# <= 1.0 is the target).
# Usage: bench/bench_sets.sh [our-server] [reference-server]
# Env: REQUESTS (default 200000), CLIENTS (50), PIPELINE (1), KEYSPACE (100000),
#      BENCH (load generator, default Debian's redis-benchmark), SUNION_RUNS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-1}
KEYSPACE=${KEYSPACE:-100000}
BENCH=${BENCH:-/usr/bin/redis-benchmark}
SUNION_RUNS=${SUNION_RUNS:-5}
PY=/usr/bin/python3

. bench/lib.sh

# port, flush?, benchmark args... -> requests per second of the last CSV row
bench() {
    local port=$1 flush=$2
    shift 2
    [ "$flush" = 1 ] && redis-cli -p "$port" flushall >/dev/null
    "$BENCH" -p "$port" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" -r "$KEYSPACE" --csv -q "$@" 2>/dev/null |
        awk -F'","' 'NR>1 { gsub(/"/,""); split($0,a,","); rps=a[2] } END { print rps }'
}

fill_zrange() { # port: a 100-member zset for the ZRANGE test
    local args=()
    for i in $(seq 1 100); do args+=("$i" "member:$i"); done
    redis-cli -p "$1" del zr >/dev/null
    redis-cli -p "$1" zadd zr "${args[@]}" >/dev/null
}

row() {
    awk -v n="$1" -v a="${2:-0}" -v b="${3:-0}" \
        'BEGIN { printf "%-22s %14.0f %14.0f %8.2f\n", n, a, b, (b > 0 ? a / b : 0) }'
}

start_server "$OURS"
P_OURS=$PORT
start_server "$REF"
P_REF=$PORT
printf "%-22s %14s %14s %8s\n" test ours reference ratio
row sadd "$(bench "$P_OURS" 1 -t sadd)" "$(bench "$P_REF" 1 -t sadd)"
# SPOP pops from the set SADD just filled (no flush in between).
row spop "$(bench "$P_OURS" 0 -t spop)" "$(bench "$P_REF" 0 -t spop)"
row zadd "$(bench "$P_OURS" 1 -t zadd)" "$(bench "$P_REF" 1 -t zadd)"
row zpopmin "$(bench "$P_OURS" 0 -t zpopmin)" "$(bench "$P_REF" 0 -t zpopmin)"
fill_zrange "$P_OURS"
fill_zrange "$P_REF"
row zrange_100_withscores "$(bench "$P_OURS" 0 zrange zr 0 -1 withscores)" \
    "$(bench "$P_REF" 0 zrange zr 0 -1 withscores)"

# SUNION of two 100k-member sets (50k overlap): median wall time of a few runs.
"$PY" - "$P_OURS" "$P_REF" "$SUNION_RUNS" <<'PYEOF'
import sys, time
import redis
ports, runs = sys.argv[1:3], int(sys.argv[3])
def prep(port):
    r = redis.Redis(port=int(port))
    r.flushall()
    for key, base in (("sa", 0), ("sb", 50000)):
        p = r.pipeline(transaction=False)
        for i in range(0, 100000, 1000):
            p.sadd(key, *["m%d" % (base + j) for j in range(i, i + 1000)])
        p.execute()
    return r
def timed(r, *cmd):
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        res = r.execute_command(*cmd)
        out.append(time.perf_counter() - t)
    assert (res if isinstance(res, int) else len(res)) == 150000
    return sorted(out)[len(out) // 2]
def server_ms(r, cmd):
    st = r.info("commandstats").get("cmdstat_" + cmd.lower(), {})
    return st.get("usec_per_call", 0) / 1000.0
rs = [prep(p) for p in ports]
for name, cmd in (("sunion_2x100k", ("SUNION", "sa", "sb")),
                  ("sunionstore_2x100k", ("SUNIONSTORE", "dst", "sa", "sb"))):
    for r in rs:
        r.config_resetstat()
    a, b = (timed(r, *cmd) * 1000 for r in rs)
    print("%-22s %14.1f %14.1f %8.2f   (wall ms, client included)" % (name, a, b, a / b))
    a, b = (server_ms(r, cmd[0]) for r in rs)
    if a and b:
        print("%-22s %14.1f %14.1f %8.2f   (server ms per call)" % (name, a, b, a / b))
PYEOF
