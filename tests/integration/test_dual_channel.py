"""Dual-channel full sync: the exact exchange (against our primary with raw
sockets, and against a scripted primary for our replica), syncs with writes
during the transfer, and the failure scenarios of the spec's section 7."""
import socket
import os
import threading
import time

import pytest

from replutil import (assert_no_leaks, assert_same_data, fill, info, replica_of, stat, wait_for, wait_sync)

DUAL = {"dual-channel-replication-enabled": "yes", "repl-diskless-sync-delay": 0}


def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_line(f):
    line = f.readline()
    assert line.endswith(b"\r\n"), line
    return line[:-2]


def read_cmd(f):
    line = f.readline()
    while line == b"\n":
        line = f.readline()
    if not line.startswith(b"*"):
        return line.rstrip(b"\r\n").split()
    args = []
    for _ in range(int(line[1:])):
        n = int(f.readline()[1:])
        args.append(f.read(n + 2)[:-2])
    return args


def client_ids(h, cmdname):
    out = []
    for line in h.client().execute_command("CLIENT", "LIST").decode().splitlines():
        fields = dict(x.split("=", 1) for x in line.split(" ") if "=" in x)
        if fields.get("cmd") == cmdname and "S" in fields.get("flags", ""):
            out.append(int(fields["id"]))
    return out


def writer(h, stop, n=None):
    c = h.client()
    i = 0
    while not stop.is_set():
        c.set("w:%d" % i, "x" * 100)
        c.incr("counter")
        i += 1


def test_exchange_against_our_primary(start_server):
    p = start_server(config=DUAL)
    p.client().set("k", "v")
    main = socket.create_connection(("127.0.0.1", p.port))
    mf = main.makefile("rb")
    main.sendall(cmd("REPLCONF", "capa", "eof", "capa", "psync2", "capa", "dual-channel") + cmd("REPLCONF", "version", "255.255.255"))
    assert read_line(mf) == b"+OK" and read_line(mf) == b"+OK"
    main.sendall(cmd("PSYNC", "?", "-1"))
    assert read_line(mf) == b"+DUALCHANNELSYNC"
    main.sendall(cmd("REPLCONF", "set-rdb-client-id", "99999"))
    assert read_line(mf) == b"-ERR Unrecognized RDB client id 99999"
    rdb = socket.create_connection(("127.0.0.1", p.port))
    rf = rdb.makefile("rb")
    rdb.sendall(cmd("REPLCONF", "capa", "eof", "rdb-only", "1", "rdb-channel", "1", "listening-port", "7503"))
    assert read_line(rf) == b"+OK"
    rdb.sendall(b"SYNC\r\n")
    endoff = read_line(rf).decode()
    assert endoff.startswith("$ENDOFF:")
    off, replid, db, cid = endoff[len("$ENDOFF:"):].split(" ")
    assert len(replid) == 40 and db == "0" and replid == info(p)["master_replid"]
    assert int(off) == int(info(p)["master_repl_offset"])
    i = info(p)
    assert "type=rdb-channel" in i["slave0"]
    main.sendall(cmd("REPLCONF", "set-rdb-client-id", cid))
    assert read_line(mf) == b"+OK"
    p.client().set("during", "sync")   # stream produced after the snapshot point
    main.sendall(cmd("PSYNC", replid, int(off) + 1))
    assert read_line(mf) == ("+CONTINUE " + replid).encode()
    assert read_cmd(mf) == [b"SELECT", b"0"]
    assert read_cmd(mf) == [b"SET", b"during", b"sync"]
    hdr = read_line(rf)
    assert hdr.startswith(b"$EOF:") and len(hdr) == 45
    mark = hdr[5:]
    payload = b""
    while not payload.endswith(mark):
        chunk = rf.read1(65536)
        assert chunk, "rdb channel closed before the mark"
        payload += chunk
    assert payload.startswith(b"REDIS0011")
    # the primary closes the rdb channel once the snapshot is out and the pin is gone
    rdb.settimeout(5)
    assert rf.read1(10) == b""
    i = info(p)
    assert "type=main-channel" in i["slave0"] and "state=bg_transfer" in i["slave0"]
    main.sendall(cmd("REPLCONF", "ACK", int(info(p)["master_repl_offset"])))
    wait_for(lambda: "state=online" in info(p)["slave0"] and "type=replica" in info(p)["slave0"])
    assert info(p)["replicas_waiting_psync"] == "0"
    main.shutdown(socket.SHUT_RDWR)
    main.close()
    assert_no_leaks(p, 0)


@pytest.mark.parametrize("continue_first", [True, False])
def test_exchange_against_scripted_primary(start_server, continue_first):
    h = start_server()
    h.client().set("snap", "shot")
    h.client().save()
    with open(h.dir + "/dump.rdb", "rb") as fh:
        rdbdata = fh.read()
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(2)
    ls.settimeout(10)
    port = ls.getsockname()[1]
    r = start_server(config={"replicaof": ["127.0.0.1", port], "dual-channel-replication-enabled": "yes"})
    main, _ = ls.accept()
    mf = main.makefile("rb")
    assert read_cmd(mf) == [b"PING"]
    main.sendall(b"+PONG\r\n")
    assert read_cmd(mf) == [b"REPLCONF", b"listening-port", str(r.port).encode()]
    assert read_cmd(mf) == [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2", b"capa", b"dual-channel"]
    assert read_cmd(mf)[:2] == [b"REPLCONF", b"version"]
    main.sendall(b"+OK\r\n+OK\r\n+OK\r\n")
    assert read_cmd(mf) == [b"PSYNC", b"?", b"-1"]
    main.sendall(b"+DUALCHANNELSYNC\r\n")
    rdb, _ = ls.accept()
    rf = rdb.makefile("rb")
    assert read_cmd(rf) == [b"REPLCONF", b"capa", b"eof", b"rdb-only", b"1", b"rdb-channel", b"1",
                            b"listening-port", str(r.port).encode()]
    rdb.sendall(b"+OK\r\n")
    assert rf.readline() == b"SYNC\r\n"
    rid = b"f" * 40
    rdb.sendall(b"$ENDOFF:100 " + rid + b" 0 8\r\n")
    assert read_cmd(mf) == [b"REPLCONF", b"set-rdb-client-id", b"8"]
    assert read_cmd(mf) == [b"PSYNC", rid, b"101"]
    stream = cmd("SET", "live", "1") + cmd("INCR", "n")
    mark = b"0123456789" * 4
    if continue_first:
        # the main channel's PSYNC completes before the snapshot is loaded
        main.sendall(b"+OK\r\n+CONTINUE " + rid + b"\r\n" + stream)
        wait_for(lambda: int(info(r)["replicas_repl_buffer_size"]) == len(stream), 10, msg="stream buffered")
        assert info(r)["master_link_status"] == "down"
        rdb.sendall(b"$EOF:" + mark + b"\r\n" + rdbdata + mark)
    else:
        # the snapshot is loaded first; the rdb channel stays open meanwhile
        rdb.sendall(b"$EOF:" + mark + b"\r\n" + rdbdata + mark)
        wait_for(lambda: r.client().get("snap") == b"shot")
        assert info(r)["master_link_status"] == "down"
        main.sendall(b"+OK\r\n+CONTINUE " + rid + b"\r\n" + stream)
    want = [b"REPLCONF", b"ACK", str(100 + len(stream)).encode()]
    for _ in range(5):   # an ack may precede reading the stream bytes; the next one has them
        ack = read_cmd(mf)
        if ack == want:
            break
        assert ack[:2] == [b"REPLCONF", b"ACK"]
    assert ack == want
    wait_for(lambda: info(r)["master_link_status"] == "up")
    c = r.client()
    assert c.get("snap") == b"shot" and c.get("live") == b"1" and c.get("n") == b"1"
    i = info(r)
    assert i["master_replid"] == rid.decode() and int(i["master_repl_offset"]) == 100 + len(stream)
    assert i["replicas_repl_buffer_size"] == "0"
    if continue_first:
        assert int(i["replicas_repl_buffer_peak"]) == len(stream)
    rdb.settimeout(5)
    assert rdb.recv(10) == b""   # the replica closed its rdb channel
    main.close()
    rdb.close()
    ls.close()


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_dual_sync_with_writes(start_server, diskless):
    p = start_server(config=dict(DUAL, **{"repl-diskless-sync": diskless, "rdb-key-save-delay": 100}))
    p.client().execute_command("DEBUG", "POPULATE", 3000)
    fill(p.client(), 100)
    r = start_server(config=DUAL)
    stop = threading.Event()
    t = threading.Thread(target=writer, args=(p, stop))
    t.start()
    replica_of(r, p)
    seen = set()

    def watch():
        s = info(p).get("slave0", "") + info(p).get("slave1", "")
        for typ in ("rdb-channel", "main-channel"):
            if "type=" + typ in s:
                seen.add(typ)
        return info(r)["master_link_status"] == "up"
    wait_for(watch, 60, interval=0.02)
    stop.set()
    t.join()
    wait_sync(p, r)
    assert_same_data(p, r)
    assert "rdb-channel" in seen
    assert int(info(r)["replicas_repl_buffer_peak"]) > 0
    assert stat(p, "sync_full") == 1
    assert_no_leaks(p, 1)
    # a dropped link afterwards resumes with a partial resync
    p.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
    p.client().set("after", "kill")
    wait_sync(p, r)
    assert stat(p, "sync_full") == 1
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_dual_empty_dataset(start_server):
    p = start_server(config=DUAL)
    r = start_server(config=DUAL)
    replica_of(r, p)
    wait_sync(p, r)
    p.client().set("a", 1)
    wait_sync(p, r)
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def slow_pair(start_server, extra_p=None, extra_r=None):
    p = start_server(config=dict(DUAL, **{"rdb-key-save-delay": 300}, **(extra_p or {})))
    p.client().execute_command("DEBUG", "POPULATE", 2000)
    r = start_server(config=dict(DUAL, **(extra_r or {})))
    return p, r


def finish(p, r):
    p.client().config_set("rdb-key-save-delay", 0)
    wait_sync(p, r, timeout=60)
    p.client().set("final", "1")
    wait_sync(p, r)
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_rdb_channel_killed_during_transfer(start_server):
    p, r = slow_pair(start_server)
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "sync"), msg="rdb channel")
    time.sleep(0.3)
    for cid in client_ids(p, "sync"):
        p.client().execute_command("CLIENT", "KILL", "ID", cid)
    wait_for(lambda: info(p)["replicas_waiting_psync"] == "0")
    finish(p, r)


def test_rdb_channel_killed_before_endoff(start_server):
    p, r = slow_pair(start_server, {"repl-diskless-sync-delay": 2})
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "sync"), msg="rdb channel")
    for cid in client_ids(p, "sync"):
        p.client().execute_command("CLIENT", "KILL", "ID", cid)
    finish(p, r)


def test_main_channel_killed_during_sync(start_server):
    p, r = slow_pair(start_server)
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "psync"), msg="main channel")
    for cid in client_ids(p, "psync"):
        p.client().execute_command("CLIENT", "KILL", "ID", cid)
    finish(p, r)


def test_primary_killed_mid_sync(start_server):
    p, r = slow_pair(start_server)
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "sync"), msg="rdb channel")
    p.stop()
    p.config["rdb-key-save-delay"] = 0
    p.start()
    p.client().set("fresh", "1")
    wait_sync(p, r, timeout=60)
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_replicaof_no_one_mid_sync(start_server):
    p, r = slow_pair(start_server, {"repl-diskless-sync-delay": 3})
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "sync"), msg="rdb channel")
    assert r.client().execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    assert_no_leaks(p, 0)
    assert info(r)["role"] == "master"


def test_replica_buffer_limit(start_server):
    p, r = slow_pair(start_server, extra_r={"client-output-buffer-limit": ["replica", "32kb", "0", "0"]})
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "psync"), msg="main channel")
    for i in range(40):
        p.client().set("big:%d" % i, "y" * 4000)
    wait_for(lambda: "pausing the main channel" in r.log())
    finish(p, r)


def test_primary_output_buffer_limit_on_main_channel(start_server):
    p, r = slow_pair(start_server, extra_p={"client-output-buffer-limit": ["replica", "64kb", "0", "0"]},
                     extra_r={"client-output-buffer-limit": ["replica", "16kb", "0", "0"]})
    replica_of(r, p)
    wait_for(lambda: client_ids(p, "psync"), msg="main channel")
    pipe = p.client().pipeline(transaction=False)
    for i in range(1000):
        pipe.set("big:%d" % i, "z" * 10000)
    pipe.execute()
    wait_for(lambda: stat(p, "client_output_buffer_limit_disconnections") >= 1, 30)
    p.client().config_set("client-output-buffer-limit", "replica 0 0 0")
    finish(p, r)


def test_toggle_config(start_server):
    p = start_server(config={"repl-diskless-sync-delay": 0})
    p.client().set("a", 1)
    r = start_server(config=DUAL)
    replica_of(r, p)
    wait_sync(p, r)
    assert "dual channel" not in r.log()      # primary without the feature: classic sync
    r.client().execute_command("REPLICAOF", "NO", "ONE")
    p.client().config_set("dual-channel-replication-enabled", "yes")
    r.client().flushall()
    r.client().config_set("dual-channel-replication-enabled", "no")
    p.client().execute_command("DEBUG", "SLEEP", 0)
    replica_of(r, p)
    wait_sync(p, r)
    assert "dual channel" not in r.log()      # replica without it: classic again
    r2 = start_server(config={"dual-channel-replication-enabled": "yes"})
    replica_of(r2, p)
    wait_sync(p, r2)
    assert "dual channel sync done" in r2.log()
    assert_same_data(p, r, r2)
    assert_no_leaks(p, 2)


def test_dual_with_masterauth(start_server):
    p = start_server(config=dict(DUAL, requirepass="pw"))
    p.client(password="pw").set("k", "v")
    r = start_server(config=dict(DUAL, masterauth="pw"))
    replica_of(r, p)
    wait_for(lambda: info(r)["master_link_status"] == "up")
    assert r.client().get("k") == b"v"
    assert "dual channel sync done" in r.log()


def test_several_dual_and_classic_replicas(start_server):
    p = start_server(config=dict(DUAL, **{"repl-diskless-sync-delay": 1}))
    fill(p.client(), 200)
    rs = [start_server(config=DUAL), start_server(config=DUAL), start_server()]
    for r in rs:
        replica_of(r, p)
    for r in rs:
        wait_sync(p, r)
    p.client().set("x", 1)
    for r in rs:
        wait_sync(p, r)
    assert_same_data(p, *rs)
    assert_no_leaks(p, 3)


def test_replica_answers_loading_while_loading(start_server):
    p = start_server(config=DUAL)
    p.client().execute_command("DEBUG", "POPULATE", 3000)
    r = start_server(config=dict(DUAL, **{"key-load-delay": 500, "loading-process-events-interval-bytes": 1024}))
    replica_of(r, p)
    wait_for(lambda: r.raw(b"GET x\r\n").startswith(b"-LOADING"), 20, interval=0.01)
    i = info(r)
    assert i["master_sync_in_progress"] == "1" and i["master_link_status"] == "down"
    assert int(i["master_sync_read_bytes"]) > 0
    r.client().config_set("key-load-delay", 0)
    wait_sync(p, r, timeout=60)
    assert_same_data(p, r)


def test_replica_drains_main_channel_while_loading(start_server):
    """The replica reads its main channel every few ms of loading, not only at
    each loading-process-events-interval-bytes: with that interval out of reach
    (and the whole small payload already read, so the loader never waits on the
    rdb socket) the stream written during a slow load still ends up in the
    replica's buffer, not in the primary's memory."""
    p = start_server(config=DUAL)
    p.client().execute_command("DEBUG", "POPULATE", 5000)
    r = start_server(config=dict(DUAL, **{"key-load-delay": 1000,
                                          "loading-process-events-interval-bytes": 2147483647}))
    replica_of(r, p)
    wait_for(lambda: "main-channel" in info(p).get("slave0", "") + info(p).get("slave1", ""), 20,
             interval=0.02, msg="main channel streaming")
    pipe = p.client().pipeline(transaction=False)
    for i in range(256):
        pipe.set("big:%d" % i, b"y" * 65536)   # 16 MB, more than the loopback socket buffers hold
    pipe.execute()
    time.sleep(0.5)
    # the replica is still loading (about 5 s of key-load-delay) ...
    assert "main-channel" in info(p).get("slave0", "") + info(p).get("slave1", "")
    # ... and the primary holds little beyond its 1 MB backlog for it
    assert int(info(p, "memory")["mem_clients_slaves"]) < 2 * 1024 * 1024
    wait_sync(p, r, timeout=60)
    assert int(info(r)["replicas_repl_buffer_peak"]) >= 16 * 1024 * 1024
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


from replutil import FaultProxy  # noqa: E402


def test_proxy_rdb_channel_cut_after_transfer_before_psync(start_server):
    """The main channel is stalled so the snapshot completes first; the rdb
    channel then dies while the primary still pins the backlog for it."""
    p = start_server(config=dict(DUAL, **{"repl-diskless-sync-delay": 1}))
    fill(p.client(), 100)
    proxy = FaultProxy(p.port)
    try:
        r = start_server(config=DUAL)
        r.client().execute_command("REPLICAOF", "127.0.0.1", proxy.port)
        wait_for(lambda: proxy.count() >= 2, 10, msg="rdb channel opened")
        proxy.hold(0, "up")            # set-rdb-client-id / PSYNC of the main channel stall here
        wait_for(lambda: info(p)["replicas_waiting_psync"] == "1", 10, msg="rdb transmitted, pin held")
        proxy.cut(1)
        wait_for(lambda: info(p)["replicas_waiting_psync"] == "0", 10, msg="pin released with the rdb channel")
        proxy.release(0, "up")
        p.client().set("after", "cut")
        wait_sync(p, r, timeout=30)
        assert_same_data(p, r)
        assert_no_leaks(p, 1)
    finally:
        proxy.close()


@pytest.mark.parametrize("cut_at", [10, 300])
def test_proxy_rdb_payload_cut(start_server, cut_at):
    """The rdb channel dies after cut_at bytes of its downstream (inside $ENDOFF or the payload)."""
    p = start_server(config=DUAL)
    p.client().execute_command("DEBUG", "POPULATE", 500)
    proxy = FaultProxy(p.port)
    try:
        proxy.cut_after[1] = cut_at
        r = start_server(config=DUAL)
        r.client().execute_command("REPLICAOF", "127.0.0.1", proxy.port)
        wait_for(lambda: proxy.count() >= 2, 10)
        wait_for(lambda: info(r)["master_link_status"] == "up", 30)
        p.client().set("k", "v")
        wait_sync(p, r)
        assert_same_data(p, r)
        assert_no_leaks(p, 1)
        # the cut attempt's temp file (disk load, the default) is gone
        assert not [f for f in os.listdir(r.dir) if f.startswith("temp-")]
    finally:
        proxy.close()


@pytest.mark.parametrize("load", ["disabled", "on-empty-db", "swapdb"])
def test_dual_sync_honours_diskless_load(start_server, load):
    """disabled (and on-empty-db over existing data) saves the rdb channel's
    snapshot to disk first, as a classic sync does; the old data keeps serving
    until the load; the stream is buffered all along either way."""
    p = start_server(config=dict(DUAL, **{"rdb-key-save-delay": 50}))
    p.client().execute_command("DEBUG", "POPULATE", 2000)
    r = start_server(config=dict(DUAL, **{"repl-diskless-load": load}))
    r.client().set("old-data", "1")
    stop = threading.Event()
    t = threading.Thread(target=writer, args=(p, stop))
    t.start()
    replica_of(r, p)
    wait_for(lambda: info(r)["master_link_status"] == "up", 60)
    stop.set()
    t.join()
    wait_sync(p, r)
    assert_same_data(p, r)
    assert r.client().get("old-data") is None
    to_disk = "saved to disk first" in r.log()
    assert to_disk == (load in ("disabled", "on-empty-db"))
    if to_disk:
        assert os.path.exists(os.path.join(r.dir, "dump.rdb"))
    assert not [f for f in os.listdir(r.dir) if f.startswith("temp-")]
    assert int(info(r)["replicas_repl_buffer_peak"]) > 0
    assert_no_leaks(p, 1)
