#!/usr/bin/python3
"""Memory per element of large collections: loads N elements into one key of
each type (hash, set of strings, set of integers past the intset limit, sorted
set, list, many small hashes, stream) on our server and on a reference server,
in the same run, and prints used_memory growth per element and the ratio.

Usage: bench/bench_memory_types.py [our-server] [reference-server]
Env:   ELEMENTS (100000)
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import redis

OURS = sys.argv[1] if len(sys.argv) > 1 else "src/valkey-server"
REF = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/redis-server"
N = int(os.environ.get("ELEMENTS", "100000"))

WORKLOADS = [
    ("hash field:N -> value:N", lambda p, i: p.hset("h", "field:%d" % i, "value:%d" % i)),
    ("set member:N", lambda p, i: p.sadd("s", "member:%d" % i)),
    ("set of integers", lambda p, i: p.sadd("si", i)),
    ("zset member:N score N", lambda p, i: p.zadd("z", {"member:%d" % i: i})),
    ("list value:N", lambda p, i: p.rpush("l", "value:%d" % i)),
    ("small hashes (10 fields)", lambda p, i: p.hset("sh:%d" % (i // 10), "f%d" % (i % 10), "v")),
    ("stream f=vN", lambda p, i: p.xadd("st", {"f": "v%d" % i})),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def measure(binary):
    port = free_port()
    workdir = tempfile.mkdtemp()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        c = redis.Redis(port=port)
        for _ in range(100):
            try:
                c.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        out = {}
        for name, add in WORKLOADS:
            before = c.info("memory")["used_memory"]
            pipe = c.pipeline(transaction=False)
            for i in range(N):
                add(pipe, i)
                if i % 1000 == 999:
                    pipe.execute()
            pipe.execute()
            out[name] = (c.info("memory")["used_memory"] - before) / N
        return out
    finally:
        proc.kill()
        proc.wait()


def main():
    ours, ref = measure(OURS), measure(REF)
    print("%d elements per workload; bytes of used_memory per element; reference: %s" % (N, REF))
    print("%-28s %9s %10s %7s" % ("workload", "ours", "reference", "ratio"))
    for name, _ in WORKLOADS:
        print("%-28s %9.1f %10.1f %7.2f" % (name, ours[name], ref[name], ours[name] / ref[name]))


if __name__ == "__main__":
    main()
