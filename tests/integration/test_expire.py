"""Expiry: EXPIRE family options and errors, TTL family, PERSIST, lazy expiry
on access, the active expire cycle (keys vanish untouched) and its switch, and
propagation of relative expiries as absolute ones."""
import time

import pytest

from kvutil import Conn, err, wait_for, DEBUG_CONFIG

NOTINT = err("ERR value is not an integer or out of range")


@pytest.fixture
def srv(start_server):
    return start_server(config=DEBUG_CONFIG)


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def test_expire_basic(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", "100") == 1
    assert 99 <= c("TTL", "k") <= 100
    assert 99000 <= c("PTTL", "k") <= 100000
    assert c("EXPIRE", "nokey", "100") == 0
    assert c("PEXPIRE", "k", "200000") == 1
    assert 199 <= c("TTL", "k") <= 200
    now = int(time.time())
    assert c("EXPIREAT", "k", str(now + 300)) == 1
    assert c("EXPIRETIME", "k") == now + 300
    assert c("PEXPIREAT", "k", str(now * 1000 + 400123)) == 1
    assert c("PEXPIRETIME", "k") == now * 1000 + 400123
    assert c("EXPIRETIME", "k") == now + 400


def test_ttl_family_missing_and_persistent(c):
    for cmd in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert c(cmd, "nokey") == -2
    c("SET", "k", "v")
    for cmd in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert c(cmd, "k") == -1


def test_ttl_rounding(c):
    c("SET", "k", "v", "PX", "1600")
    assert c("TTL", "k") == 2  # rounded to the nearest second
    c("SET", "k", "v", "PX", "1400")
    assert c("TTL", "k") == 1


def test_persist(c):
    c("SET", "k", "v", "EX", "100")
    assert c("PERSIST", "k") == 1
    assert c("TTL", "k") == -1
    assert c("PERSIST", "k") == 0
    assert c("PERSIST", "nokey") == 0


def test_expire_in_the_past_deletes(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", "-1") == 1
    assert c("EXISTS", "k") == 0
    c("SET", "k", "v")
    assert c("PEXPIREAT", "k", "1") == 1
    assert c("EXISTS", "k") == 0
    c("SET", "k", "v")
    assert c("EXPIREAT", "k", "0") == 1
    assert c("EXISTS", "k") == 0


def test_expire_nx_xx_gt_lt(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", "100", "XX") == 0
    assert c("TTL", "k") == -1
    assert c("EXPIRE", "k", "100", "GT") == 0  # no TTL = infinite, nothing is greater
    assert c("EXPIRE", "k", "100", "LT") == 1
    assert c("EXPIRE", "k", "200", "NX") == 0
    assert c("EXPIRE", "k", "200", "XX") == 1
    assert 199 <= c("TTL", "k") <= 200
    assert c("EXPIRE", "k", "100", "GT") == 0
    assert c("EXPIRE", "k", "300", "GT") == 1
    assert c("EXPIRE", "k", "400", "LT") == 0
    assert c("EXPIRE", "k", "50", "LT") == 1
    assert 49 <= c("TTL", "k") <= 50
    assert c("EXPIRE", "k", "60", "xx", "gt") == 1
    assert c("EXPIRE", "k", "10", "XX", "LT") == 1
    assert c("PEXPIRE", "k", "5000", "gt") == 0
    c("PERSIST", "k")
    assert c("EXPIRE", "k", "100", "NX") == 1
    assert c("EXPIRE", "nokey", "100", "NX") == 0


def test_expire_option_errors(c):
    c("SET", "k", "v")
    nx_msg = err("ERR NX and XX, GT or LT options at the same time are not compatible")
    gtlt = err("ERR GT and LT options at the same time are not compatible")
    assert c("EXPIRE", "k", "100", "NX", "XX") == nx_msg
    assert c("EXPIRE", "k", "100", "NX", "GT") == nx_msg
    assert c("EXPIRE", "k", "100", "LT", "NX") == nx_msg
    assert c("PEXPIRE", "k", "100", "GT", "LT") == gtlt
    assert c("EXPIREAT", "k", "100", "FOO") == err("ERR Unsupported option FOO")
    assert c("PEXPIREAT", "k", "100", "gt", "bar") == err("ERR Unsupported option bar")
    # options are validated before the time argument
    assert c("EXPIRE", "k", "abc", "FOO") == err("ERR Unsupported option FOO")
    assert c("EXPIRE", "k", "abc") == NOTINT
    assert c("EXPIRE", "k", "1.5") == NOTINT
    assert c("EXPIRE", "k") == err("ERR wrong number of arguments for 'expire' command")
    assert c("TTL", "k") == -1


def test_expire_overflow_errors(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", "9223372036854775807") == err("ERR invalid expire time in 'expire' command")
    assert c("EXPIRE", "k", "-9223372036854775807") == err("ERR invalid expire time in 'expire' command")
    assert c("PEXPIRE", "k", "9223372036854775807") == err("ERR invalid expire time in 'pexpire' command")
    assert c("EXPIREAT", "k", "9223372036854775807") == err("ERR invalid expire time in 'expireat' command")
    assert c("TTL", "k") == -1
    # very large but valid
    assert c("PEXPIREAT", "k", "9223372036854775807") == 1


def test_lazy_expiry_on_access(c):
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    c("SET", "k", "v", "PX", "50")
    c("SET", "l", "v", "PX", "50")
    assert c("GET", "k") == b"v"
    time.sleep(0.12)
    assert c("DBSIZE") == 2  # still in memory: nothing touched them
    assert c("GET", "k") is None
    assert c("DBSIZE") == 1
    assert c("EXISTS", "l") == 0
    assert c("TTL", "l") == -2
    c("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_lazy_expiry_counts_stat(c):
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    c("SET", "k", "v", "PX", "10")
    time.sleep(0.05)
    assert c("GET", "k") is None
    info = c("INFO", "stats").decode()
    assert "expired_keys:1" in info


def test_active_expiry_removes_untouched_keys(c):
    c("DEBUG", "POPULATE", "100", "keep")
    for i in range(200):
        c("SET", "vol:%d" % i, "v", "PX", "100")
    assert c("DBSIZE") == 300
    assert wait_for(lambda: c("DBSIZE") == 100, timeout=5)
    info = c("INFO", "stats").decode()
    assert "expired_keys:200" in info


def test_active_expiry_many_keys_and_dbs(c):
    for db in (0, 3):
        c("SELECT", db)
        for i in range(0, 3000, 500):
            args = []
            for j in range(i, i + 500):
                args += ["k:%d" % j, "v"]
            c("MSET", *args)
        for j in range(3000):
            c("PEXPIRE", "k:%d" % j, "100")
    c("SELECT", "0")
    assert wait_for(lambda: c("DBSIZE") == 0, timeout=8)
    c("SELECT", "3")
    assert wait_for(lambda: c("DBSIZE") == 0, timeout=8)


def test_debug_set_active_expire_off(c):
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    for i in range(50):
        c("SET", "k:%d" % i, "v", "PX", "20")
    time.sleep(0.4)
    assert c("DBSIZE") == 50
    c("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    assert wait_for(lambda: c("DBSIZE") == 0, timeout=5)


def test_expire_keeps_value_and_overwrite_clears(c):
    c("SET", "k", "v", "EX", "100")
    c("APPEND", "k", "x")
    assert 99 <= c("TTL", "k") <= 100
    c("SETRANGE", "k", "0", "y")
    assert 99 <= c("TTL", "k") <= 100
    c("SET", "k", "new")
    assert c("TTL", "k") == -1
    c("EXPIRE", "k", "100")
    c("RENAME", "k", "k2")
    assert 99 <= c("TTL", "k2") <= 100
    c("DEL", "k2")
    c("SET", "k2", "v")
    assert c("TTL", "k2") == -1


def test_non_string_types_expire(c):
    c("RPUSH", "l", "a", "b")
    c("SADD", "s", "a")
    assert c("PEXPIRE", "l", "50") == 1
    assert c("PEXPIRE", "s", "50") == 1
    assert wait_for(lambda: c("EXISTS", "l", "s") == 0, timeout=3)


def test_multi_sees_consistent_time(c):
    c("SET", "k", "v", "PX", "100")
    c("MULTI")
    c("GET", "k")
    c("EXISTS", "k")
    time.sleep(0.15)
    # the key is expired by now; whatever EXEC decides, both agree
    res = c("EXEC")
    assert res in ([b"v", 1], [None, 0])


def test_expire_propagates_as_pexpireat(start_server):
    primary = start_server(config=DEBUG_CONFIG)
    replica = start_server(config=DEBUG_CONFIG)
    c = Conn(primary.port)
    r = Conn(replica.port)
    r("REPLICAOF", "127.0.0.1", str(primary.port))
    assert wait_for(lambda: b"master_link_status:up" in r("INFO", "replication"), timeout=10)
    c("SET", "a", "v")
    c("EXPIRE", "a", "100")
    c("SET", "b", "v", "EX", "200")
    c("SETEX", "d", "300", "v")
    c("SET", "e", "v")
    c("GETEX", "e", "PX", "400000")
    c("SET", "f", "1.5")
    c("INCRBYFLOAT", "f", "1")
    c("SET", "g", "v", "EX", "1000")
    c("PERSIST", "g")
    c("SET", "sync", "1")
    assert wait_for(lambda: r("GET", "sync") == b"1", timeout=5)
    for key in ("a", "b", "d", "e"):
        assert r("PEXPIRETIME", key) == c("PEXPIRETIME", key), key
    assert r("GET", "f") == b"2.5"
    assert r("TTL", "g") == -1
    # an expire in the past is replicated as a deletion
    c("SET", "h", "v")
    c("EXPIRE", "h", "-1")
    c("SET", "sync", "2")
    assert wait_for(lambda: r("GET", "sync") == b"2", timeout=5)
    assert r("EXISTS", "h") == 0
    assert r("DEBUG", "DIGEST") == c("DEBUG", "DIGEST")
    c.close()
    r.close()


def test_replica_keeps_expired_until_primary_deletes(start_server):
    primary = start_server(config=DEBUG_CONFIG)
    replica = start_server(config=DEBUG_CONFIG)
    c = Conn(primary.port)
    r = Conn(replica.port)
    r("REPLICAOF", "127.0.0.1", str(primary.port))
    assert wait_for(lambda: b"master_link_status:up" in r("INFO", "replication"), timeout=10)
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    c("SET", "k", "v", "PX", "100")
    c("SET", "sync", "1")
    assert wait_for(lambda: r("GET", "sync") == b"1", timeout=5)
    time.sleep(0.2)
    # replicas report the key as missing but do not delete it on their own
    assert r("GET", "k") is None
    assert r("DBSIZE") == 2
    assert c("GET", "k") is None  # the primary expires it and propagates DEL
    assert wait_for(lambda: r("DBSIZE") == 1, timeout=5)
    c.close()
    r.close()
