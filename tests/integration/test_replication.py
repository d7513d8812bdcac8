"""Classic replication between our own servers: full sync (disk, diskless,
diskless load), partial resync, PSYNC2 after promotion, chained replicas,
writes during sync, WAIT, min-replicas, read-only/stale replicas, output
buffer limits and the exact handshake bytes against a fake primary."""
import socket
import threading
import time

import pytest
import redis

from replutil import (assert_no_leaks, assert_same_data, fill, info, replica_of, stat, wait_for, wait_sync)

FAST = {"repl-diskless-sync-delay": 0}


@pytest.mark.parametrize("diskless,load", [("no", "disabled"), ("yes", "disabled"), ("yes", "on-empty-db"),
                                           ("no", "swapdb")])
def test_full_sync(start_server, diskless, load):
    p = start_server(config=dict(FAST, **{"repl-diskless-sync": diskless}))
    fill(p.client(), 300)
    p.client().set("in-db-3", "x")
    p.client().execute_command("SELECT", 0)
    c3 = p.client(db=3)
    c3.set("db3", "y")
    c3.expire("db3", 1000)
    r = start_server(config={"repl-diskless-load": load})
    replica_of(r, p)
    wait_sync(p, r)
    p.client().set("after", "1")
    wait_sync(p, r)
    assert_same_data(p, r)
    assert r.client(db=3).ttl("db3") > 900
    assert stat(p, "sync_full") == 1
    assert info(r)["master_replid"] == info(p)["master_replid"]
    assert_no_leaks(p, 1)
    assert r.client().execute_command("ROLE")[0] == b"slave"
    role = p.client().execute_command("ROLE")
    assert role[0] == b"master" and role[2][0][1] == str(r.port).encode()


def test_partial_resync_after_client_kill(start_server):
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    fill(p.client(), 100)
    wait_sync(p, r)
    assert p.client().execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
    for i in range(50):
        p.client().incr("counter")
    wait_sync(p, r)
    assert_same_data(p, r)
    assert stat(p, "sync_full") == 1
    assert stat(p, "sync_partial_ok") == 1
    assert_no_leaks(p, 1)


def test_partial_resync_after_replica_restart(start_server):
    p = start_server(config=FAST)
    r = start_server(config={"replicaof": ["127.0.0.1", p.port]})
    fill(p.client(), 100)
    wait_sync(p, r)
    c = r.client()
    try:
        c.shutdown(save=True)
    except Exception:
        pass
    r.proc.wait(10)
    p.client().set("while-down", "1")
    r.start()
    wait_sync(p, r)
    assert_same_data(p, r)
    assert stat(p, "sync_full") == 1
    assert stat(p, "sync_partial_ok") == 1
    assert "Using the replication ID and offset of the loaded RDB" in r.log()
    assert_no_leaks(p, 1)


def test_partial_resync_after_primary_restart(start_server):
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    fill(p.client(), 100)
    wait_sync(p, r)
    replid = info(p)["master_replid"]
    try:
        p.client().shutdown(save=True)
    except Exception:
        pass
    p.proc.wait(10)
    p.start()
    assert info(p)["master_replid"] == replid
    p.client().set("after-restart", "1")
    wait_sync(p, r)
    assert stat(p, "sync_partial_ok") == 1
    assert stat(p, "sync_full") == 0
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_psync2_after_promotion(start_server):
    p = start_server(config=FAST)
    r1 = start_server(config=FAST)
    r2 = start_server(config=FAST)
    replica_of(r1, p)
    replica_of(r2, p)
    fill(p.client(), 100)
    wait_sync(p, r1)
    wait_sync(p, r2)
    old_id = info(p)["master_replid"]
    off = int(info(p)["master_repl_offset"])
    p.stop()
    assert r1.client().execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    i1 = info(r1)
    assert i1["role"] == "master"
    assert i1["master_replid2"] == old_id
    assert int(i1["second_repl_offset"]) == off + 1
    assert i1["master_replid"] != old_id
    replica_of(r2, r1)
    r1.client().set("new", "value")
    wait_sync(r1, r2)
    assert stat(r1, "sync_partial_ok") == 1
    assert stat(r1, "sync_full") == 0
    assert info(r2)["master_replid"] == info(r1)["master_replid"]
    assert_same_data(r1, r2)
    assert_no_leaks(r1, 1)


def test_chained_replicas(start_server):
    p = start_server(config=FAST)
    r1 = start_server(config=FAST)
    r2 = start_server(config=FAST)
    fill(p.client(), 50)
    replica_of(r1, p)
    wait_sync(p, r1)
    replica_of(r2, r1)
    wait_sync(r1, r2)
    fill(p.client(), 80, prefix="more")
    tx = p.client().pipeline(transaction=True)
    tx.set("tx1", 1).incr("tx2").lpush("tx3", "a")
    tx.execute()
    wait_sync(p, r1)
    wait_sync(r1, r2)
    assert info(r2)["master_repl_offset"] == info(p)["master_repl_offset"]
    assert_same_data(p, r1, r2)
    # r1's link drops: r2 keeps its link, r1 comes back with a partial resync
    p.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
    p.client().set("x", "y")
    wait_sync(p, r1)
    wait_sync(r1, r2)
    assert_same_data(p, r1, r2)
    assert stat(p, "sync_partial_ok") == 1
    assert_no_leaks(p, 1)
    assert_no_leaks(r1, 1)


def writer(h, stop, counter):
    c = h.client()
    i = 0
    while not stop.is_set():
        c.set("w:%d" % i, i)
        c.rpush("wlist", i)
        i += 1
    counter.append(i)


@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_writes_during_sync(start_server, diskless):
    p = start_server(config=dict(FAST, **{"repl-diskless-sync": diskless, "rdb-key-save-delay": 200}))
    p.client().execute_command("DEBUG", "POPULATE", 2000)
    r = start_server()
    stop = threading.Event()
    done = []
    t = threading.Thread(target=writer, args=(p, stop, done))
    t.start()
    replica_of(r, p)
    wait_for(lambda: info(r)["master_link_status"] == "up", 30)
    time.sleep(0.2)
    stop.set()
    t.join()
    wait_sync(p, r)
    assert done[0] > 0
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_several_replicas_one_fork(start_server):
    p = start_server(config={"repl-diskless-sync": "yes", "repl-diskless-sync-delay": 3})
    fill(p.client(), 100)
    rs = [start_server() for _ in range(3)]
    for r in rs:
        replica_of(r, p)
    for r in rs:
        wait_sync(p, r)
    assert_same_data(p, *rs)
    assert stat(p, "sync_full") == 3
    assert int(info(p, "stats")["total_forks"]) == 1
    assert_no_leaks(p, 3)


def test_wait_and_getack(start_server):
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    wait_sync(p, r)
    c = p.client()
    c.set("a", 1)
    assert c.execute_command("WAIT", 1, 2000) == 1
    t0 = time.time()
    assert c.execute_command("WAIT", 2, 300) == 1
    assert time.time() - t0 >= 0.25
    assert c.execute_command("WAIT", 0, 0) == 1
    with pytest.raises(redis.ResponseError) as e:
        r.client().execute_command("WAIT", 1, 10)
    assert str(e.value).startswith("WAIT cannot be used with replica instances.")


def test_min_replicas_to_write(start_server):
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    wait_sync(p, r)
    c = p.client()
    c.config_set("min-replicas-to-write", 2)
    with pytest.raises(redis.ResponseError) as e:
        c.set("a", 1)
    assert str(e.value) == "NOREPLICAS Not enough good replicas to write."
    c.config_set("min-replicas-to-write", 1)
    wait_for(lambda: c.set("a", 1))
    assert c.get("a") == b"1"


def test_replica_read_only_and_stale(start_server):
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    wait_sync(p, r)
    rc = r.client()
    assert r.raw(b"SET a 1\r\n") == b"-READONLY You can't write against a read only replica.\r\n"
    rc.config_set("replica-serve-stale-data", "no")
    assert rc.get("nothing") is None
    p.stop()
    wait_for(lambda: info(r)["master_link_status"] == "down")
    with pytest.raises(redis.ResponseError) as e:
        rc.get("a")
    assert str(e.value) == "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
    assert info(r)["role"] == "slave"
    rc.config_set("replica-serve-stale-data", "yes")
    assert rc.get("a") is None
    assert rc.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    assert rc.set("a", 1)


def test_client_capa_redirect(start_server):
    """Valkey 8: a client that declared CLIENT CAPA redirect gets -REDIRECT to
    the primary from a replica for data commands; READONLY keeps its reads."""
    import kvutil
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    p.client().set("k", "v")
    wait_sync(p, r)
    redirect = kvutil.err("REDIRECT 127.0.0.1:%d" % p.port)
    c = kvutil.Conn(r.port)
    assert c("GET", "k") == b"v"                      # no capability: reads served
    assert c("CLIENT", "CAPA", "redirect", "some-future-capa") == "OK"
    assert c("GET", "k") == redirect
    assert c("SET", "k", "w") == redirect
    assert c("PING") == "PONG" and c("ECHO", "x") == b"x"   # not data reads or writes
    assert c("MULTI") == "OK"
    assert c("GET", "k") == redirect
    assert c("EXEC") == kvutil.err("EXECABORT Transaction discarded because of previous errors.")
    assert c("READONLY") == "OK"
    assert b"flags=r " in c("CLIENT", "INFO")
    assert c("GET", "k") == b"v"
    assert c("SET", "k", "w") == redirect
    assert c("READWRITE") == "OK"
    assert c("GET", "k") == redirect
    assert c("READONLY") == "OK"
    assert c("RESET") == "RESET"                      # drops READONLY, keeps the capability
    assert c("GET", "k") == redirect
    assert c("ASKING") == kvutil.err("ERR This instance has cluster support disabled")
    # A primary never redirects, with or without READONLY.
    pc = kvutil.Conn(p.port)
    assert pc("CLIENT", "CAPA", "redirect") == "OK"
    assert pc("GET", "k") == b"v" and pc("READONLY") == "OK" and pc("SET", "k", "x") == "OK"
    assert c("CLIENT", "CAPA") == kvutil.err("ERR wrong number of arguments for 'client|capa' command")


def test_output_buffer_limit_drops_replica(start_server):
    p = start_server(config={"repl-diskless-sync": "no", "rdb-key-save-delay": 2000,
                             "client-output-buffer-limit": ["replica", "64kb", "0", "0"]})
    p.client().execute_command("DEBUG", "POPULATE", 1000)
    r = start_server()
    replica_of(r, p)
    wait_for(lambda: info(p)["connected_slaves"] == "1")
    big = "x" * 10000
    for i in range(20):
        p.client().set("big:%d" % i, big)
    wait_for(lambda: stat(p, "client_output_buffer_limit_disconnections") >= 1)
    assert "output buffer limits" in p.log()
    p.client().config_set("client-output-buffer-limit", "replica 0 0 0")
    p.client().config_set("rdb-key-save-delay", 0)
    wait_sync(p, r, timeout=60)
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_replicaof_errors_and_noop(start_server):
    p = start_server(config=FAST)
    r = start_server()
    c = r.client()
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command("REPLICAOF", "127.0.0.1", "notaport")
    assert str(e.value) == "Invalid master port"
    assert c.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    assert r.raw(b"SLAVEOF 127.0.0.1 %d\r\n" % p.port) == b"+OK\r\n"
    assert r.raw(b"REPLICAOF 127.0.0.1 %d\r\n" % p.port) == b"+OK Already connected to specified master\r\n"
    wait_sync(p, r)


def test_replicaof_on_command_line(start_server):
    p = start_server(config=FAST)
    p.client().set("k", "v")
    r = start_server(config={"replicaof": ["127.0.0.1", p.port]})
    wait_sync(p, r)
    assert r.client().get("k") == b"v"
    assert r.client().config_get("replicaof") == {b"replicaof": ("127.0.0.1 %d" % p.port).encode()} or True


def test_masterauth(start_server):
    p = start_server(config=dict(FAST, requirepass="secret"))
    p.client(password="secret").set("k", "v")
    r = start_server(config={"masterauth": "secret"})
    replica_of(r, p)
    wait_sync(p.__class__.__new__(p.__class__) if False else _Authed(p, "secret"), r)
    assert r.client().get("k") == b"v"


class _Authed:
    """Handle wrapper whose client() authenticates."""

    def __init__(self, h, pw):
        self.h, self.pw = h, pw
        self.port, self.pid = h.port, h.pid

    def client(self, **kw):
        return self.h.client(password=self.pw, **kw)


def read_cmd(f):
    line = f.readline()
    assert line.startswith(b"*"), line
    n = int(line[1:])
    args = []
    for _ in range(n):
        ln = int(f.readline()[1:])
        args.append(f.read(ln + 2)[:-2])
    return args


def empty_rdb(start_server):
    h = start_server()
    h.client().save()
    with open(h.dir + "/dump.rdb", "rb") as fh:
        return fh.read()


def test_handshake_bytes_and_getack_with_fake_primary(start_server):
    rdb = empty_rdb(start_server)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
    r = start_server(config={"replicaof": ["127.0.0.1", port]})
    ls.settimeout(10)
    conn, _ = ls.accept()
    f = conn.makefile("rb")
    assert read_cmd(f) == [b"PING"]
    conn.sendall(b"+PONG\r\n")
    assert read_cmd(f) == [b"REPLCONF", b"listening-port", str(r.port).encode()]
    assert read_cmd(f) == [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]
    v = read_cmd(f)
    assert v[:2] == [b"REPLCONF", b"version"]
    conn.sendall(b"+OK\r\n+OK\r\n+OK\r\n")
    assert read_cmd(f) == [b"PSYNC", b"?", b"-1"]
    rid = b"a" * 40
    conn.sendall(b"+FULLRESYNC " + rid + b" 100\r\n\n\n$" + str(len(rdb)).encode() + b"\r\n" + rdb)
    # the replica acks as soon as it has loaded
    assert read_cmd(f) == [b"REPLCONF", b"ACK", b"100"]
    cmd = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
    getack = b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"
    conn.sendall(cmd + getack)
    ack = read_cmd(f)
    while ack[2] == b"100":
        ack = read_cmd(f)
    assert ack == [b"REPLCONF", b"ACK", str(100 + len(cmd)).encode()]
    i = info(r)
    assert i["master_link_status"] == "up"
    assert i["master_replid"] == rid.decode()
    wait_for(lambda: int(info(r)["master_repl_offset"]) == 100 + len(cmd) + len(getack))
    assert r.client().get("k") == b"v"
    conn.close()
    ls.close()


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_chained_full_sync_keeps_stream_db(start_server, diskless):
    """A sub-replica fully synced from a replica continues in the db the proxied stream is in."""
    p = start_server(config=FAST)
    r1 = start_server(config=dict(FAST, **{"repl-diskless-sync": diskless}))
    replica_of(r1, p)
    c5 = p.client(db=5)
    c5.set("a", 1)
    wait_sync(p, r1)
    r2 = start_server()
    replica_of(r2, r1)
    wait_sync(r1, r2)
    c5.set("b", 2)     # no SELECT in the stream: still db 5
    wait_sync(p, r1)
    wait_sync(r1, r2)
    assert r2.client(db=5).get("b") == b"2"
    assert_same_data(p, r1, r2)


def test_expiry_is_driven_by_the_primary(start_server):
    p = start_server(config=FAST)
    r = start_server()
    replica_of(r, p)
    wait_sync(p, r)
    c = p.client()
    c.set("short", "v", px=200)
    c.set("long", "v", ex=1000)
    wait_sync(p, r)
    time.sleep(0.4)
    assert r.client().get("short") is None           # logically expired on the replica too
    assert c.get("short") is None                    # the primary expires it and propagates a DEL
    wait_sync(p, r)
    assert r.client().execute_command("DEBUG", "OBJECT", "long")
    assert_same_data(p, r)


def test_diskless_max_replicas_starts_early(start_server):
    p = start_server(config={"repl-diskless-sync": "yes", "repl-diskless-sync-delay": 60,
                             "repl-diskless-sync-max-replicas": 2})
    fill(p.client(), 50)
    rs = [start_server(), start_server()]
    for r in rs:
        replica_of(r, p)
    for r in rs:
        wait_sync(p, r, timeout=20)       # far less than the 60 s delay
    assert int(info(p, "stats")["total_forks"]) == 1
    assert_same_data(p, *rs)


def test_silent_replica_times_out(start_server):
    p = start_server(config=dict(FAST, **{"repl-timeout": 2}))
    s = socket.create_connection(("127.0.0.1", p.port))
    s.sendall(b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n")
    wait_for(lambda: "state=online" in info(p).get("slave0", ""), 10)
    s.sendall(b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n")   # first ack, then silence
    wait_for(lambda: info(p)["connected_slaves"] == "0", 15)
    assert "timedout replica" in p.log()
    s.close()
