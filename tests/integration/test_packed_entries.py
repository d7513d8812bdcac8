"""Keyspace entry shapes (db.c): a short key with an EMBSTR value is packed
into one allocation without a value pointer; longer keys, INT values and
other types use the other shapes. Every command must see the same data
whatever the shape, and entries must move between shapes on overwrite."""
import pytest

from kvutil import Conn, DEBUG_CONFIG


@pytest.fixture
def srv(start_server):
    return start_server(config=DEBUG_CONFIG)


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


# key lengths around the packed limit (31) and value lengths around the
# T5/T8 value header switch (31/32) and the embstr limit (44/45)
KEYS = ["", "k", "k" * 31, "k" * 32, "k" * 255, "k" * 256]
VALUES = ["", "v", "v" * 31, "v" * 32, "v" * 44, "v" * 45, "12345", "-7", "1" * 19]


def test_every_shape_reads_back(c):
    for k in KEYS:
        for v in VALUES:
            assert c("SET", k, v) == "OK"
            assert c("GET", k) == v.encode()
            assert c("STRLEN", k) == len(v)
            assert c("EXISTS", k) == 1
            assert c("TYPE", k) == "string"
            assert c("GETRANGE", k, 0, -1) == v.encode()
    assert c("DBSIZE") == len(KEYS)
    assert sorted(c("KEYS", "*")) == sorted(k.encode() for k in KEYS)


def test_object_encoding_per_value(c):
    c("SET", "short", "value:1")
    assert c("OBJECT", "ENCODING", "short") == b"embstr"
    c("SET", "short", "v" * 45)
    assert c("OBJECT", "ENCODING", "short") == b"raw"
    c("SET", "short", "123456")
    assert c("OBJECT", "ENCODING", "short") == b"int"
    c("SET", "short", "back to embstr")
    assert c("OBJECT", "ENCODING", "short") == b"embstr"
    assert c("GET", "short") == b"back to embstr"
    assert c("OBJECT", "REFCOUNT", "short") == 1
    c("SET", "shared", "5")
    assert c("OBJECT", "REFCOUNT", "shared") == 2147483647


def test_overwrite_between_shapes_keeps_ttl_and_key(c):
    k = "user:1000"
    c("SET", k, "a", "EX", 1000)
    for v in ["bb", "v" * 40, "77777", "c" * 60, "d", "e" * 31, "f" * 32]:
        c("SET", k, v, "KEEPTTL")
        assert c("GET", k) == v.encode()
        assert 0 < c("TTL", k) <= 1000
        assert c("KEYS", "user:*") == [k.encode()]
    assert c("PERSIST", k) == 1
    assert c("TTL", k) == -1


def test_append_setrange_incr_on_packed(c):
    c("SET", "p", "value:1")
    assert c("APPEND", "p", "xyz") == 10
    assert c("GET", "p") == b"value:1xyz"
    assert c("OBJECT", "ENCODING", "p") == b"raw"
    c("SET", "q", "hello")
    assert c("SETRANGE", "q", 1, "EL") == 5
    assert c("GET", "q") == b"hELlo"
    c("SET", "n", "10")
    c("SET", "big", "99999999999")
    assert c("INCR", "big") == 100000000000
    assert c("INCRBYFLOAT", "n", "0.5") == b"10.5"
    assert c("INCRBYFLOAT", "n", "1.5") == b"12"
    c("SET", "f", "3.25")
    assert c("INCRBYFLOAT", "f", "1") == b"4.25"
    assert c("GETDEL", "f") == b"4.25"
    assert c("EXISTS", "f") == 0


def test_expire_lazy_and_active_on_packed(c):
    for i in range(50):
        c("SET", f"e:{i}", f"value:{i}", "PX", 30)
    c("SET", "keep", "value")
    import time
    time.sleep(0.4)
    # active expiry removes most without access; the rest expire lazily
    assert c("GET", "e:1") is None
    assert all(c("EXISTS", f"e:{i}") == 0 for i in range(50))
    assert c("DBSIZE") == 1
    assert c("GET", "keep") == b"value"


def test_rename_copy_move_keep_values(c):
    c("SET", "src", "value:42", "EX", 500)
    assert c("RENAME", "src", "dst-with-a-much-longer-name-than-31-bytes") == "OK"
    assert c("GET", "dst-with-a-much-longer-name-than-31-bytes") == b"value:42"
    assert c("TTL", "dst-with-a-much-longer-name-than-31-bytes") > 0
    assert c("RENAME", "dst-with-a-much-longer-name-than-31-bytes", "s") == "OK"
    assert c("COPY", "s", "s2") == 1
    assert c("GET", "s2") == b"value:42"
    assert c("MOVE", "s2", 1) == 1
    c("SELECT", 1)
    assert c("GET", "s2") == b"value:42"
    c("SELECT", 0)
    assert c("GET", "s") == b"value:42"


def test_dump_restore_reload_and_digest(c):
    for i in range(200):
        c("SET", f"key:{i}", f"value:{i}")
    c("SET", "longkey" * 10, "x" * 40)
    c("SET", "int", "123456789")
    c("EXPIRE", "key:7", 1000)
    d1 = c("DEBUG", "DIGEST")
    payload = c("DUMP", "key:5")
    assert c("RESTORE", "copy:5", 0, payload) == "OK"
    assert c("GET", "copy:5") == b"value:5"
    c("DEL", "copy:5")
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST") == d1
    assert c("GET", "key:199") == b"value:199"
    assert c("TTL", "key:7") > 0
    assert c("GET", "longkey" * 10) == b"x" * 40


def test_populate_scan_and_memory_usage(c):
    assert c("DEBUG", "POPULATE", 5000) == "OK"
    seen, cursor = set(), b"0"
    while True:
        cursor, keys = c("SCAN", cursor, "COUNT", 100)
        seen.update(keys)
        if cursor == b"0":
            break
    assert len(seen) == 5000
    assert c("GET", "key:4999") == b"value:4999"
    # "key:4999" + "value:4999" + an 8-byte header fit a 32-byte allocation
    assert c("MEMORY", "USAGE", "key:4999") <= 48
    assert c("MEMORY", "USAGE", "key:4999") >= 24


def test_lfu_policy_on_packed(srv, c):
    c("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    c("SET", "hot", "value:1")
    for _ in range(50):
        c("GET", "hot")
    assert c("OBJECT", "FREQ", "hot") > 1
    assert c("GET", "hot") == b"value:1"
