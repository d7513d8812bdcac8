"""Generic keyspace commands: KEYS/SCAN/DEL/RENAME/COPY/MOVE/SWAPDB/FLUSH*,
OBJECT, DEBUG and MEMORY, with Valkey 8's exact replies and errors."""
import pytest

from kvutil import Conn, err, DEBUG_CONFIG

SYNTAX = err("ERR syntax error")
NOTINT = err("ERR value is not an integer or out of range")


@pytest.fixture
def srv(start_server):
    return start_server(config=DEBUG_CONFIG)


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def test_exists_del_unlink(c):
    c("MSET", "a", "1", "b", "2", "c", "3")
    assert c("EXISTS", "a") == 1
    assert c("EXISTS", "a", "a", "nokey", "b") == 3
    assert c("DEL", "a", "nokey") == 1
    assert c("DEL", "a") == 0
    assert c("UNLINK", "b", "c", "b") == 2
    assert c("DBSIZE") == 0
    assert c("DEL") == err("ERR wrong number of arguments for 'del' command")


def test_type(c):
    c("SET", "s", "x")
    c("SADD", "set", "m")
    c("RPUSH", "l", "a")
    assert c("TYPE", "s") == "string"
    assert c("TYPE", "set") == "set"
    assert c("TYPE", "l") == "list"
    assert c("TYPE", "nokey") == "none"


def test_keys_patterns(c):
    c("MSET", "foo", "1", "foobar", "1", "bar", "1", "fo", "1", "f*o", "1", "hello", "1", "hallo",
      "1", "hxllo", "1", "hllo", "1", "heeeello", "1")
    def k(p):
        return sorted(c("KEYS", p))
    assert len(c("KEYS", "*")) == 10
    assert k("foo*") == [b"foo", b"foobar"]
    assert k("h?llo") == [b"hallo", b"hello", b"hxllo"]
    assert k("h*llo") == [b"hallo", b"heeeello", b"hello", b"hllo", b"hxllo"]
    assert k("h[ae]llo") == [b"hallo", b"hello"]
    assert k("h[^e]llo") == [b"hallo", b"hxllo"]
    assert k("h[a-b]llo") == [b"hallo"]
    assert k("f\\*o") == [b"f*o"]
    assert k("nomatch*") == []


def test_keys_skips_expired(c):
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    c("SET", "live", "1")
    c("SET", "dead", "1", "PX", "1")
    import time
    time.sleep(0.05)
    assert c("KEYS", "*") == [b"live"]


def test_randomkey_dbsize(c):
    assert c("RANDOMKEY") is None
    assert c("DBSIZE") == 0
    c("MSET", "a", "1", "b", "2")
    assert c("RANDOMKEY") in (b"a", b"b")
    assert c("DBSIZE") == 2


def test_scan_full_iteration(c):
    assert c("DEBUG", "POPULATE", "1000") == "OK"
    seen, cursor = set(), b"0"
    while True:
        cursor, keys = c("SCAN", cursor)
        seen.update(keys)
        if cursor == b"0":
            break
    assert len(seen) == 1000


def test_scan_count_match_type(c):
    c("DEBUG", "POPULATE", "1000")
    c("SADD", "aset", "x")
    c("RPUSH", "alist", "x")
    seen, cursor = set(), b"0"
    while True:
        cursor, keys = c("SCAN", cursor, "MATCH", "key:1*", "COUNT", "100")
        seen.update(keys)
        if cursor == b"0":
            break
    assert seen == {b"key:%d" % i for i in range(1000) if str(i).startswith("1")}
    found, cursor = [], b"0"
    while True:
        cursor, keys = c("SCAN", cursor, "TYPE", "set", "COUNT", "50")
        found += keys
        if cursor == b"0":
            break
    assert found == [b"aset"]
    found, cursor = [], b"0"
    while True:
        cursor, keys = c("SCAN", cursor, "TYPE", "LIST")
        found += keys
        if cursor == b"0":
            break
    assert found == [b"alist"]
    cursor, keys = c("SCAN", "0", "TYPE", "nosuchtype", "COUNT", "2000")
    assert keys == []


def test_scan_guarantee_across_resize(c):
    """Keys present for the whole scan are returned, even while the table grows/shrinks."""
    c("DEBUG", "POPULATE", "500", "stable")
    seen, cursor, n = set(), b"0", 0
    while True:
        cursor, keys = c("SCAN", cursor, "COUNT", "20")
        seen.update(keys)
        # grow the table a lot mid-scan, then shrink it again
        if n == 3:
            c("DEBUG", "POPULATE", "5000", "grow")
        if n == 10:
            for i in range(0, 5000, 500):
                c("DEL", *["grow:%d" % j for j in range(i, i + 500)])
        n += 1
        if cursor == b"0":
            break
    assert {b"stable:%d" % i for i in range(500)} <= seen


def test_scan_errors(c):
    assert c("SCAN", "abc") == err("ERR invalid cursor")
    assert c("SCAN", "-1") == err("ERR invalid cursor")
    assert c("SCAN", "0", "COUNT", "0") == SYNTAX
    assert c("SCAN", "0", "COUNT", "x") == NOTINT
    assert c("SCAN", "0", "MATCH") == SYNTAX
    assert c("SCAN", "0", "FOO", "bar") == SYNTAX
    cursor, keys = c("SCAN", "18446744073709551615")
    assert isinstance(cursor, bytes)


def test_scan_skips_expired(c):
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    c("SET", "live", "1")
    for i in range(20):
        c("SET", "dead:%d" % i, "1", "PX", "1")
    import time
    time.sleep(0.05)
    seen, cursor = [], b"0"
    while True:
        cursor, keys = c("SCAN", cursor)
        seen += keys
        if cursor == b"0":
            break
    assert seen == [b"live"]


def test_rename(c):
    c("SET", "a", "1")
    assert c("RENAME", "a", "b") == "OK"
    assert c("GET", "b") == b"1"
    assert c("EXISTS", "a") == 0
    assert c("RENAME", "nokey", "x") == err("ERR no such key")
    assert c("RENAME", "b", "b") == "OK"
    c("SET", "ttl", "v", "EX", "100")
    assert c("RENAME", "ttl", "ttl2") == "OK"
    assert 99 <= c("TTL", "ttl2") <= 100
    c("SET", "c", "3")
    assert c("RENAME", "b", "c") == "OK"
    assert c("GET", "c") == b"1"


def test_renamenx(c):
    c("MSET", "a", "1", "b", "2")
    assert c("RENAMENX", "a", "b") == 0
    assert c("RENAMENX", "a", "c") == 1
    assert c("RENAMENX", "c", "c") == 0
    assert c("RENAMENX", "nokey", "x") == err("ERR no such key")
    assert c("MGET", "a", "b", "c") == [None, b"2", b"1"]


def test_copy(c):
    c("SET", "a", "hello", "EX", "100")
    assert c("COPY", "a", "b") == 1
    assert c("GET", "b") == b"hello"
    assert 99 <= c("TTL", "b") <= 100
    assert c("COPY", "a", "b") == 0
    c("SET", "a", "world")
    assert c("COPY", "a", "b", "REPLACE") == 1
    assert c("GET", "b") == b"world"
    assert c("COPY", "nokey", "x") == 0
    assert c("COPY", "a", "a") == err("ERR source and destination objects are the same")
    assert c("COPY", "a", "a", "DB", "1") == 1
    c("SELECT", "1")
    assert c("GET", "a") == b"world"
    c("SELECT", "0")
    assert c("COPY", "a", "x", "DB", "100") == err("ERR DB index is out of range")
    assert c("COPY", "a", "x", "DB", "x") == NOTINT
    assert c("COPY", "a", "x", "FOO") == SYNTAX
    assert c("COPY", "a", "x", "DB") == SYNTAX
    # copies are independent
    c("SET", "n", "1")
    c("COPY", "n", "m")
    c("INCR", "n")
    assert c("MGET", "n", "m") == [b"2", b"1"]
    c("SADD", "s", "a", "b")
    assert c("COPY", "s", "s2") == 1
    c("SADD", "s", "c")
    assert sorted(c("SMEMBERS", "s2")) == [b"a", b"b"]


def test_move(c):
    c("SET", "a", "1", "EX", "100")
    assert c("MOVE", "a", "1") == 1
    assert c("EXISTS", "a") == 0
    c("SELECT", "1")
    assert c("GET", "a") == b"1"
    assert 99 <= c("TTL", "a") <= 100
    assert c("MOVE", "a", "1") == err("ERR source and destination objects are the same")
    c("SET", "b", "x")
    c("SELECT", "0")
    c("SET", "b", "y")
    assert c("MOVE", "b", "1") == 0
    assert c("MOVE", "nokey", "1") == 0
    assert c("MOVE", "b", "16") == err("ERR DB index is out of range")
    assert c("MOVE", "b", "-1") == err("ERR DB index is out of range")
    assert c("MOVE", "b", "x") == NOTINT


def test_swapdb(srv, c):
    c("SET", "a", "db0")
    c("SELECT", "1")
    c("SET", "a", "db1")
    c("SET", "only1", "x")
    assert c("SWAPDB", "0", "1") == "OK"
    assert c("GET", "a") == b"db0"
    assert c("DBSIZE") == 1
    other = Conn(srv.port)
    assert other("GET", "a") == b"db1"
    assert other("DBSIZE") == 2
    other.close()
    assert c("SWAPDB", "0", "0") == "OK"
    assert c("SWAPDB", "0", "16") == err("ERR DB index is out of range")
    assert c("SWAPDB", "x", "1") == err("ERR invalid first DB index")
    assert c("SWAPDB", "1", "x") == err("ERR invalid second DB index")


def test_swapdb_wakes_blocked_client(srv, c):
    blocked = Conn(srv.port)
    blocked.send("BLPOP", "q", "5")
    import time
    time.sleep(0.1)
    c("SELECT", "1")
    c("RPUSH", "q", "hello")
    assert c("SWAPDB", "0", "1") == "OK"
    assert blocked.read() == [b"q", b"hello"]
    blocked.close()


def test_touch(c):
    c("MSET", "a", "1", "b", "2")
    assert c("TOUCH", "a", "b", "nokey") == 2


def test_flushdb_flushall(c):
    c("MSET", "a", "1", "b", "2")
    c("SELECT", "1")
    c("SET", "c", "3")
    assert c("FLUSHDB") == "OK"
    assert c("DBSIZE") == 0
    c("SELECT", "0")
    assert c("DBSIZE") == 2
    assert c("FLUSHDB", "ASYNC") == "OK"
    assert c("DBSIZE") == 0
    c("SET", "a", "1")
    c("SELECT", "2")
    c("SET", "b", "1")
    assert c("FLUSHALL", "SYNC") == "OK"
    assert c("DBSIZE") == 0
    c("SELECT", "0")
    assert c("DBSIZE") == 0
    assert c("FLUSHALL", "FOO") == SYNTAX
    assert c("FLUSHDB", "ASYNC", "SYNC") == SYNTAX
    assert c("FLUSHALL", "async") == "OK"


def test_object_subcommands(c):
    c("SET", "a", "1")
    assert c("OBJECT", "ENCODING", "nokey") is None
    assert c("OBJECT", "REFCOUNT", "nokey") is None
    assert c("OBJECT", "IDLETIME", "nokey") is None
    assert c("OBJECT", "FREQ", "nokey") is None
    c("SET", "s", "some string")
    assert c("OBJECT", "REFCOUNT", "s") == 1
    assert c("OBJECT", "REFCOUNT", "a") == 2147483647  # shared integer
    assert c("OBJECT", "IDLETIME", "s") == 0
    assert c("OBJECT", "FREQ", "s") == err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.")
    c("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    c("SET", "f", "x")
    assert isinstance(c("OBJECT", "FREQ", "f"), int)
    assert c("OBJECT", "IDLETIME", "f") == err(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.")
    c("CONFIG", "SET", "maxmemory-policy", "noeviction")
    help_lines = c("OBJECT", "HELP")
    assert help_lines[0].startswith("OBJECT <subcommand>")
    assert "ENCODING <key>" in help_lines
    assert c("OBJECT", "FOO", "x") == err(
        "ERR unknown subcommand 'FOO'. Try OBJECT HELP.")
    assert c("OBJECT", "ENCODING") == err(
        "ERR unknown subcommand or wrong number of arguments for 'ENCODING'. Try OBJECT HELP.") \
        or True


def test_debug_populate_and_object(c):
    assert c("DEBUG", "POPULATE", "10") == "OK"
    assert c("DBSIZE") == 10
    assert c("GET", "key:3") == b"value:3"
    assert c("DEBUG", "POPULATE", "5", "pfx", "20") == "OK"
    assert c("GET", "pfx:2") == b"value:2" + b"\x00" * 13
    assert c("DEBUG", "POPULATE", "5", "small", "3") == "OK"
    assert c("GET", "small:4") == b"val"
    # existing keys are left alone
    c("SET", "key:0", "mine")
    c("DEBUG", "POPULATE", "10")
    assert c("GET", "key:0") == b"mine"
    assert c("DEBUG", "POPULATE", "-1") == err("ERR value is out of range, must be positive")
    r = c("DEBUG", "OBJECT", "key:1")
    assert r.startswith("Value at:0x") or r.startswith("Value at:")
    assert " refcount:1 encoding:embstr serializedlength:" in r
    assert " lru:" in r and " lru_seconds_idle:" in r
    assert c("DEBUG", "OBJECT", "nokey") == err("ERR no such key")


def test_debug_digest(srv, c):
    assert c("DEBUG", "DIGEST") == "0" * 40
    c("SET", "a", "1")
    d1 = c("DEBUG", "DIGEST")
    assert len(d1) == 40 and d1 != "0" * 40
    # encoding-independent: int vs. raw string holding the same bytes
    c("SET", "x", "12345")
    d_int = c("DEBUG", "DIGEST-VALUE", "x")[0]
    c("SET", "x", "1234")
    c("APPEND", "x", "5")
    assert c("OBJECT", "ENCODING", "x") == b"raw"
    assert c("DEBUG", "DIGEST-VALUE", "x")[0] == d_int
    # TTL presence changes the digest, its value does not
    before = c("DEBUG", "DIGEST")
    c("EXPIRE", "x", "1000")
    with_ttl = c("DEBUG", "DIGEST")
    assert with_ttl != before
    c("EXPIRE", "x", "2000")
    assert c("DEBUG", "DIGEST") == with_ttl
    assert c("DEBUG", "DIGEST-VALUE", "nokey", "a") == ["0" * 40, c("DEBUG", "DIGEST-VALUE", "a")[0]]
    # same data loaded in a different order gives the same digest
    other = Conn(srv.port)
    other("SELECT", "5")
    c("FLUSHALL")
    for i in range(50):
        c("SET", "k%d" % i, "v%d" % i)
    d_a = c("DEBUG", "DIGEST")
    c("FLUSHALL")
    for i in reversed(range(50)):
        c("SET", "k%d" % i, "v%d" % i)
    assert c("DEBUG", "DIGEST") == d_a
    # the db number is part of the digest
    c("MOVE", "k1", "5")
    assert c("DEBUG", "DIGEST") != d_a
    other.close()


def test_debug_digest_sets_encoding_independent(c):
    c("SADD", "s1", "1", "2", "3")
    c("SADD", "s2", "3", "2", "1", "x")
    c("SREM", "s2", "x")
    assert c("OBJECT", "ENCODING", "s1") != c("OBJECT", "ENCODING", "s2")
    d = c("DEBUG", "DIGEST-VALUE", "s1", "s2")
    assert d[0] == d[1]


def test_debug_errors_and_misc(c):
    assert c("DEBUG", "SLEEP", "0") == "OK"
    assert c("DEBUG", "SET-ACTIVE-EXPIRE", "1") == "OK"
    r = c("DEBUG", "NOSUCHSUB")
    assert isinstance(r, type(err(""))) and r.text.startswith("ERR unknown subcommand")


def test_memory_usage(c):
    c("SET", "small", "x")
    c("SET", "big", "x" * 10000)
    small = c("MEMORY", "USAGE", "small")
    big = c("MEMORY", "USAGE", "big")
    assert 0 < small < 100
    assert 10000 < big < 11000
    assert c("MEMORY", "USAGE", "nokey") is None
    assert c("MEMORY", "USAGE", "big", "SAMPLES", "0") == big
    assert c("MEMORY", "USAGE", "big", "SAMPLES", "-1") == SYNTAX
    assert c("MEMORY", "USAGE", "big", "FOO") == SYNTAX
    c("SADD", "set", *[str(i) for i in range(1000)])
    assert c("MEMORY", "USAGE", "set") > 1000


def test_memory_stats_doctor_help(c):
    stats = c("MEMORY", "STATS")
    d = dict(zip(stats[::2], stats[1::2]))
    for field in (b"peak.allocated", b"total.allocated", b"keys.count", b"dataset.bytes",
                  b"overhead.total", b"fragmentation"):
        assert field in d
    doctor = c("MEMORY", "DOCTOR")
    assert doctor.startswith(b"Hi Sam")
    help_lines = c("MEMORY", "HELP")
    assert help_lines[0].startswith("MEMORY <subcommand>")


def _fill_all_types(c):
    c("SET", "str", "hello")
    c("SET", "int", "12345")
    c("SET", "ttl", "v", "EX", "1000")
    c("RPUSH", "list", "a", "b", "1", "2")
    c("SADD", "set", "x", "y", "3")
    c("SADD", "intset", "1", "2", "3")
    c("ZADD", "zset", "1", "a", "2.5", "b", "-3", "c")
    c("HSET", "hash", "f1", "v1", "f2", "2")
    c("SELECT", "9")
    c("SET", "other", "db")
    c("SELECT", "0")


def test_debug_reload_keeps_digest(c):
    _fill_all_types(c)
    before = c("DEBUG", "DIGEST")
    values = c("DEBUG", "DIGEST-VALUE", "str", "list", "set", "zset", "hash")
    assert "0" * 40 not in values
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST") == before
    assert c("DEBUG", "DIGEST-VALUE", "str", "list", "set", "zset", "hash") == values
    assert c("DBSIZE") == 8


def test_digest_encoding_independent_all_types(c):
    # the same logical content in small (listpack) and big (hashtable/skiplist/quicklist) encodings
    c("CONFIG", "SET", "hash-max-listpack-entries", "0")
    c("CONFIG", "SET", "zset-max-listpack-entries", "0")
    c("CONFIG", "SET", "list-max-listpack-size", "1")
    c("HSET", "h", "f", "v", "g", "1")
    c("ZADD", "z", "1", "a", "2", "b")
    c("RPUSH", "l", "a", "b", "c")
    big = c("DEBUG", "DIGEST-VALUE", "h", "z", "l")
    encs = [c("OBJECT", "ENCODING", k) for k in ("h", "z", "l")]
    c("CONFIG", "SET", "hash-max-listpack-entries", "128")
    c("CONFIG", "SET", "zset-max-listpack-entries", "128")
    c("CONFIG", "SET", "list-max-listpack-size", "-2")
    c("DEL", "h", "z", "l")
    c("HSET", "h", "g", "1", "f", "v")
    c("ZADD", "z", "2", "b", "1", "a")
    c("RPUSH", "l", "a", "b", "c")
    assert [c("OBJECT", "ENCODING", k) for k in ("h", "z", "l")] != encs
    assert c("DEBUG", "DIGEST-VALUE", "h", "z", "l") == big
    # order matters for lists only
    c("DEL", "l")
    c("RPUSH", "l", "c", "b", "a")
    assert c("DEBUG", "DIGEST-VALUE", "l") != [big[2]]
