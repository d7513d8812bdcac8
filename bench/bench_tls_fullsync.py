#!/usr/bin/python3
"""Full sync over TLS against plain TCP, in one run on the same data.

Usage: bench/bench_tls_fullsync.py [our-server (a BUILD_TLS=yes build)] [reference-server]
Knobs: KEYS (default 300000) random 150-byte values (incompressible, so the
payload is about KEYS * 165 bytes), REF=0 to leave out the reference server.

Rows: ours plain classic (the fork child writes the replica socket), ours TLS
classic (the child writes a pipe, the primary's main thread relays it through
the session), ours TLS dual channel (the child writes the rdb channel's
session), and the reference (Debian's redis-server 7.0, whose diskless sync
always relays through a pipe) plain and TLS. Each row: seconds from REPLICAOF
to link up, CPU seconds of the primary's main thread over that time, and the
replication bytes its main thread wrote. Replicas load from the socket
(repl-diskless-load swapdb) so the disk does not blur the comparison.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "src", "valkey-server")
REF = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/redis-server"
KEYS = int(os.environ.get("KEYS", 300000))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main_thread_cpu(pid):
    with open("/proc/%d/task/%d/stat" % (pid, pid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, binary, certs, workdir, extra):
        self.port, self.tls_port = free_port(), free_port()
        self.dir = tempfile.mkdtemp(dir=workdir)
        args = [binary, "--port", str(self.port), "--tls-port", str(self.tls_port), "--bind", "127.0.0.1",
                "--tls-cert-file", os.path.join(certs, "valkey.crt"), "--tls-key-file", os.path.join(certs, "valkey.key"),
                "--tls-ca-cert-file", os.path.join(certs, "ca.crt"), "--save", "", "--appendonly", "no",
                "--dir", self.dir, "--logfile", "server.log", "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0"] + extra
        self.proc = subprocess.Popen(args)
        self.c = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                self.c.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("server %s did not start" % binary)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def fill(c, n):
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("key:%d" % i, os.urandom(150))
        if i % 5000 == 4999:
            p.execute()
    p.execute()


def run(name, binary, certs, workdir, tls, dual_capable, dual):
    extra = ["--dual-channel-replication-enabled", dual] if dual_capable else []
    p = Server(binary, certs, workdir, extra)
    r = Server(binary, certs, workdir, extra + ["--tls-replication", "yes" if tls else "no",
                                                 "--repl-diskless-load", "swapdb"])
    try:
        fill(p.c, KEYS)
        out0 = int(p.c.info("stats")["total_net_repl_output_bytes"])
        cpu0, t0 = main_thread_cpu(p.proc.pid), time.time()
        r.c.execute_command("REPLICAOF", "127.0.0.1", p.tls_port if tls else p.port)
        while True:
            try:
                if r.c.info("replication").get("master_link_status") == "up":
                    break
            except redis.exceptions.BusyLoadingError:
                pass
            time.sleep(0.02)
        secs, cpu = time.time() - t0, main_thread_cpu(p.proc.pid) - cpu0
        out = int(p.c.info("stats")["total_net_repl_output_bytes"]) - out0
        assert r.c.dbsize() == p.c.dbsize()
        print("%-22s sync_s=%6.2f primary_main_cpu_s=%5.2f main_thread_repl_MB=%6.1f" % (name, secs, cpu, out / 1e6),
              flush=True)
    finally:
        r.stop()
        p.stop()


def main():
    workdir = tempfile.mkdtemp(prefix="bench-tls-")
    try:
        certs = os.path.join(workdir, "certs")
        subprocess.run(["sh", os.path.join(ROOT, "utils", "gen-test-certs.sh"), certs], check=True,
                       stdout=subprocess.DEVNULL)
        print("KEYS=%d, payload about %.0f MB" % (KEYS, KEYS * 165 / 1e6))
        run("ours plain classic", OURS, certs, workdir, False, True, "no")
        run("ours tls classic", OURS, certs, workdir, True, True, "no")
        run("ours tls dual", OURS, certs, workdir, True, True, "yes")
        if os.environ.get("REF", "1") != "0" and os.path.exists(REF):
            run("ref plain classic", REF, certs, workdir, False, False, "no")
            run("ref tls classic", REF, certs, workdir, True, False, "no")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
