"""Helpers shared by the replication test files: INFO parsing, waiting for a
replica to catch up, and the leak checks every scenario ends with."""
import os
import subprocess
import time


def _flat(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, dict):   # redis-py splits "slaveN:ip=..,port=.." into a dict
        return ",".join("%s=%s" % (k, x) for k, x in v.items())
    return str(v)


def info(h, section="replication"):
    raw = h.client().execute_command("INFO", section)
    if isinstance(raw, dict):
        return {k: _flat(v) for k, v in raw.items()}
    out = {}
    for line in raw.decode().splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def wait_for(cond, timeout=20, interval=0.05, msg="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # server may be busy loading
            last = e
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last=%r)" % (msg, last))


def replica_of(replica, primary):
    replica.client().execute_command("REPLICAOF", "127.0.0.1", primary.port)


def in_sync(primary, replica):
    ri = info(replica)
    pi = info(primary)
    return ri.get("master_link_status") == "up" and ri["slave_repl_offset"] == pi["master_repl_offset"] \
        and ri["master_repl_offset"] == pi["master_repl_offset"]


def wait_sync(primary, replica, timeout=30):
    # a write makes sure the stream flows end to end, then offsets must meet
    wait_for(lambda: info(replica).get("master_link_status") == "up", timeout, msg="link up")
    wait_for(lambda: in_sync(primary, replica), timeout, msg="offsets equal")


def digest(h):
    return h.client().execute_command("DEBUG", "DIGEST")


def assert_same_data(primary, *replicas):
    d = digest(primary)
    for r in replicas:
        assert digest(r) == d
        assert r.client().dbsize() == primary.client().dbsize()


def children_of(pid):
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [int(x) for x in out.split()]


def assert_no_leaks(primary, connected, timeout=15):
    """No fork child left, replica count back to `connected`, nothing waiting."""
    wait_for(lambda: not children_of(primary.pid), timeout, msg="no child process")
    wait_for(lambda: int(info(primary)["connected_slaves"]) == connected, timeout, msg="connected_slaves")
    assert info(primary)["replicas_waiting_psync"] == "0"
    assert info(primary, "persistence")["rdb_bgsave_in_progress"] == "0"


def fill(c, n=200, prefix="k"):
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("%s:str:%d" % (prefix, i), "v%d" % i)
        if i % 10 == 0:
            p.rpush("%s:list:%d" % (prefix, i // 10), *[str(j) for j in range(20)])
            p.hset("%s:hash:%d" % (prefix, i // 10), mapping={"f%d" % j: j for j in range(10)})
            p.sadd("%s:set:%d" % (prefix, i // 10), *range(15))
            p.zadd("%s:zset:%d" % (prefix, i // 10), {"m%d" % j: j for j in range(12)})
    p.execute()


def stat(h, name):
    return int(info(h, "stats")[name])
