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
#   env: DATASET_MB   dataset of the write load, filled by DEBUG POPULATE
#                     (default 2048: issue 8 asks for several GB; the seed's
#                     RDB was 3.7 GB)
#        HEAVY_DATASET_MB  dataset of the heavyread load (default 300: there
#                     the reference relays the snapshot through a main thread
#                     busy with SUNION/SDIFF and needs ~70 s per 300 MB)
#        VALUE_BYTES  value size of the populated keys (default 1000)
#        SET_MEMBERS  members of each of the two read-load sets (default 200000)
#        LOADS        load variants to run (default "write heavyread")
#        READERS      clients per read command in heavyread (default 2)
#        WRITERS      lpush clients of the write load (default 50: valkey-
#                     benchmark's default, which the seed's setup used)
#        ROUNDS       runs of each setup, interleaved (default 1); with more,
#                     the table and the ratios use each metric's median over
#                     the rounds (p99 of one sync swings +-20% on a 2-core box)
#        PROBE_TAIL_S seconds the latency probe keeps running after the link is
#                     up (default 5), see "same window" below
#        TLS          set to 1: replication over TLS (tls-replication yes, the
#                     replica attaches to the primary's tls-port; the loads and
#                     the probe stay on the plain port, as valkey-benchmark has
#                     no TLS). Needs both binaries built with TLS (ours:
#                     make BUILD_TLS=yes). Over TLS a classic sync cannot let
#                     the fork child write the replica's connection (the
#                     parent keeps using that session), so the parent relays
#                     the snapshot from a pipe: the seed's case for dual channel.
#        SETUPS       which setups to run (default all three)
#        KEEP         set: keep the servers' dirs and logs (path printed)
#        OUT          output dir (default bench/out, gitignored)
#        BENCH        load generator (default: valkey-benchmark next to our
#                     server, else on PATH, else redis-benchmark)
set -euo pipefail
BIN=${1:-src/valkey-server}
REF=${2:-/usr/bin/redis-server}
DATASET_MB=${DATASET_MB:-2048}
HEAVY_DATASET_MB=${HEAVY_DATASET_MB:-300}
VALUE_BYTES=${VALUE_BYTES:-1000}
SET_MEMBERS=${SET_MEMBERS:-200000}
LOADS=${LOADS:-"write heavyread"}
READERS=${READERS:-2}
WRITERS=${WRITERS:-50}
ROUNDS=${ROUNDS:-1}
SETUPS=${SETUPS:-"ours-dual ours-classic ref-classic"}
TLS=${TLS:-}
PROBE_TAIL_S=${PROBE_TAIL_S:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
if [ -z "${BENCH:-}" ]; then
    BENCH=$(dirname "$BIN")/valkey-benchmark
    [ -x "$BENCH" ] || BENCH=$(command -v valkey-benchmark || command -v redis-benchmark)
fi
PY=/usr/bin/python3
for b in "$BIN" "$REF" "$BENCH"; do [ -x "$b" ] || { echo "not executable: $b" >&2; exit 1; }; done
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/bench-fullsync.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

TLS_ARGS=()
if [ -n "$TLS" ]; then
    sh "$HERE/../utils/gen-test-certs.sh" "$WORK/certs" >/dev/null
    TLS_ARGS=(--tls-cert-file "$WORK/certs/valkey.crt" --tls-key-file "$WORK/certs/valkey.key"
              --tls-ca-cert-file "$WORK/certs/ca.crt" --tls-replication yes)
fi

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# $1 label, $2 binary, $3 yes|no dual channel (ignored for the reference), $4 load, $5 round
run_one() {
    local label=$1 bin=$2 dual=$3 load=$4 round=$5 pp rp tp extra=()
    pp=$(free_port); rp=$(free_port); tp=$pp
    local ptls=() rtls=()
    if [ -n "$TLS" ]; then   # the replica links to the primary's TLS port
        tp=$(free_port)
        ptls=(--tls-port "$tp" "${TLS_ARGS[@]}")
        rtls=("${TLS_ARGS[@]}")
    fi
    local d="$WORK/$label-$load-$round" mb=$DATASET_MB
    [ "$load" != heavyread ] || mb=$HEAVY_DATASET_MB
    mkdir -p "$d/p" "$d/r"
    # the reference has no dual channel option at all: leave it out there
    [ "$label" = ref-classic ] || extra=(--dual-channel-replication-enabled "$dual")
    "$bin" --port "$pp" --bind 127.0.0.1 --save "" --appendonly no --dir "$d/p" --logfile "$d/p/log" \
        --repl-diskless-sync yes --repl-diskless-sync-delay 0 "${extra[@]}" \
        --client-output-buffer-limit "replica 0 0 0" --enable-debug-command yes "${ptls[@]}" &
    local ppid=$!
    "$bin" --port "$rp" --bind 127.0.0.1 --save "" --appendonly no --dir "$d/r" --logfile "$d/r/log" \
        "${extra[@]}" --client-output-buffer-limit "replica 0 0 0" "${rtls[@]}" &
    local rpid=$!
    sleep 0.5
    $PY - "$pp" "$rp" "$ppid" "$(( mb * 1000000 / VALUE_BYTES ))" "$VALUE_BYTES" "$BENCH" "$label" "$load" "$SET_MEMBERS" "$READERS" \
        "$PROBE_TAIL_S" "$WORK/lat-$label-$load-$round" "$round" "$WRITERS" "$tp" <<'PYEOF' || true
import os, subprocess, sys, threading, time, redis
pp, rp, ppid, nkeys, vsize = (int(x) for x in sys.argv[1:6])
bench, label, load, nmembers, readers = sys.argv[6], sys.argv[7], sys.argv[8], int(sys.argv[9]), int(sys.argv[10])
tail_s, latfile, rnd, writers, link_port = float(sys.argv[11]), sys.argv[12], int(sys.argv[13]), int(sys.argv[14]), int(sys.argv[15])
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
procs = [spawn("-r", "100000", "lpush", "my_list", "__rand_int__", c=writers)]
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
R.execute_command("REPLICAOF", "127.0.0.1", link_port)
peaks = {"buf": 0, "cob": 0, "mem": mem0}
synced = threading.Event()
def sample_primary():   # its own thread: a busy primary answers INFO late, the replica's poll must not wait
    Pm = redis.Redis(port=pp)
    while not synced.is_set():
        m = Pm.info("memory")
        peaks["buf"] = max(peaks["buf"], m.get("mem_total_replication_buffers", 0))
        peaks["cob"] = max(peaks["cob"], m.get("mem_clients_slaves", 0))
        peaks["mem"] = max(peaks["mem"], m["used_memory"])
        time.sleep(0.02)
sampler = threading.Thread(target=sample_primary); sampler.start()
ok = 0
while time.time() - t0 < 900:
    if R.info("replication").get("master_link_status") == "up":
        ok = 1
        break
    time.sleep(0.005)
t1, c1, pc1 = time.time(), cpu(), time.perf_counter()
synced.set(); sampler.join()
peak_buf, peak_cob, peak_mem = peaks["buf"], peaks["cob"], peaks["mem"]
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
print("RESULT label=%s load=%s round=%d ok=%d sync_s=%.3f peak_repl_buf=%d peak_replica_cob=%d used_mem_growth=%d "
      "main_cpu_s=%.3f write_p50_ms=%.3f write_p99_ms=%.3f write_max_ms=%.3f probes=%d"
      % (label, load, rnd, ok, pc1 - pc0, peak_buf, peak_cob, peak_mem - mem0, c1 - c0,
         pct(0.5), pct(0.99), lat[-1] * 1000 if lat else 0.0, len(lat)))
PYEOF
    kill "$ppid" "$rpid" 2>/dev/null; wait "$ppid" "$rpid" 2>/dev/null || true
}

echo "dataset: write ${DATASET_MB} MB, heavyread ${HEAVY_DATASET_MB} MB, in $VALUE_BYTES-byte values; sets: 2 x $SET_MEMBERS members (heavyread)"
[ -z "${KEEP:-}" ] || echo "servers' dirs and logs kept in $WORK"
echo "write load: $WRITERS lpush clients; rounds: $ROUNDS; replication over $([ -n "$TLS" ] && echo TLS || echo TCP)"
echo "ours: $BIN   reference: $REF ($("$REF" --version | cut -d' ' -f1-3))   load: $BENCH"
RES="$OUT/fullsync_results.txt"
: > "$RES"
for load in $LOADS; do
    for round in $(seq 1 "$ROUNDS"); do
        for setup in $SETUPS; do
            case $setup in
                ours-dual) run_one ours-dual "$BIN" yes "$load" "$round" ;;
                ours-classic) run_one ours-classic "$BIN" no "$load" "$round" ;;
                ref-classic) run_one ref-classic "$REF" no "$load" "$round" ;;
                *) echo "unknown setup $setup" >&2; exit 1 ;;
            esac | grep RESULT | tee -a "$RES"
        done
    done
done
cp "$WORK"/lat-* "$OUT"/ 2>/dev/null || true   # probe timelines: start offset, latency (s)

$PY - "$RES" "$WORK" "$PROBE_TAIL_S" <<'PYEOF'
import os, statistics, sys
runs = {}   # (label, load, round) -> metrics
for line in open(sys.argv[1]):
    kv = dict(x.split("=", 1) for x in line.split()[1:])
    runs[(kv["label"], kv["load"], int(kv["round"]))] = {k: (v if k in ("label", "load") else float(v))
                                                         for k, v in kv.items()}
# Same window for ours-dual and ours-classic of a load and round: from
# REPLICAOF for the longer of their two syncs (each probed PROBE_TAIL_S past
# its own end).
tail = float(sys.argv[3])
windows = {}
for (_, load, rnd) in runs:
    pair = [runs.get((s, load, rnd)) for s in ("ours-dual", "ours-classic")]
    if all(r and r["ok"] for r in pair):
        windows[(load, rnd)] = max(r["sync_s"] for r in pair)
for (label, load, rnd), r in runs.items():
    w, r["write_p99w_ms"] = windows.get((load, rnd)), float("nan")
    path = os.path.join(sys.argv[2], "lat-%s-%s-%d" % (label, load, rnd))
    if w is None or not os.path.exists(path) or w > r["sync_s"] + tail:
        continue   # not compared, or not probed for the whole window
    lat = sorted(float(l) for t, l in (x.split() for x in open(path)) if float(t) <= w)
    if lat:
        r["write_p99w_ms"] = lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000
def median(vals):
    vals = [v for v in vals if v == v]   # drop NaN
    return statistics.median(vals) if vals else float("nan")
rows = {}   # (label, load) -> median of each metric over the rounds
for (label, load) in sorted({(a, b) for a, b, _ in runs}, key=lambda x: (x[1], x[0])):
    rs = [r for (a, b, _), r in sorted(runs.items()) if (a, b) == (label, load)]
    rows[(label, load)] = {k: median([r[k] for r in rs]) for k in rs[0] if k not in ("label", "load", "round")}
    rows[(label, load)]["ok"] = min(r["ok"] for r in rs)
nrounds = max(rnd for _, _, rnd in runs)
if nrounds > 1:
    print("\nper round (dual/classic write p99, same window):")
    for (load, rnd), w in sorted(windows.items()):
        d, c = runs[("ours-dual", load, rnd)], runs[("ours-classic", load, rnd)]
        print("  %-10s round %d: p99 %.2f / %.2f ms = %.2f, same window %.2f / %.2f ms = %.2f" % (
            load, rnd, d["write_p99_ms"], c["write_p99_ms"], d["write_p99_ms"] / c["write_p99_ms"],
            d["write_p99w_ms"], c["write_p99w_ms"], d["write_p99w_ms"] / c["write_p99w_ms"]))
    print("table and ratios: medians over %d rounds" % nrounds)
cols = ["sync_s", "peak_repl_buf", "peak_replica_cob", "used_mem_growth", "main_cpu_s",
        "write_p50_ms", "write_p99_ms", "write_max_ms", "write_p99w_ms"]
print()
print("%-10s %-13s %3s %8s %14s %14s %14s %9s %8s %8s %9s %8s" % ("load", "setup", "ok", "sync_s", "peak_repl_buf",
      "peak_repl_cob", "used_mem_grow", "cpu_s", "p50_ms", "p99_ms", "max_ms", "p99w_ms"))
for (label, load), r in rows.items():
    print("%-10s %-13s %3d %8.2f %14d %14d %14d %9.2f %8.2f %8.2f %9.2f %8.2f" % (
        (load, label, r["ok"]) + tuple(r[c] for c in cols)))
for (load, rnd), w in sorted(windows.items()):
    print("p99w_ms window for %s round %d: %.2f s from REPLICAOF" % (load, rnd, w))
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
    if key == "peak_repl_buf" and not rows[(b, load)]["peak_replica_cob"]:
        # The baseline held nothing beyond its backlog (a heavy read load leaves
        # few writes to buffer): both peaks are partly filled backlogs, not
        # replica buffering, so there is nothing for dual channel to save.
        print("  issue %d %-9s %-28s %-21s %6.2f  [n/a: %s held nothing beyond its backlog]" % (
            issue, load, "%s/%s" % (a, b), what, r, b))
        continue
    print("  issue %d %-9s %-28s %-21s %6.2f  [<= %.2f] %s" % (issue, load, "%s/%s" % (a, b), what, r, limit,
                                                               "PASS" if r <= limit else "MISS"))
PYEOF

if $PY -c 'import matplotlib' 2>/dev/null; then
    $PY "$HERE/fullsync_plot.py" "$RES" "$OUT"
else
    echo "matplotlib not found for $PY: skipping the graphs"
fi
