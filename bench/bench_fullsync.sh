#!/usr/bin/env bash
# Full sync of a large dataset while load runs on the primary, three setups in
# the same run, each a primary+replica pair of one binary:
#   ours-dual     our server, dual-channel replication
#   ours-classic  our server, single channel
#   ref-classic   a reference server (default Debian's redis-server 7.0, which
#                 has no dual channel), single channel
# and two load variants:
#   write     valkey-benchmark -r 100000 lpush my_list __rand_int__ (the seed's)
#   heavyread the same writes plus clients looping SUNION and SDIFF of two
#             large sets on the primary
# Per run it records sync time, the primary's peak replication buffer memory
# (mem_total_replication_buffers, and mem_clients_slaves: the part held for
# replicas beyond repl-backlog-size), used_memory growth, primary main-thread
# CPU seconds during the sync, and write latency p50/p99/max of a probe
# client. Then prints a table, the target ratios of issues 7 and 8, and draws
# PNG graphs with matplotlib (bench/fullsync_plot.py) into $OUT.
# Write p99 is given twice: over each setup's own sync (p99_ms), and over the
# same window for ours-dual and ours-classic (p99w_ms): from REPLICAOF for as
# long as the longer of their two syncs. A sync that does the same work in less
# time packs its disturbance into fewer probes, and a one-off stall (the fork)
# weighs more in a short window; the same window compares what the clients of
# each setup went through over one period that contains both syncs whole.
#
#   bench/bench_fullsync.sh [our-server] [reference-server]
#     defaults: src/valkey-server, /usr/bin/redis-server
#   env: DATASET_MB   dataset filled by DEBUG POPULATE (default 300; the
#                     issues' sizes are 1024 (issue 7) and several GB (issue 8))
#        VALUE_BYTES  value size of the populated keys (default 1000)
#        SET_MEMBERS  members of each of the two read-load sets (default 200000)
#        LOADS        load variants to run (default "write heavyread")
#        READERS      clients per read command in heavyread (default 2)
#        PROBE_TAIL_S seconds the latency probe keeps running after the link is
#                     up (default 5), see "same window" below
#        OUT          output dir (default bench/out, gitignored)
#        BENCH        load generator (default: valkey-benchmark next to our
#                     server, else on PATH, else redis-benchmark)
set -euo pipefail
BIN=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
DATASET_MB=${DATASET_MB:-300}
VALUE_BYTES=${VALUE_BYTES:-1000}
SET_MEMBERS=${SET_MEMBERS:-200000}
LOADS=${LOADS:-"write heavyread"}
READERS=${READERS:-2}
PROBE_TAIL_S=${PROBE_TAIL_S:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
if [ -z "${BENCH:-}" ]; then
    BENCH=$(dirname "$BIN")/valkey-benchmark
    [ -x "$BENCH" ] || BENCH=$(command -v valkey-benchmark || command -v redis-benchmark)
fi
PY=/usr/bin/python3
for b in "$BIN" "$REF" "$BENCH"; do [ -x "$b" ] || { echo "not executable: $b" >&2; exit 1; }; done
NKEYS=$(( DATASET_MB * 1000000 / VALUE_BYTES ))
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/bench-fullsync.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# $1 label, $2 binary, $3 yes|no dual channel (ignored for the reference), $4 load
run_one() {
    local label=$1 bin=$2 dual=$3 load=$4 pp rp extra=()
    pp=$(free_port); rp=$(free_port)
    local d="$WORK/$label-$load"
    mkdir -p "$d/p" "$d/r"
    # the reference has no dual channel option at all: leave it out there
    [ "$label" = ref-classic ] || extra=(--dual-channel-replication-enabled "$dual")
    "$bin" --port "$pp" --bind 127.0.0.1 --save "" --appendonly no --dir "$d/p" --logfile "$d/p/log" \
        --repl-diskless-sync yes --repl-diskless-sync-delay 0 "${extra[@]}" \
        --client-output-buffer-limit "replica 0 0 0" --enable-debug-command yes &
    local ppid=$!
    "$bin" --port "$rp" --bind 127.0.0.1 --save "" --appendonly no --dir "$d/r" --logfile "$d/r/log" \
        "${extra[@]}" --client-output-buffer-limit "replica 0 0 0" &
    local rpid=$!
    sleep 0.5
    $PY - "$pp" "$rp" "$ppid" "$NKEYS" "$VALUE_BYTES" "$BENCH" "$label" "$load" "$SET_MEMBERS" "$READERS" \
        "$PROBE_TAIL_S" "$WORK/lat-$label-$load" <<'PYEOF' || true
import os, subprocess, sys, threading, time, redis
pp, rp, ppid, nkeys, vsize = (int(x) for x in sys.argv[1:6])
bench, label, load, nmembers, readers = sys.argv[6], sys.argv[7], sys.argv[8], int(sys.argv[9]), int(sys.argv[10])
tail_s, latfile = float(sys.argv[11]), sys.argv[12]
P, R = redis.Redis(port=pp), redis.Redis(port=rp)
for _ in range(50):
    try:
        P.ping(); R.ping(); break
    except redis.ConnectionError:
        time.sleep(0.1)
P.execute_command("DEBUG", "POPULATE", nkeys, "key", vsize)
if load == "heavyread":   # two overlapping sets: half of each is shared
    for name, base in ((b"setA", 0), (b"setB", nmembers // 2)):
        pipe = P.pipeline(transaction=False)
        for i in range(0, nmembers, 5000):
            pipe.sadd(name, *[b"m%d" % j for j in range(base + i, base + min(i + 5000, nmembers))])
        pipe.execute()
def cpu():   # main thread only: its tid is the pid
    f = open("/proc/%d/task/%d/stat" % (ppid, ppid)).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def spawn(*cmd, c=4):
    return subprocess.Popen([bench, "-p", str(pp), "-n", "100000000", "-c", str(c), "-q", *cmd],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
procs = [spawn("-r", "100000", "lpush", "my_list", "__rand_int__")]
if load == "heavyread":
    procs += [spawn("sunion", "setA", "setB", c=readers), spawn("sdiff", "setA", "setB", c=readers)]
time.sleep(0.5)
samples, stop = [], threading.Event()   # (start time, latency) of each probe
def probe():   # write latency seen by one more client during the sync (and PROBE_TAIL_S after)
    c = redis.Redis(port=pp)
    while not stop.is_set():
        t = time.perf_counter(); c.set("probe", "x"); samples.append((t, time.perf_counter() - t))
        time.sleep(0.001)
th = threading.Thread(target=probe); th.start()
mem0 = P.info("memory")["used_memory"]
c0, t0, pc0 = cpu(), time.time(), time.perf_counter()
R.execute_command("REPLICAOF", "127.0.0.1", pp)
peak_buf = peak_cob = peak_mem = 0
ok = 0
while time.time() - t0 < 900:
    m = P.info("memory")
    peak_buf = max(peak_buf, m.get("mem_total_replication_buffers", 0))
    peak_cob = max(peak_cob, m.get("mem_clients_slaves", 0))
    peak_mem = max(peak_mem, m["used_memory"])
    if R.info("replication").get("master_link_status") == "up":
        ok = 1
        break
    time.sleep(0.02)
t1, c1, pc1 = time.time(), cpu(), time.perf_counter()
# same-window percentiles need probes past this sync's end (see the header)
while ok and time.perf_counter() - pc1 < tail_s:
    time.sleep(0.05)
stop.set(); th.join()
with open(latfile, "w") as f:   # probe start relative to REPLICAOF, latency (s)
    f.writelines("%.6f %.6f\n" % (t - pc0, l) for t, l in samples if t >= pc0)
lat = [l for t, l in samples if pc0 <= t <= pc1]
for p in procs:
    p.terminate(); p.wait()
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0
print("RESULT label=%s load=%s ok=%d sync_s=%.3f peak_repl_buf=%d peak_replica_cob=%d used_mem_growth=%d "
      "main_cpu_s=%.3f write_p50_ms=%.3f write_p99_ms=%.3f write_max_ms=%.3f probes=%d"
      % (label, load, ok, pc1 - pc0, peak_buf, peak_cob, peak_mem - mem0, c1 - c0,
         pct(0.5), pct(0.99), lat[-1] * 1000 if lat else 0.0, len(lat)))
PYEOF
    kill "$ppid" "$rpid" 2>/dev/null; wait "$ppid" "$rpid" 2>/dev/null || true
}

echo "dataset: ${DATASET_MB} MB = $NKEYS keys x $VALUE_BYTES bytes; sets: 2 x $SET_MEMBERS members (heavyread)"
echo "ours: $BIN   reference: $REF ($("$REF" --version | cut -d' ' -f1-3))   load: $BENCH"
RES="$OUT/fullsync_results.txt"
: > "$RES"
for load in $LOADS; do
    run_one ours-dual "$BIN" yes "$load" | grep RESULT | tee -a "$RES"
    run_one ours-classic "$BIN" no "$load" | grep RESULT | tee -a "$RES"
    run_one ref-classic "$REF" no "$load" | grep RESULT | tee -a "$RES"
done

$PY - "$RES" "$WORK" "$PROBE_TAIL_S" <<'PYEOF'
import os, sys
rows = {}
for line in open(sys.argv[1]):
    kv = dict(x.split("=", 1) for x in line.split()[1:])
    rows[(kv["label"], kv["load"])] = {k: (v if k in ("label", "load") else float(v)) for k, v in kv.items()}
# Same window for ours-dual and ours-classic of a load: from REPLICAOF for
# the longer of their two syncs (each probed PROBE_TAIL_S past its own end).
tail = float(sys.argv[3])
windows = {}
for load in {ld for _, ld in rows}:
    pair = [rows[(s, load)] for s in ("ours-dual", "ours-classic") if (s, load) in rows]
    if len(pair) == 2 and all(r["ok"] for r in pair):
        windows[load] = max(r["sync_s"] for r in pair)
for (label, load), r in rows.items():
    w, r["write_p99w_ms"] = windows.get(load), float("nan")
    path = os.path.join(sys.argv[2], "lat-%s-%s" % (label, load))
    if w is None or not os.path.exists(path) or w > r["sync_s"] + tail:
        continue   # not compared, or not probed for the whole window
    lat = sorted(float(l) for t, l in (x.split() for x in open(path)) if float(t) <= w)
    if lat:
        r["write_p99w_ms"] = lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000
cols = ["sync_s", "peak_repl_buf", "peak_replica_cob", "used_mem_growth", "main_cpu_s",
        "write_p50_ms", "write_p99_ms", "write_max_ms", "write_p99w_ms"]
print()
print("%-10s %-13s %3s %8s %14s %14s %14s %9s %8s %8s %9s %8s" % ("load", "setup", "ok", "sync_s", "peak_repl_buf",
      "peak_repl_cob", "used_mem_grow", "cpu_s", "p50_ms", "p99_ms", "max_ms", "p99w_ms"))
for (label, load), r in rows.items():
    print("%-10s %-13s %3d %8.2f %14d %14d %14d %9.2f %8.2f %8.2f %9.2f %8.2f" % (
        (load, label, r["ok"]) + tuple(r[c] for c in cols)))
for load, w in sorted(windows.items()):
    print("p99w_ms window for %s: %.2f s from REPLICAOF" % (load, w))
def ratio(a, b, load, key):
    x, y = rows.get((a, load)), rows.get((b, load))
    if not x or not y or not y[key] or x[key] != x[key] or y[key] != y[key]:   # missing, zero or NaN
        return None
    return x[key] / y[key]
checks = []   # (issue, description, load, a, b, key, limit)
for load in ("write", "heavyread"):
    checks += [
        (8, "peak repl buffer", load, "ours-dual", "ours-classic", "peak_repl_buf", 0.30),
        (8, "write p99", load, "ours-dual", "ours-classic", "write_p99_ms", 1.00),
        (8, "write p99 same window", load, "ours-dual", "ours-classic", "write_p99w_ms", 1.00),
        (8, "sync time", load, "ours-dual", "ref-classic", "sync_s", 1.00),
        (8, "peak repl buffer", load, "ours-dual", "ref-classic", "peak_repl_buf", 0.30),
        (7, "sync time", load, "ours-classic", "ref-classic", "sync_s", 1.00),
    ]
checks.append((8, "sync time", "heavyread", "ours-dual", "ours-classic", "sync_s", 0.70))
print("\nratios (target in brackets):")
for issue, what, load, a, b, key, limit in checks:
    r = ratio(a, b, load, key)
    if r is None:
        continue
    print("  issue %d %-9s %-28s %-21s %6.2f  [<= %.2f] %s" % (issue, load, "%s/%s" % (a, b), what, r, limit,
                                                               "PASS" if r <= limit else "MISS"))
PYEOF

if $PY -c 'import matplotlib' 2>/dev/null; then
    $PY "$HERE/fullsync_plot.py" "$RES" "$OUT"
else
    echo "matplotlib not found for $PY: skipping the graphs"
fi
