"""Replication over TLS (tls-replication yes on the replica, the primary's
tls-port as its REPLICAOF port).

Each server keeps its plain port for the test's own commands; the replication
links use TLS. Covered: classic full sync (diskless through the parent's pipe
relay, and disk-based), diskless load on the replica, dual-channel sync (the
fork child writes the rdb channel's session), PSYNC after a dropped link, the
stream after the sync, a mixed plain + TLS fork, a replica that does not trust
the primary's certificate, and interop with Debian's redis-server 7.0 both ways.
Skipped against a plain build (see test_tls.py for the probe).
"""
import os
import subprocess
import threading
import time

import pytest

from conftest import ROOT, free_port
from replutil import assert_no_leaks, assert_same_data, fill, info, stat, wait_for, wait_sync
from test_tls import TLS_BUILD

REDIS = "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(not TLS_BUILD, reason="valkey-server was built without BUILD_TLS=yes")


def _gen_certs(d):
    subprocess.run(["sh", os.path.join(ROOT, "utils", "gen-test-certs.sh"), str(d)], check=True,
                   stdout=subprocess.DEVNULL)
    return str(d)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return _gen_certs(tmp_path_factory.mktemp("tlsrepl"))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    """A second, unrelated CA: a replica trusting only it must refuse our primary."""
    return _gen_certs(tmp_path_factory.mktemp("otherca"))


def tls_cfg(certs, ca_dir=None, **extra):
    # valkey.crt is good for both roles: served by the primary, presented by the replica.
    cfg = {"tls-port": free_port(), "tls-cert-file": os.path.join(certs, "valkey.crt"),
           "tls-key-file": os.path.join(certs, "valkey.key"),
           "tls-ca-cert-file": os.path.join(ca_dir or certs, "ca.crt"),
           "repl-diskless-sync-delay": 0}
    cfg.update(extra)
    return cfg


def start_pair(start_server, certs, pcfg=None, rcfg=None, n=300):
    pc = tls_cfg(certs, **(pcfg or {}))
    p = start_server(config=pc)
    fill(p.client(), n)
    rc = tls_cfg(certs, **{"tls-replication": "yes"})
    rc.update(rcfg or {})
    r = start_server(config=rc)
    r.client().execute_command("REPLICAOF", "127.0.0.1", pc["tls-port"])
    wait_sync(p, r)
    return p, r, pc["tls-port"]


def check_stream(p, r):
    c = p.client()
    c.set("after", "sync")
    c.rpush("after:list", *range(50))
    c.incrby("after:counter", 7)
    c.expire("after", 1000)
    wait_sync(p, r)
    assert r.client().get("after") == b"sync"
    assert_same_data(p, r)


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_classic_sync_over_tls(start_server, certs, diskless):
    p, r, _ = start_pair(start_server, certs, pcfg={"repl-diskless-sync": diskless})
    assert_same_data(p, r)
    assert "Starting BGSAVE for SYNC with target: %s" % ("replicas sockets" if diskless == "yes" else "disk") in p.log()
    assert "TLS handshake" not in r.log()
    check_stream(p, r)
    assert stat(p, "sync_full") == 1
    assert_no_leaks(p, 1)


def test_diskless_load_over_tls(start_server, certs):
    p, r, _ = start_pair(start_server, certs, rcfg={"repl-diskless-load": "swapdb"})
    assert "Loading DB in memory" in r.log()
    assert_same_data(p, r)
    check_stream(p, r)


@pytest.mark.parametrize("load,diskless", [("disabled", "yes"), ("swapdb", "yes"), ("swapdb", "no")])
def test_dual_channel_sync_over_tls(start_server, certs, load, diskless):
    """Diskless: the fork child writes the rdb channel's session; disk-based:
    the parent sends the file through it."""
    dual = {"dual-channel-replication-enabled": "yes"}
    p, r, _ = start_pair(start_server, certs, pcfg=dict(dual, **{"repl-diskless-sync": diskless}),
                         rcfg=dict(dual, **{"repl-diskless-load": load}))
    assert "dual channel sync" in r.log()
    assert "rdb channel snapshot loaded" in r.log()
    assert_same_data(p, r)
    check_stream(p, r)
    # the rdb channel is gone once the main channel took over
    assert_no_leaks(p, 1)
    assert "type=replica" in info(p)["slave0"]


def test_psync_continue_after_link_drop(start_server, certs):
    p, r, _ = start_pair(start_server, certs)
    assert p.client().execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
    fill(p.client(), 40, prefix="later")
    wait_sync(p, r)
    assert stat(p, "sync_partial_ok") == 1 and stat(p, "sync_full") == 1
    assert_same_data(p, r)
    # and from the replica's side
    r.client().execute_command("CLIENT", "KILL", "TYPE", "master")
    p.client().set("x", "after-second-drop")
    wait_sync(p, r)
    assert r.client().get("x") == b"after-second-drop"
    assert stat(p, "sync_partial_ok") == 2 and stat(p, "sync_full") == 1


@pytest.mark.parametrize("dual", ["no", "yes"])
def test_writes_during_a_larger_sync(start_server, certs, dual):
    """A payload of several MB (relayed chunk by chunk, or written by the child
    on the rdb channel) while a client keeps writing: exercises the relay
    pausing on a full socket, OpenSSL's buffered input and, with dual channel,
    the main channel buffering through TLS while the snapshot loads."""
    cfg = tls_cfg(certs, **{"repl-backlog-size": 16 * 1024 * 1024, "dual-channel-replication-enabled": dual})
    p = start_server(config=cfg)
    p.client().execute_command("DEBUG", "POPULATE", 60000, "key", 200)
    stop = threading.Event()

    def writer():
        c = p.client()
        i = 0
        while not stop.is_set():
            c.set("w:%d" % (i % 500), "x" * (i % 300))
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        r = start_server(config=tls_cfg(certs, **{"tls-replication": "yes", "dual-channel-replication-enabled": dual,
                                                  "repl-diskless-load": "swapdb"}))
        r.client().execute_command("REPLICAOF", "127.0.0.1", cfg["tls-port"])
        wait_for(lambda: info(r).get("master_link_status") == "up", 60, msg="link up")
        time.sleep(0.3)
    finally:
        stop.set()
        t.join()
    wait_sync(p, r, 60)
    assert_same_data(p, r)
    assert_no_leaks(p, 1)


def test_plain_and_tls_replicas_share_one_fork(start_server, certs):
    pc = tls_cfg(certs, **{"repl-diskless-sync-delay": 1})
    p = start_server(config=pc)
    fill(p.client(), 300)
    r_tls = start_server(config=tls_cfg(certs, **{"tls-replication": "yes"}))
    r_plain = start_server()
    r_tls.client().execute_command("REPLICAOF", "127.0.0.1", pc["tls-port"])
    r_plain.client().execute_command("REPLICAOF", "127.0.0.1", p.port)
    wait_sync(p, r_tls)
    wait_sync(p, r_plain)
    assert p.log().count("Starting BGSAVE for SYNC") == 1
    check_stream(p, r_tls)
    assert_same_data(p, r_plain)
    assert_no_leaks(p, 2)


def test_untrusted_primary_certificate_fails_and_retries(start_server, certs, other_ca):
    pc = tls_cfg(certs)
    p = start_server(config=pc)
    fill(p.client(), 50)
    r = start_server(config=tls_cfg(certs, ca_dir=other_ca, **{"tls-replication": "yes"}))
    r.client().execute_command("REPLICAOF", "127.0.0.1", pc["tls-port"])
    wait_for(lambda: r.log().count("TLS handshake with PRIMARY failed") >= 2, 10, msg="two failed attempts")
    assert "certificate verify failed" in r.log()
    assert info(r)["master_link_status"] == "down"
    assert r.client().dbsize() == 0
    # trusting the right CA, the next attempt goes through
    r.client().config_set("tls-ca-cert-file", os.path.join(certs, "ca.crt"))
    wait_sync(p, r)
    assert_same_data(p, r)


def test_plain_replica_config_is_unchanged(start_server, certs):
    """tls-replication no: a replica pointed at the TLS port fails the way any
    plaintext peer does, and at the plain port replicates as before."""
    pc = tls_cfg(certs)
    p = start_server(config=pc)
    fill(p.client(), 30)
    r = start_server()
    r.client().execute_command("REPLICAOF", "127.0.0.1", p.port)
    wait_sync(p, r)
    assert_same_data(p, r)


def _redis_has_tls():
    if not os.path.exists(REDIS):
        return False
    try:
        out = subprocess.run([REDIS, "--port", "0", "--tls-port", str(free_port()), "--save", ""],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10, cwd="/tmp").stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"tls-cert-file" in out and b"not supported" not in out and b"TLS" in out


needs_redis_tls = pytest.mark.skipif(not _redis_has_tls(), reason="no redis-server built with TLS")


@needs_redis_tls
@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_redis_replica_of_our_tls_primary(start_server, certs, diskless):
    pc = tls_cfg(certs, **{"repl-diskless-sync": diskless})
    p = start_server(config=pc)
    fill(p.client(), 200)
    r = start_server(binary=REDIS, config=tls_cfg(certs, **{"tls-replication": "yes"}))
    r.client().execute_command("REPLICAOF", "127.0.0.1", pc["tls-port"])
    wait_for(lambda: info(r).get("master_link_status") == "up", 30, msg="link up")
    p.client().set("after", "1")
    wait_for(lambda: info(r)["slave_repl_offset"] == info(p)["master_repl_offset"], 30, msg="offsets")
    assert r.client().dbsize() == p.client().dbsize()
    assert r.client().get("after") == b"1"
    p.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
    p.client().set("x", "after-kill")
    wait_for(lambda: r.client().get("x") == b"after-kill", 30, msg="stream after drop")
    assert stat(p, "sync_partial_ok") == 1 and stat(p, "sync_full") == 1


@needs_redis_tls
def test_our_replica_of_redis_tls_primary(start_server, certs):
    pc = tls_cfg(certs)
    p = start_server(binary=REDIS, config=pc)
    fill(p.client(), 200)
    r = start_server(config=tls_cfg(certs, **{"tls-replication": "yes"}))
    r.client().execute_command("REPLICAOF", "127.0.0.1", pc["tls-port"])
    wait_sync(p, r)
    assert r.client().dbsize() == p.client().dbsize()
    p.client().set("after", "1")
    wait_sync(p, r)
    assert r.client().get("after") == b"1"
    p.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
    p.client().set("x", "after-kill")
    wait_sync(p, r)
    assert r.client().get("x") == b"after-kill"
    assert stat(p, "sync_partial_ok") == 1


from replutil import FaultProxy  # noqa: E402


def test_relay_target_cut_mid_payload(start_server, certs):
    """The TLS replica's connection dies inside the relayed payload: the relay
    drops it without disturbing the primary, and the retry syncs."""
    pc = tls_cfg(certs)
    p = start_server(config=pc)
    p.client().execute_command("DEBUG", "POPULATE", 20000, "key", 50)
    proxy = FaultProxy(pc["tls-port"])
    try:
        proxy.cut_after[0] = 60000    # past the TLS handshake and +FULLRESYNC, inside the payload
        r = start_server(config=tls_cfg(certs, **{"tls-replication": "yes"}))
        r.client().execute_command("REPLICAOF", "127.0.0.1", proxy.port)
        wait_for(lambda: proxy.count() >= 2, 20, msg="the replica reconnected")
        wait_sync(p, r)
        assert_same_data(p, r)
        assert stat(p, "sync_full") == 2
        # the first attempt died inside the payload
        assert r.log().count("Full resync from primary") == 2 and "connection lost" in r.log()
        assert_no_leaks(p, 1)
    finally:
        proxy.close()


def test_relay_pauses_on_a_stalled_replica(start_server, certs):
    """While the replica reads nothing the relay stops reading the child's pipe
    (the child waits) and the primary keeps answering; then the sync completes."""
    pc = tls_cfg(certs, **{"rdb-key-save-delay": 100})
    p = start_server(config=pc)
    p.client().execute_command("DEBUG", "POPULATE", 20000, "key", 100)
    proxy = FaultProxy(pc["tls-port"])
    try:
        r = start_server(config=tls_cfg(certs, **{"tls-replication": "yes"}))
        r.client().execute_command("REPLICAOF", "127.0.0.1", proxy.port)
        wait_for(lambda: "Background RDB transfer started" in p.log(), 10, msg="fork")
        proxy.hold(0, "down")
        c = p.client()
        worst = 0
        end = time.time() + 1.5
        while time.time() < end:
            t0 = time.time()
            assert c.ping()
            worst = max(worst, time.time() - t0)
            time.sleep(0.02)
        assert worst < 0.5
        assert info(r)["master_link_status"] == "down"
        proxy.release(0, "down")
        wait_sync(p, r, 60)
        assert_same_data(p, r)
        assert stat(p, "sync_full") == 1
        assert_no_leaks(p, 1)
    finally:
        proxy.close()


def test_dual_rdb_channel_cut_mid_payload(start_server, certs):
    """The TLS rdb channel (written by the fork child through its session) dies
    inside the payload: the attempt is dropped on both sides and the retry syncs."""
    dual = {"dual-channel-replication-enabled": "yes"}
    pc = tls_cfg(certs, **dual)
    p = start_server(config=pc)
    p.client().execute_command("DEBUG", "POPULATE", 20000, "key", 50)
    proxy = FaultProxy(pc["tls-port"])
    try:
        proxy.cut_after[1] = 60000
        r = start_server(config=tls_cfg(certs, **dict(dual, **{"tls-replication": "yes"})))
        r.client().execute_command("REPLICAOF", "127.0.0.1", proxy.port)
        wait_for(lambda: proxy.count() >= 3, 20, msg="the replica retried")
        p.client().set("after", "cut")
        wait_sync(p, r)
        assert_same_data(p, r)
        assert "Dual channel sync aborted" in r.log()
        assert_no_leaks(p, 1)
    finally:
        proxy.close()


def test_failover_over_tls(start_server, certs):
    """Both sides replicate over TLS: the replica announces its tls-port, so
    after FAILOVER the old primary follows it on that port, with TLS."""
    pc = tls_cfg(certs, **{"tls-replication": "yes"})
    rcfg = tls_cfg(certs, **{"tls-replication": "yes"})
    p = start_server(config=pc)
    fill(p.client(), 100)
    r = start_server(config=rcfg)
    r.client().execute_command("REPLICAOF", "127.0.0.1", pc["tls-port"])
    wait_sync(p, r)
    assert "port=%d" % rcfg["tls-port"] in info(p)["slave0"]
    wait_for(lambda: "state=online" in info(p)["slave0"], msg="online")
    assert p.client().execute_command("FAILOVER") == b"OK"
    wait_for(lambda: info(r)["role"] == "master" and info(p)["role"] == "slave", msg="roles swapped")
    wait_sync(r, p)
    assert int(info(p)["master_port"]) == rcfg["tls-port"]
    r.client().set("after-failover", "1")
    wait_sync(r, p)
    assert p.client().get("after-failover") == b"1"
    assert int(info(r, "stats")["sync_full"]) == 0
