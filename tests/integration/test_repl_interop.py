"""Replication with a real peer that lacks dual channel (Debian's redis-server
7.0): our replica of it (full and partial sync), it as a replica of our
primary (classic fallback even with dual channel enabled), and
`redis-cli --replica` reading our primary's stream."""
import os
import subprocess
import time

import pytest

from replutil import fill, info, replica_of, stat, wait_for

REDIS = "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(not os.path.exists(REDIS), reason="redis-server not installed")


def snapshot(c):
    out = {}
    for k in c.keys("*"):
        t = c.type(k)
        if t == b"string":
            v = c.get(k)
        elif t == b"list":
            v = c.lrange(k, 0, -1)
        elif t == b"hash":
            v = sorted(c.hgetall(k).items())
        elif t == b"set":
            v = sorted(c.smembers(k))
        elif t == b"zset":
            v = c.zrange(k, 0, -1, withscores=True)
        else:
            v = None
        out[k] = (t, v, c.ttl(k) > 0)
    return out


def offsets_equal(p, r):
    ri, pi = info(r), info(p)
    return ri.get("master_link_status") == "up" and ri["slave_repl_offset"] == pi["master_repl_offset"]


@pytest.mark.parametrize("dual", ["no", "yes"])
def test_our_replica_of_redis_primary(start_server, dual):
    p = start_server(binary=REDIS, config={"repl-diskless-sync-delay": 0})
    fill(p.client(), 150)
    p.client().setex("ttl", 1000, "v")
    r = start_server(config={"dual-channel-replication-enabled": dual})
    replica_of(r, p)
    wait_for(lambda: offsets_equal(p, r), 30)
    assert snapshot(r.client()) == snapshot(p.client())
    assert "dual channel" not in r.log()
    # partial resync after the link drops
    p.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
    fill(p.client(), 30, prefix="later")
    wait_for(lambda: offsets_equal(p, r), 30)
    assert stat(p, "sync_partial_ok") == 1 and stat(p, "sync_full") == 1
    assert snapshot(r.client()) == snapshot(p.client())


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_redis_replica_of_our_primary(start_server, diskless):
    p = start_server(config={"repl-diskless-sync-delay": 0, "repl-diskless-sync": diskless,
                             "dual-channel-replication-enabled": "yes"})
    fill(p.client(), 150)
    # A listpack-encoded set: RDB 11 only; a 7.0 replica must get it as a plain set.
    p.client().sadd("lpset", "a", "b", "c", 12, -7)
    assert p.client().object("encoding", "lpset") == b"listpack"
    r = start_server(binary=REDIS)
    replica_of(r, p)
    wait_for(lambda: offsets_equal(p, r), 30)
    p.client().incr("after")
    wait_for(lambda: offsets_equal(p, r), 30)
    assert snapshot(r.client()) == snapshot(p.client())
    assert "type=replica" in info(p)["slave0"] and "state=online" in info(p)["slave0"]
    p.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
    p.client().set("x", "after-kill")
    wait_for(lambda: offsets_equal(p, r), 30)
    assert r.client().get("x") == b"after-kill"
    assert stat(p, "sync_partial_ok") == 1 and stat(p, "sync_full") == 1
    assert p.client().execute_command("WAIT", 1, 2000) == 1


def test_redis_cli_replica_shows_stream(start_server, tmp_path):
    p = start_server(config={"repl-diskless-sync-delay": 0})
    p.client().set("before", "1")
    outfile = tmp_path / "cli.out"
    with open(outfile, "wb") as fh:
        proc = subprocess.Popen(["stdbuf", "-oL", "redis-cli", "-p", str(p.port), "--replica"], stdout=fh,
                                stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"Logging commands from master" in outfile.read_bytes(), 10)
        p.client().set("streamed", "value")
        wait_for(lambda: b'"SET","streamed","value"' in outfile.read_bytes(), 10)
    finally:
        proc.terminate()
        proc.wait(5)
