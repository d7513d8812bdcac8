"""FAILOVER: coordinated hand-over of the primary role to a replica, its
argument and state errors (Valkey's texts), writes paused while waiting for
the replica, TIMEOUT/FORCE/ABORT, and interop with Debian's redis-server 7.0
as the target (it speaks the same PSYNC ... FAILOVER)."""
import os
import threading
import time

import pytest
import redis

from kvutil import Conn, err
from replutil import assert_same_data, fill, info, replica_of, wait_for, wait_sync

FAST = {"repl-diskless-sync-delay": 0}
REDIS = "/usr/bin/redis-server"


def role(h):
    return h.client().execute_command("ROLE")[0]


def wait_online(p, n):
    """The primary's own view: n replicas in state online (it may lag the
    replica's view by the time it takes to reap the snapshot child)."""
    wait_for(lambda: info(p).get("connected_slaves") == str(n) and
             all("state=online" in v for k, v in info(p).items() if k.startswith("slave")),
             msg="replicas online on the primary")


def synced_pair(start_server):
    """A primary and one replica in sync, as seen from both sides."""
    p = start_server(config=FAST)
    r = start_server(config=FAST)
    replica_of(r, p)
    wait_sync(p, r)
    wait_online(p, 1)
    return p, r


def test_errors_without_replicas(start_server):
    p = start_server(config=FAST)
    c = Conn(p.port)
    assert c("FAILOVER") == err("ERR FAILOVER requires connected replicas.")
    assert c("FAILOVER", "ABORT") == err("ERR No failover in progress.")
    assert c("FAILOVER", "ABORT", "FORCE") == err("ERR FAILOVER ABORT is not valid with other arguments.")
    assert c("FAILOVER", "TIMEOUT", "0") == err("ERR FAILOVER timeout must be greater than 0")
    assert c("FAILOVER", "TIMEOUT", "-5") == err("ERR FAILOVER timeout must be greater than 0")
    assert c("FAILOVER", "TIMEOUT", "x") == err("ERR value is not an integer or out of range")
    assert c("FAILOVER", "BOGUS") == err("ERR syntax error")
    assert c("FAILOVER", "FORCE", "FORCE") == err("ERR syntax error")
    assert c("FAILOVER", "TO", "127.0.0.1") == err("ERR syntax error")
    assert info(p)["master_failover_state"] == "no-failover"
    c.close()


def test_errors_with_a_replica(start_server):
    p, r = synced_pair(start_server)
    c = Conn(p.port)
    assert c("FAILOVER", "TO", "127.0.0.1", r.port, "FORCE") == \
        err("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
    assert c("FAILOVER", "FORCE", "TIMEOUT", 100) == \
        err("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
    assert c("FAILOVER", "TO", "127.0.0.1", 1) == err("ERR FAILOVER target HOST and PORT is not a replica.")
    rc = Conn(r.port)
    assert rc("FAILOVER") == err("ERR FAILOVER is not valid when server is a replica.")
    rc.close()
    c.close()


def test_failover_to_any_replica(start_server):
    p = start_server(config=FAST)
    r = start_server(config=FAST)
    fill(p.client(), 200)
    replica_of(r, p)
    wait_sync(p, r)
    wait_online(p, 1)
    assert p.client().execute_command("FAILOVER") == b"OK"
    wait_for(lambda: role(r) == b"master" and role(p) == b"slave", msg="roles swapped")
    wait_for(lambda: info(p)["master_failover_state"] == "no-failover", msg="failover state cleared")
    wait_sync(r, p)
    assert int(info(p)["master_port"]) == r.port
    # the new primary takes writes and streams them to the old one
    r.client().set("after-failover", "1")
    wait_sync(r, p)
    assert p.client().get("after-failover") == b"1"
    assert_same_data(r, p)
    # the old primary refuses writes now
    with pytest.raises(redis.exceptions.ReadOnlyError):
        p.client().set("x", "y")
    # partial resync only: no second full sync was needed
    assert int(info(r, "stats")["sync_full"]) == 0


def test_failover_to_named_replica_among_two(start_server):
    p = start_server(config=FAST)
    r1 = start_server(config=FAST)
    r2 = start_server(config=FAST)
    replica_of(r1, p)
    replica_of(r2, p)
    wait_sync(p, r1)
    wait_sync(p, r2)
    wait_online(p, 2)
    p.client().set("k", "v")
    assert p.client().execute_command("FAILOVER", "TO", "127.0.0.1", r2.port, "TIMEOUT", 5000) == b"OK"
    wait_for(lambda: role(r2) == b"master" and role(p) == b"slave", msg="r2 promoted")
    assert role(r1) == b"slave"
    # r1 still follows the old primary, which now follows r2: data flows down the chain
    r2.client().set("chain", "ok")
    wait_for(lambda: r1.client().get("chain") == b"ok", msg="chained replica got the write")
    assert_same_data(r2, p, r1)


def test_writes_paused_while_waiting_then_abort(start_server):
    p, r = synced_pair(start_server)
    # a replica that never acks lets us observe waiting-for-sync
    r.client().execute_command("DEBUG", "SLEEP", 0)
    r.client().execute_command("CONFIG", "SET", "repl-timeout", 60)
    os.kill(r.pid, 19)  # SIGSTOP
    try:
        assert p.client().execute_command("FAILOVER", "TIMEOUT", 60000) == b"OK"
        assert info(p)["master_failover_state"] == "waiting-for-sync"
        c = Conn(p.port)
        assert c("FAILOVER") == err("ERR FAILOVER already in progress.")
        assert c("REPLICAOF", "127.0.0.1", r.port) == err("ERR REPLICAOF not allowed while failing over.")
        assert c("REPLICAOF", "NO", "ONE") == err("ERR REPLICAOF not allowed while failing over.")
        # reads are served, writes wait for the failover to end
        assert c("GET", "nokey") is None
        done = []
        t = threading.Thread(target=lambda: done.append(Conn(p.port)("SET", "w", "1")))
        t.start()
        time.sleep(0.3)
        assert not done
        # CLIENT UNPAUSE does not lift the failover's pause
        assert c("CLIENT", "UNPAUSE") == "OK"
        time.sleep(0.2)
        assert not done
        assert c("FAILOVER", "ABORT") == "OK"
        t.join(5)
        assert done == ["OK"]
        assert info(p)["master_failover_state"] == "no-failover"
        assert role(p) == b"master"
        c.close()
    finally:
        os.kill(r.pid, 18)  # SIGCONT
    wait_sync(p, r)
    assert r.client().get("w") == b"1"


def test_timeout_without_force_gives_up(start_server):
    p, r = synced_pair(start_server)
    os.kill(r.pid, 19)
    try:
        assert p.client().execute_command("FAILOVER", "TIMEOUT", 300) == b"OK"
        wait_for(lambda: info(p)["master_failover_state"] == "no-failover", timeout=5, msg="gave up")
        assert role(p) == b"master"
        p.client().set("still", "primary")
    finally:
        os.kill(r.pid, 18)
    wait_sync(p, r)
    assert role(r) == b"slave"


def test_timeout_with_force_fails_over(start_server):
    p, r = synced_pair(start_server)
    os.kill(r.pid, 19)
    try:
        assert p.client().execute_command("FAILOVER", "TO", "127.0.0.1", r.port, "FORCE", "TIMEOUT", 300) == b"OK"
        wait_for(lambda: info(p)["master_failover_state"] == "failover-in-progress", timeout=5,
                 msg="forced hand-over")
    finally:
        os.kill(r.pid, 18)
    wait_for(lambda: role(r) == b"master" and role(p) == b"slave", msg="forced failover done")
    wait_for(lambda: info(p)["master_failover_state"] == "no-failover", msg="state cleared")


def test_psync_failover_replid_must_match(start_server):
    p = start_server(config=FAST)
    c = Conn(p.port)
    assert c("PSYNC", "0" * 40, "1", "FAILOVER") == err("ERR PSYNC FAILOVER replid must match my replid.")
    assert c("PSYNC", "0" * 40, "1", "OTHER") == err("ERR syntax error")
    assert role(p) == b"master"
    c.close()


@pytest.mark.skipif(not os.path.exists(REDIS), reason="needs Debian's redis-server")
def test_failover_to_reference_replica(start_server):
    p = start_server(config=FAST)
    r = start_server(config={"repl-diskless-sync-delay": 0}, binary=REDIS)
    fill(p.client(), 100)
    replica_of(r, p)
    wait_sync(p, r)
    wait_online(p, 1)
    assert p.client().execute_command("FAILOVER") == b"OK"
    wait_for(lambda: role(r) == b"master" and role(p) == b"slave", msg="reference replica promoted")
    r.client().set("from-ref", "1")
    wait_for(lambda: p.client().get("from-ref") == b"1", msg="old primary follows the reference")
