"""Hash commands: exact replies and errors as Valkey 8 sends them, listpack ->
hashtable conversion, HRANDFIELD and HSCAN semantics."""
import pytest

from kvutil import Conn, err

SYNTAX = err("ERR syntax error")
NOTINT = err("ERR value is not an integer or out of range")
WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")


@pytest.fixture
def srv(start_server):
    return start_server()


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def test_hset_hget(c):
    assert c("HSET", "h", "f1", "v1", "f2", "v2") == 2
    assert c("HSET", "h", "f1", "new", "f3", "v3") == 1
    assert c("HGET", "h", "f1") == b"new"
    assert c("HGET", "h", "nofield") is None
    assert c("HGET", "nokey", "f") is None
    assert c("HSET", "h", "f1") == err("ERR wrong number of arguments for 'hset' command")
    assert c("HMSET", "h", "a", "1", "b") == err("ERR wrong number of arguments for 'hmset' command")
    assert c("HMSET", "h", "a", "1", "b", "2") == "OK"
    assert c("HMGET", "h", "a", "zz", "b") == [b"1", None, b"2"]
    assert c("HMGET", "nokey", "a", "b") == [None, None]
    assert c("HLEN", "h") == 5
    assert c("HLEN", "nokey") == 0


def test_hsetnx_hexists_hstrlen(c):
    assert c("HSETNX", "h", "f", "v") == 1
    assert c("HSETNX", "h", "f", "w") == 0
    assert c("HGET", "h", "f") == b"v"
    assert c("HEXISTS", "h", "f") == 1
    assert c("HEXISTS", "h", "g") == 0
    assert c("HEXISTS", "nokey", "g") == 0
    c("HSET", "h", "n", "-12345")
    assert c("HSTRLEN", "h", "n") == 6
    assert c("HSTRLEN", "h", "f") == 1
    assert c("HSTRLEN", "h", "zz") == 0
    assert c("HSTRLEN", "nokey", "zz") == 0


def test_hdel(c):
    c("HSET", "h", "a", 1, "b", 2, "c", 3)
    assert c("HDEL", "h", "a", "zz", "b") == 2
    assert c("HDEL", "nokey", "a") == 0
    assert c("HDEL", "h", "c") == 1
    assert c("EXISTS", "h") == 0


def test_hgetall_keys_vals(c):
    assert c("HGETALL", "nokey") == []
    assert c("HKEYS", "nokey") == []
    assert c("HVALS", "nokey") == []
    c("HSET", "h", "a", 1, "b", "two")
    assert pairs(c("HGETALL", "h")) == {b"a": b"1", b"b": b"two"}
    assert sorted(c("HKEYS", "h")) == [b"a", b"b"]
    assert sorted(c("HVALS", "h")) == [b"1", b"two"]


def test_hgetall_resp3_map(srv):
    c3 = Conn(srv.port, resp=3)
    c3("HSET", "h", "a", "1")
    assert c3("HGETALL", "h") == {b"a": b"1"}
    assert c3("HGETALL", "nokey") == {}
    c3.close()


def test_hincrby(c):
    assert c("HINCRBY", "h", "n", 5) == 5
    assert c("HINCRBY", "h", "n", -10) == -5
    c("HSET", "h", "s", "abc", "big", "9223372036854775807")
    assert c("HINCRBY", "h", "s", 1) == err("ERR hash value is not an integer")
    assert c("HINCRBY", "h", "big", 1) == err("ERR increment or decrement would overflow")
    assert c("HINCRBY", "h", "n", "x") == NOTINT
    assert c("HGET", "h", "n") == b"-5"


def test_hincrbyfloat(c):
    assert c("HINCRBYFLOAT", "h", "f", "10.5") == b"10.5"
    assert c("HINCRBYFLOAT", "h", "f", "0.1") == b"10.6"
    assert c("HINCRBYFLOAT", "h", "f", "-10.6") == b"0"
    assert c("HINCRBYFLOAT", "h", "f", "5.0e3") == b"5000"
    c("HSET", "h", "s", "abc")
    assert c("HINCRBYFLOAT", "h", "s", 1) == err("ERR hash value is not a float")
    assert c("HINCRBYFLOAT", "h", "f", "abc") == err("ERR value is not a valid float")
    assert c("HINCRBYFLOAT", "h", "f", "inf") == err("ERR value is NaN or Infinity")


def test_wrongtype(c):
    c("SET", "s", "v")
    for cmd in (("HSET", "s", "f", "v"), ("HGET", "s", "f"), ("HMGET", "s", "f"), ("HDEL", "s", "f"),
                ("HLEN", "s"), ("HGETALL", "s"), ("HKEYS", "s"), ("HINCRBY", "s", "f", 1),
                ("HSETNX", "s", "f", "v"), ("HEXISTS", "s", "f"), ("HSTRLEN", "s", "f"),
                ("HRANDFIELD", "s"), ("HSCAN", "s", 0)):
        assert c(*cmd) == WRONGTYPE, cmd


def test_encoding_conversion(c):
    c("CONFIG", "SET", "hash-max-listpack-entries", 128)
    c("CONFIG", "SET", "hash-max-listpack-value", 64)
    c("HSET", "h", "a", "1")
    assert c("OBJECT", "ENCODING", "h") == b"listpack"
    c("HSET", "h", "long", "x" * 65)
    assert c("OBJECT", "ENCODING", "h") == b"hashtable"
    assert c("HGET", "h", "a") == b"1"
    c("HSET", "h2", "x" * 64, "v")
    assert c("OBJECT", "ENCODING", "h2") == b"listpack"
    for i in range(127):
        c("HSET", "h3", "f%d" % i, i)
    c("HSET", "h3", "last", "v")
    assert c("OBJECT", "ENCODING", "h3") == b"listpack"
    c("HSET", "h3", "one-more", "v")
    assert c("OBJECT", "ENCODING", "h3") == b"hashtable"
    assert c("HLEN", "h3") == 129
    assert c("HGET", "h3", "f100") == b"100"
    c("CONFIG", "SET", "hash-max-listpack-entries", 2)
    c("HSET", "h4", "a", 1, "b", 2, "c", 3)
    assert c("OBJECT", "ENCODING", "h4") == b"hashtable"


def test_hrandfield(c):
    assert c("HRANDFIELD", "nokey") is None
    assert c("HRANDFIELD", "nokey", 3) == []
    c("HSET", "h", "a", 1, "b", 2, "c", 3)
    assert c("HRANDFIELD", "h") in (b"a", b"b", b"c")
    assert c("HRANDFIELD", "h", 0) == []
    r = c("HRANDFIELD", "h", 2)
    assert len(r) == 2 and len(set(r)) == 2
    assert sorted(c("HRANDFIELD", "h", 10)) == [b"a", b"b", b"c"]
    r = c("HRANDFIELD", "h", -10)
    assert len(r) == 10 and set(r) <= {b"a", b"b", b"c"}
    r = c("HRANDFIELD", "h", 5, "WITHVALUES")
    assert pairs(r) == {b"a": b"1", b"b": b"2", b"c": b"3"}
    r = c("HRANDFIELD", "h", -4, "WITHVALUES")
    assert len(r) == 8 and all(pairs(r)[k] == {b"a": b"1", b"b": b"2", b"c": b"3"}[k] for k in pairs(r))
    assert c("HRANDFIELD", "h", 1, "FOO") == SYNTAX
    assert c("HRANDFIELD", "h", "x") == NOTINT


def test_hrandfield_hashtable_and_resp3(srv):
    c = Conn(srv.port, resp=3)
    for i in range(200):
        c("HSET", "h", "f%d" % i, i)
    r = c("HRANDFIELD", "h", 50)
    assert len(set(r)) == 50
    r = c("HRANDFIELD", "h", 3, "WITHVALUES")
    assert len(r) == 3 and all(len(p) == 2 and p[1] == p[0][1:] for p in r)
    r = c("HRANDFIELD", "h", -300, "WITHVALUES")
    assert len(r) == 300
    c.close()


def test_hscan(c):
    c("HSET", "h", "a", 1, "b", 2, "ab", 3)
    cur, items = c("HSCAN", "h", 0)
    assert cur == b"0" and pairs(items) == {b"a": b"1", b"b": b"2", b"ab": b"3"}
    cur, items = c("HSCAN", "h", 0, "MATCH", "a*")
    assert pairs(items) == {b"a": b"1", b"ab": b"3"}
    cur, items = c("HSCAN", "h", 0, "NOVALUES")
    assert sorted(items) == [b"a", b"ab", b"b"]
    assert c("HSCAN", "nokey", 0) == [b"0", []]
    assert c("HSCAN", "h", 0, "COUNT", 0) == SYNTAX
    assert c("HSCAN", "h", 0, "FOO") == SYNTAX
    assert c("HSCAN", "h", "x") == err("ERR invalid cursor")
    for i in range(1000):
        c("HSET", "big", "field:%d" % i, i)
    seen, cur = {}, b"0"
    while True:
        cur, items = c("HSCAN", "big", cur, "COUNT", 100)
        seen.update(pairs(items))
        if cur == b"0":
            break
    assert len(seen) == 1000 and seen[b"field:7"] == b"7"
    keys, cur = set(), b"0"
    while True:
        cur, items = c("HSCAN", "big", cur, "NOVALUES", "MATCH", "field:1*")
        keys.update(items)
        if cur == b"0":
            break
    assert len(keys) == 111


# ---- the hashtable encoding: one allocation per field holding field and value ----

def used_memory(c):
    for line in c("INFO", "memory").decode().split("\r\n"):
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise AssertionError("no used_memory")


def test_hashtable_field_footprint(c):
    """field:N -> value:N costs one ~32-byte allocation plus a bucket slot
    (~45 bytes; was ~75 with an entry and two separate strings)."""
    n = 20000
    before = used_memory(c)
    for i in range(0, n, 500):
        args = []
        for j in range(i, i + 500):
            args += ["field:%d" % j, "value:%d" % j]
        c("HSET", "h", *args)
    per = (used_memory(c) - before) / n
    assert c("OBJECT", "ENCODING", "h") == b"hashtable"
    assert per < 55, per
    usage = c("MEMORY", "USAGE", "h", "SAMPLES", 0)
    assert 30 * n < usage < 80 * n, usage


SPECIAL = [b"", b"\x00", b"a\x00b", b"\xff" * 3, b"x" * 255, b"y" * 256, b"z" * 70000]


def test_overwrite_grows_and_shrinks_values(c):
    c("CONFIG", "SET", "hash-max-listpack-entries", 4)
    c("HSET", "h", *sum([["f%d" % i, i] for i in range(10)], []))
    assert c("OBJECT", "ENCODING", "h") == b"hashtable"
    for v in [b"", b"short", b"v" * 255, b"w" * 256, b"big" * 30000, b"\x00\x01\x00", b"1"]:
        assert c("HSET", "h", "f3", v) == 0
        assert c("HGET", "h", "f3") == v
        assert c("HSTRLEN", "h", "f3") == len(v)
        assert c("HGET", "h", "f4") == b"4"
    for f in SPECIAL:                      # fields of every width, each with every width of value
        for v in SPECIAL:
            c("HSET", "h", f, v)
            assert c("HGET", "h", f) == v
    assert c("HLEN", "h") == 10 + len(SPECIAL)
    got = dict(zip(*[iter(c("HGETALL", "h"))] * 2))
    assert len(got) == c("HLEN", "h")
    assert all(got[f] == SPECIAL[-1] for f in SPECIAL)
    assert got[b"f9"] == b"9"
    assert c("HMGET", "h", *SPECIAL, "nope") == [SPECIAL[-1]] * len(SPECIAL) + [None]
    for f in SPECIAL:
        assert c("HDEL", "h", f) == 1
        assert c("HEXISTS", "h", f) == 0
    assert c("HLEN", "h") == 10


def test_incr_on_hashtable_fields(c):
    c("CONFIG", "SET", "hash-max-listpack-entries", 2)
    c("HSET", "h", "a", 1, "b", 2, "c", "x" * 300)
    assert c("OBJECT", "ENCODING", "h") == b"hashtable"
    assert c("HINCRBY", "h", "a", 99) == 100
    assert c("HINCRBY", "h", "a", -1000000000000) == -999999999900
    assert c("HINCRBY", "h", "new", 5) == 5
    assert c("HINCRBYFLOAT", "h", "b", "1.5") == b"3.5"
    assert c("HINCRBYFLOAT", "h", "b", "1e3") == b"1003.5"
    assert c("HINCRBYFLOAT", "h", "f", "-0.25") == b"-0.25"
    assert c("HINCRBY", "h", "c", 1) == err("ERR hash value is not an integer")
    assert c("HGET", "h", "a") == b"-999999999900"
    assert c("HGET", "h", "c") == b"x" * 300
    assert c("HLEN", "h") == 5


def test_conversion_keeps_integer_encoded_entries(c):
    """Listpack stores "123" as an integer: the converted field/value must be its text."""
    c("HSET", "h", 123, -7, "k", 0, "-1", "9223372036854775807")
    assert c("OBJECT", "ENCODING", "h") == b"listpack"
    c("HSET", "h", "long", "v" * 100)
    assert c("OBJECT", "ENCODING", "h") == b"hashtable"
    assert c("HGET", "h", "123") == b"-7"
    assert c("HGET", "h", "k") == b"0"
    assert c("HGET", "h", "-1") == b"9223372036854775807"
    dump = c("DUMP", "h")
    assert c("RESTORE", "h2", 0, dump) == "OK"
    assert sorted(c("HGETALL", "h2")) == sorted(c("HGETALL", "h"))
    digest = c("DEBUG", "DIGEST-VALUE", "h")
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST-VALUE", "h") == digest
    assert c("OBJECT", "ENCODING", "h") == b"hashtable"


def test_hscan_during_growth(c):
    c("CONFIG", "SET", "hash-max-listpack-entries", 4)
    c("HSET", "h", *sum([["keep:%d" % i, i] for i in range(200)], []))
    seen, cur, i = {}, b"0", 0
    while True:
        cur, items = c("HSCAN", "h", cur, "COUNT", 20)
        seen.update(zip(items[0::2], items[1::2]))
        if i < 3000:
            c("HSET", "h", *sum([["new:%d" % j, "v"] for j in range(i, i + 300)], []))
            i += 300
        if cur == b"0":
            break
    for k in range(200):
        assert seen[("keep:%d" % k).encode()] == str(k).encode()


def test_hrandfield_is_fair(c):
    c("CONFIG", "SET", "hash-max-listpack-entries", 4)
    n, draws = 200, 80000
    c("HSET", "h", *sum([["f%d" % i, "v%d" % i] for i in range(n)], []))
    counts = {}
    reply = c("HRANDFIELD", "h", -draws, "WITHVALUES")
    for f, v in zip(reply[0::2], reply[1::2]):
        assert v == b"v" + f[1:]
        counts[f] = counts.get(f, 0) + 1
    assert len(counts) == n
    assert min(counts.values()) > 250 and max(counts.values()) < 550, (min(counts.values()), max(counts.values()))
    r = c("HRANDFIELD", "h", 150, "WITHVALUES")
    assert len(set(r[0::2])) == 150


@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/redis-server"), reason="needs redis-server 7.0")
def test_digest_matches_reference(c, start_server):
    ref = start_server(binary="/usr/bin/redis-server", config={"enable-debug-command": "yes"})
    rc = Conn(ref.port)
    for conn in (c, rc):
        conn("HSET", "h", *sum([["field:%d" % i, "value:%d" % i] for i in range(1000)], []))
        for f in SPECIAL:
            conn("HSET", "h", f, f + b"!")
    assert c("OBJECT", "ENCODING", "h") == rc("OBJECT", "ENCODING", "h") == b"hashtable"
    assert c("DEBUG", "DIGEST-VALUE", "h") == rc("DEBUG", "DIGEST-VALUE", "h")
    rc.close()
