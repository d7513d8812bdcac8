#!/usr/bin/env bash
# Full sync of a large dataset while a write load runs on the primary:
# dual-channel vs classic (single channel) replication, same binary, same run.
# Prints sync time, the primary's peak replication buffer memory
# (mem_total_replication_buffers, and mem_clients_slaves: the part held for
# replicas beyond repl-backlog-size) and used_memory growth, and the primary
# main-thread CPU seconds spent during the sync, write latency (p50/p99/max)
# of a probe client during the sync, then the dual/classic ratios.
#
#   bench/bench_fullsync.sh [server-binary] [keys] [value-bytes]
#   KEYS defaults to 1000000, VALUE to 100. Writes come from redis-benchmark /
#   valkey-benchmark (-r 100000 lpush my_list __rand_int__) as in the seed.
set -euo pipefail
BIN=${1:-src/valkey-server}
NKEYS=${2:-1000000}
VSIZE=${3:-100}
BENCH=${BENCH:-$(command -v valkey-benchmark || command -v redis-benchmark)}
PY=/usr/bin/python3
[ -x "$BIN" ] || { echo "no server binary at $BIN" >&2; exit 1; }
WORK=$(mktemp -d /tmp/bench-fullsync.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_one() {   # $1 = yes|no (dual channel)
    local dual=$1 pp rp
    pp=$(free_port); rp=$(free_port)
    mkdir -p "$WORK/p$dual" "$WORK/r$dual"
    "$BIN" --port "$pp" --bind 127.0.0.1 --save "" --dir "$WORK/p$dual" --logfile "$WORK/p$dual/log" \
        --repl-diskless-sync yes --repl-diskless-sync-delay 0 --dual-channel-replication-enabled "$dual" \
        --client-output-buffer-limit "replica 0 0 0" --enable-debug-command yes &
    local ppid=$!
    "$BIN" --port "$rp" --bind 127.0.0.1 --save "" --dir "$WORK/r$dual" --logfile "$WORK/r$dual/log" \
        --dual-channel-replication-enabled "$dual" --client-output-buffer-limit "replica 0 0 0" &
    local rpid=$!
    sleep 0.5
    $PY - "$pp" "$rp" "$ppid" "$NKEYS" "$VSIZE" "$BENCH" "$dual" <<'PYEOF'
import os, subprocess, sys, time, redis
pp, rp, ppid, nkeys, vsize, bench, dual = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
P, R = redis.Redis(port=pp), redis.Redis(port=rp)
P.execute_command("DEBUG", "POPULATE", nkeys, "key", vsize)
def cpu():   # main thread only: its tid is the pid
    f = open("/proc/%d/task/%d/stat" % (ppid, ppid)).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
load = subprocess.Popen([bench, "-p", str(pp), "-r", "100000", "-n", "100000000", "-c", "4", "-q",
                         "lpush", "my_list", "__rand_int__"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.5)
import threading
lat, stop = [], threading.Event()
def probe():   # write latency seen by one more client during the sync
    c = redis.Redis(port=pp)
    while not stop.is_set():
        t = time.perf_counter(); c.set("probe", "x"); lat.append(time.perf_counter() - t)
        time.sleep(0.001)
th = threading.Thread(target=probe); th.start()
mem0 = P.info("memory")["used_memory"]
c0, t0 = cpu(), time.time()
R.execute_command("REPLICAOF", "127.0.0.1", pp)
peak_buf = peak_cob = peak_mem = 0
while True:
    m = P.info("memory")
    peak_buf = max(peak_buf, m.get("mem_total_replication_buffers", 0))
    peak_cob = max(peak_cob, m.get("mem_clients_slaves", 0))   # held for replicas beyond the backlog
    peak_mem = max(peak_mem, m["used_memory"])
    if R.info("replication").get("master_link_status") == "up":
        break
    time.sleep(0.02)
t1, c1 = time.time(), cpu()
stop.set(); th.join()
load.terminate(); load.wait()
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0
rpeak = R.info("replication").get("replicas_repl_buffer_peak", 0)
print("RESULT dual=%s sync_s=%.3f peak_repl_buf=%d peak_replica_cob=%d used_mem_growth=%d main_cpu_s=%.3f replica_buf_peak=%s "
      "write_p50_ms=%.3f write_p99_ms=%.3f write_max_ms=%.3f"
      % (dual, t1 - t0, peak_buf, peak_cob, peak_mem - mem0, c1 - c0, rpeak, pct(0.5), pct(0.99), lat[-1] * 1000 if lat else 0.0))
PYEOF
    kill "$ppid" "$rpid"; wait "$ppid" "$rpid" 2>/dev/null || true
}

echo "dataset: $NKEYS keys x $VSIZE bytes, write load: $(basename "$BENCH") lpush, binary: $BIN"
out_no=$(run_one no | grep RESULT)
out_yes=$(run_one yes | grep RESULT)
echo "$out_no"
echo "$out_yes"
$PY - "$out_no" "$out_yes" <<'PYEOF'
import sys
def parse(s): return {k: float(v) for k, v in (x.split("=") for x in s.split()[1:]) if k != "dual"}
a, b = parse(sys.argv[1]), parse(sys.argv[2])
def ratio(k): return "%.2f" % (b[k] / a[k]) if a[k] else "n/a"
print("ratios dual/classic: sync_time=%s peak_repl_buf=%s peak_replica_cob=%s used_mem_growth=%s main_cpu=%s write_p99=%s"
      % (ratio("sync_s"), ratio("peak_repl_buf"), ratio("peak_replica_cob"), ratio("used_mem_growth"), ratio("main_cpu_s"), ratio("write_p99_ms")))
PYEOF
