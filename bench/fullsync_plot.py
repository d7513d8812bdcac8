#!/usr/bin/python3
# Graphs for bench/bench_fullsync.sh: one PNG per metric (sync time, peak
# replication buffer, primary main-thread CPU, write p99), bars grouped by load
# variant, one bar per setup. Input is the script's RESULT lines file.
#   fullsync_plot.py <results.txt> <outdir>
import os
import statistics
import sys

import matplotlib
matplotlib.use("Agg")   # no display on the bench machines
import matplotlib.pyplot as plt

METRICS = [
    ("sync_s", "full sync time (s)", 1.0, "fullsync_time.png"),
    ("peak_repl_buf", "primary peak replication buffer (MB)", 1e-6, "fullsync_repl_buffer.png"),
    ("main_cpu_s", "primary main-thread CPU during sync (s)", 1.0, "fullsync_main_cpu.png"),
    ("write_p99_ms", "write latency p99 during sync (ms)", 1.0, "fullsync_write_p99.png"),
]
SETUPS = ["ours-dual", "ours-classic", "ref-classic"]


def load_rows(path):
    """One row per (setup, load): each metric's median over the rounds."""
    runs = {}
    for line in open(path):
        kv = dict(x.split("=", 1) for x in line.split()[1:])
        runs.setdefault((kv["label"], kv["load"]), []).append(kv)
    return {key: {m: statistics.median(float(r[m]) for r in rs) for m, *_ in METRICS}
            for key, rs in runs.items()}


def plot_metric(rows, loads, key, title, scale, outpath):
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(SETUPS)
    for i, setup in enumerate(SETUPS):
        vals = [float(rows[(setup, ld)][key]) * scale if (setup, ld) in rows else 0 for ld in loads]
        xs = [j + (i - (len(SETUPS) - 1) / 2) * width for j in range(len(loads))]
        bars = ax.bar(xs, vals, width, label=setup)
        ax.bar_label(bars, fmt="%.3g", fontsize=8)
    ax.set_xticks(range(len(loads)))
    ax.set_xticklabels(loads)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(outpath, dpi=100)
    plt.close(fig)


def main():
    rows = load_rows(sys.argv[1])
    outdir = sys.argv[2]
    loads = []
    for _, ld in rows:
        if ld not in loads:
            loads.append(ld)
    for key, title, scale, name in METRICS:
        path = os.path.join(outdir, name)
        plot_metric(rows, loads, key, title, scale, path)
        print("wrote", path)


if __name__ == "__main__":
    main()
