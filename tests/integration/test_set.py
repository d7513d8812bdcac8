"""Set commands: exact replies and errors as Valkey 8 sends them, encoding
conversions (intset -> listpack -> hashtable), random pops/members, the
multi-set operations and SSCAN coverage."""
import pytest

from kvutil import Conn, err, wait_for

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


def members(reply):
    return sorted(reply)


def test_sadd_srem_basics(c):
    assert c("SADD", "s", "a", "b", "a") == 2
    assert c("SADD", "s", "b") == 0
    assert c("SCARD", "s") == 2
    assert c("SISMEMBER", "s", "a") == 1
    assert c("SISMEMBER", "s", "z") == 0
    assert c("SISMEMBER", "nokey", "z") == 0
    assert c("SMISMEMBER", "s", "a", "z", "b") == [1, 0, 1]
    assert c("SMISMEMBER", "nokey", "a") == [0]
    assert members(c("SMEMBERS", "s")) == [b"a", b"b"]
    assert c("SMEMBERS", "nokey") == []
    assert c("SREM", "s", "a", "zz") == 1
    assert c("SREM", "s", "b") == 1
    assert c("EXISTS", "s") == 0
    assert c("SREM", "s", "b") == 0
    assert c("SCARD", "s") == 0


def test_wrongtype_and_arity(c):
    c("SET", "str", "x")
    for cmd in (("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"),
                ("SISMEMBER", "str", "a"), ("SMEMBERS", "str"), ("SPOP", "str"),
                ("SRANDMEMBER", "str"), ("SINTER", "str"), ("SUNION", "str"),
                ("SDIFF", "str"), ("SMISMEMBER", "str", "a")):
        assert c(*cmd) == WRONGTYPE, cmd
    assert c("SADD", "s") == err("ERR wrong number of arguments for 'sadd' command")
    assert c("SCARD") == err("ERR wrong number of arguments for 'scard' command")


def test_encodings(c):
    c("SADD", "i", *range(10))
    assert c("OBJECT", "ENCODING", "i") == b"intset"
    c("SADD", "i", "hello")
    assert c("OBJECT", "ENCODING", "i") == b"listpack"
    assert c("SCARD", "i") == 11
    assert c("SISMEMBER", "i", "5") == 1
    c("SADD", "big", *range(600))
    assert c("OBJECT", "ENCODING", "big") == b"hashtable"
    c("SADD", "mid", *range(200))
    assert c("OBJECT", "ENCODING", "mid") == b"intset"
    c("SADD", "mid", "x")
    assert c("OBJECT", "ENCODING", "mid") == b"hashtable"
    c("SADD", "lp", "a", "b")
    assert c("OBJECT", "ENCODING", "lp") == b"listpack"
    c("SADD", "lp", "x" * 65)
    assert c("OBJECT", "ENCODING", "lp") == b"hashtable"
    c("SADD", "lp2", *["m%d" % i for i in range(128)])
    assert c("OBJECT", "ENCODING", "lp2") == b"listpack"
    c("SADD", "lp2", "one-more")
    assert c("OBJECT", "ENCODING", "lp2") == b"hashtable"
    assert c("SCARD", "lp2") == 129
    # A first non-integer member creates a listpack directly.
    c("SADD", "s2", "abc")
    assert c("OBJECT", "ENCODING", "s2") == b"listpack"
    # Many members at creation go straight to a hashtable.
    c("SADD", "s3", *["v%d" % i for i in range(300)])
    assert c("OBJECT", "ENCODING", "s3") == b"hashtable"


def test_intset_edge_values(c):
    vals = ["-9223372036854775808", "9223372036854775807", "0", "-1", "65536", "-32769"]
    assert c("SADD", "s", *vals) == 6
    assert c("OBJECT", "ENCODING", "s") == b"intset"
    assert members(c("SMEMBERS", "s")) == sorted(v.encode() for v in vals)
    # Non-canonical integers are strings.
    assert c("SADD", "s", "01") == 1
    assert c("OBJECT", "ENCODING", "s") == b"listpack"
    assert c("SISMEMBER", "s", "1") == 0
    assert c("SISMEMBER", "s", "01") == 1


@pytest.mark.parametrize("n", [5, 100, 1000])
def test_spop(c, n):
    c("SADD", "s", *range(n))
    x = c("SPOP", "s")
    assert 0 <= int(x) < n
    assert c("SISMEMBER", "s", x) == 0
    got = c("SPOP", "s", 3)
    assert len(set(got)) == 3 and x not in got
    assert c("SCARD", "s") == n - 4
    rest = c("SPOP", "s", n)
    assert len(rest) == n - 4
    assert sorted(int(v) for v in rest + got + [x]) == list(range(n))
    assert c("EXISTS", "s") == 0
    assert c("SPOP", "s") is None
    assert c("SPOP", "s", 3) == []


def test_spop_count_large_fraction(c):
    c("SADD", "s", *["e%d" % i for i in range(500)])
    got = c("SPOP", "s", 450)
    assert len(set(got)) == 450
    left = c("SMEMBERS", "s")
    assert len(left) == 50
    assert set(got).isdisjoint(left)
    assert len(set(got) | set(left)) == 500


def test_spop_errors(c):
    c("SADD", "s", "a")
    assert c("SPOP", "s", -1) == err("ERR value is out of range, must be positive")
    assert c("SPOP", "s", "x") == err("ERR value is out of range, must be positive")
    assert c("SPOP", "s", 0) == []
    assert c("SPOP", "s", 1, 2) == SYNTAX
    assert c("SPOP", "nokey", 0) == []


@pytest.mark.parametrize("kind", ["int", "str", "big"])
def test_srandmember(c, kind):
    if kind == "int":
        items = [str(i).encode() for i in range(20)]
    elif kind == "str":
        items = [b"m%d" % i for i in range(20)]
    else:
        items = [b"m%d" % i for i in range(300)]
    c("SADD", "s", *items)
    assert c("SRANDMEMBER", "s") in items
    r = c("SRANDMEMBER", "s", 5)
    assert len(r) == 5 and len(set(r)) == 5 and set(r) <= set(items)
    r = c("SRANDMEMBER", "s", 15)
    assert len(set(r)) == 15
    r = c("SRANDMEMBER", "s", 1000)
    assert sorted(r) == sorted(items)
    r = c("SRANDMEMBER", "s", -50)
    assert len(r) == 50 and set(r) <= set(items)
    assert c("SRANDMEMBER", "s", 0) == []
    assert c("SRANDMEMBER", "nokey") is None
    assert c("SRANDMEMBER", "nokey", 5) == []
    assert c("SRANDMEMBER", "s", "x") == NOTINT
    assert c("SRANDMEMBER", "s", 1, 2) == SYNTAX
    assert c("SRANDMEMBER", "s", -9223372036854775808) == err(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert c("SCARD", "s") == len(items)


def test_smove(c):
    c("SADD", "a", "1", "2")
    c("SADD", "b", "x")
    assert c("SMOVE", "a", "b", "1") == 1
    assert c("OBJECT", "ENCODING", "b") == b"listpack"
    assert members(c("SMEMBERS", "b")) == [b"1", b"x"]
    assert c("SMOVE", "a", "b", "nope") == 0
    assert c("SMOVE", "nokey", "b", "x") == 0
    assert c("SMOVE", "a", "a", "2") == 1
    assert c("SMOVE", "a", "a", "9") == 0
    assert c("SMOVE", "a", "new", "2") == 1
    assert c("EXISTS", "a") == 0
    assert c("OBJECT", "ENCODING", "new") == b"intset"
    c("SET", "str", "v")
    assert c("SMOVE", "new", "str", "2") == WRONGTYPE
    assert c("SMOVE", "str", "new", "2") == WRONGTYPE
    assert c("SISMEMBER", "new", "2") == 1


def test_sinter(c):
    c("SADD", "a", 1, 2, 3, 4)
    c("SADD", "b", 2, 3, 4, 5, "x")
    c("SADD", "c", 3, 4, "x")
    assert members(c("SINTER", "a", "b", "c")) == [b"3", b"4"]
    assert c("SINTER", "a", "nokey") == []
    assert members(c("SINTER", "a")) == [b"1", b"2", b"3", b"4"]
    assert c("SINTERSTORE", "d", "a", "b") == 3
    assert members(c("SMEMBERS", "d")) == [b"2", b"3", b"4"]
    assert c("OBJECT", "ENCODING", "d") == b"intset"
    assert c("SINTERSTORE", "d", "a", "nokey") == 0
    assert c("EXISTS", "d") == 0
    c("SET", "str", "v")
    assert c("SINTER", "a", "str") == WRONGTYPE
    assert c("SINTER", "nokey", "str") == WRONGTYPE


def test_sintercard(c):
    c("SADD", "a", 1, 2, 3, 4)
    c("SADD", "b", 2, 3, 4, 5)
    assert c("SINTERCARD", 2, "a", "b") == 3
    assert c("SINTERCARD", 2, "a", "b", "LIMIT", 2) == 2
    assert c("SINTERCARD", 2, "a", "b", "LIMIT", 0) == 3
    assert c("SINTERCARD", 1, "nokey") == 0
    assert c("SINTERCARD", 0, "a") == err("ERR numkeys should be greater than 0")
    assert c("SINTERCARD", "x", "a") == err("ERR numkeys should be greater than 0")
    assert c("SINTERCARD", 3, "a", "b") == err("ERR Number of keys can't be greater than number of args")
    assert c("SINTERCARD", 2, "a", "b", "LIMIT", -1) == err("ERR LIMIT can't be negative")
    assert c("SINTERCARD", 2, "a", "b", "LIMIT") == SYNTAX
    assert c("SINTERCARD", 2, "a", "b", "FOO", 1) == SYNTAX


def test_sunion_sdiff(c):
    c("SADD", "a", 1, 2, 3)
    c("SADD", "b", 3, 4, "x")
    assert members(c("SUNION", "a", "b", "nokey")) == [b"1", b"2", b"3", b"4", b"x"]
    assert members(c("SDIFF", "a", "b")) == [b"1", b"2"]
    assert members(c("SDIFF", "b", "a")) == [b"4", b"x"]
    assert c("SDIFF", "nokey", "a") == []
    assert members(c("SDIFF", "a", "nokey")) == [b"1", b"2", b"3"]
    assert c("SDIFF", "a", "a") == []
    assert members(c("SDIFF", "a", "nokey", "b", "nokey2")) == [b"1", b"2"]
    assert c("SUNIONSTORE", "u", "a", "b") == 5
    assert c("OBJECT", "ENCODING", "u") == b"listpack"
    assert c("SDIFFSTORE", "d", "a", "b") == 2
    assert c("OBJECT", "ENCODING", "d") == b"intset"
    assert c("SDIFFSTORE", "d", "a", "a") == 0
    assert c("EXISTS", "d") == 0
    assert c("SUNIONSTORE", "u", "nokey") == 0
    assert c("EXISTS", "u") == 0


def test_big_union_and_diff(c):
    c("SADD", "a", *["k%d" % i for i in range(0, 3000)])
    c("SADD", "b", *["k%d" % i for i in range(2000, 5000)])
    assert c("SUNIONSTORE", "u", "a", "b") == 5000
    assert c("OBJECT", "ENCODING", "u") == b"hashtable"
    assert c("SDIFFSTORE", "d", "a", "b") == 2000
    assert c("SINTERSTORE", "i", "a", "b") == 1000
    assert c("SINTERCARD", 2, "a", "b") == 1000
    assert len(c("SDIFF", "b", "a")) == 2000


def test_sscan(c):
    c("SADD", "small", "a", "b", "c")
    cur, items = c("SSCAN", "small", 0)
    assert cur == b"0" and sorted(items) == [b"a", b"b", b"c"]
    cur, items = c("SSCAN", "small", 0, "MATCH", "a*")
    assert items == [b"a"]
    c("SADD", "big", *["m%d" % i for i in range(1000)])
    seen, cur, calls = set(), b"0", 0
    while True:
        cur, items = c("SSCAN", "big", cur, "COUNT", 50)
        seen.update(items)
        calls += 1
        if cur == b"0":
            break
    assert len(seen) == 1000
    assert calls > 5
    assert c("SSCAN", "nokey", 0) == [b"0", []]
    assert c("SSCAN", "big", "abc") == err("ERR invalid cursor")
    assert c("SSCAN", "big", 0, "COUNT", 0) == SYNTAX
    assert c("SSCAN", "big", 0, "COUNT", "x") == NOTINT
    assert c("SSCAN", "big", 0, "FOO") == SYNTAX
    c("SADD", "ints", 1, 2, 3, 10)
    cur, items = c("SSCAN", "ints", 0, "MATCH", "1*")
    assert sorted(items) == [b"1", b"10"]


def test_resp3_set_replies(srv):
    c3 = Conn(srv.port, resp=3)
    c3("SADD", "s", "a")
    c3.send("SMEMBERS", "s")
    assert c3.f.readline() == b"~1\r\n"
    assert c3.read() == b"a"
    c3.send("SPOP", "s", 1)
    assert c3.f.readline() == b"~1\r\n"
    assert c3.read() == b"a"
    c3.send("SPOP", "s")
    assert c3.f.readline() == b"_\r\n"
    c3.close()


def test_random_pops_replicate_their_effects(start_server):
    """SPOP picks at random on the primary: the replica must end up with the
    same members (propagated as SREM / DEL, not as SPOP)."""
    primary = start_server()
    replica = start_server()
    p = Conn(primary.port)
    r = Conn(replica.port)
    r("REPLICAOF", "127.0.0.1", str(primary.port))
    assert wait_for(lambda: b"master_link_status:up" in r("INFO", "replication"), timeout=10)
    p("SADD", "small", *range(50))
    p("SADD", "big", *["m%d" % i for i in range(3000)])
    p("SADD", "gone", "a", "b")
    p("SPOP", "small")
    p("SPOP", "small", 5)
    p("SPOP", "big", 2500)   # pops most: the "keep survivors" path
    p("SPOP", "big", 10)
    p("SPOP", "gone", 10)    # whole set: propagated as a deletion
    p("SET", "sync", "1")
    assert wait_for(lambda: r("GET", "sync") == b"1", timeout=5)
    for key in ("small", "big"):
        assert sorted(r("SMEMBERS", key)) == sorted(p("SMEMBERS", key)), key
    assert r("SCARD", "big") == 490
    assert r("EXISTS", "gone") == 0


def test_keyspace_events(start_server):
    """Event names and order for set/zset/sort writes, as Valkey emits them."""
    srv = start_server(config={"notify-keyspace-events": "KEA"})
    sub = Conn(srv.port)
    sub("PSUBSCRIBE", "__keyevent@0__:*")
    c = Conn(srv.port)
    cmds = [["SADD", "s", "a", "b", "c"], ["SREM", "s", "a"], ["SPOP", "s"], ["SADD", "s", "x", "y"],
            ["SPOP", "s", 10], ["SADD", "a", "1", "2"], ["SADD", "b", "2"], ["SINTERSTORE", "d", "a", "b"],
            ["SUNIONSTORE", "d", "a", "b"], ["SDIFFSTORE", "d", "b", "a"], ["SMOVE", "a", "b", "1"],
            ["SMOVE", "a", "b", "2"], ["ZADD", "z", 1, "a", 2, "b", 3, "c"], ["ZINCRBY", "z", 1, "a"],
            ["ZREM", "z", "a"], ["ZREMRANGEBYSCORE", "z", 0, 2], ["ZADD", "z", 1, "a", 2, "b"], ["ZPOPMIN", "z"],
            ["ZPOPMAX", "z", 5], ["ZADD", "z", 1, "a", 2, "b"], ["ZREMRANGEBYRANK", "z", 0, -1],
            ["ZADD", "z", 0, "a", 0, "b"], ["ZREMRANGEBYLEX", "z", "-", "+"], ["ZADD", "z", 1, "a"],
            ["ZRANGESTORE", "d2", "z", 0, -1], ["ZUNIONSTORE", "d3", 1, "z"], ["ZINTERSTORE", "d3", 1, "nokey"],
            ["ZMPOP", 1, "z", "MIN"], ["ZADD", "z", 1, "a"], ["BZPOPMIN", "z", 0], ["RPUSH", "l", 3, 1],
            ["SORT", "l", "STORE", "sl"], ["SORT", "nokey", "STORE", "sl"], ["ZADD", "zz", 1, "a"],
            ["ZADD", "zz", "XX", 2, "b"], ["ZADD", "zz", 1, "a"], ["SET", "end", "1"]]
    for cmd in cmds:
        c(*cmd)
    events = []
    while True:
        m = sub.read()
        events.append((m[2].decode().split(":", 1)[1], m[3].decode()))
        if m[3] == b"end":
            break
    assert events == [
        ("sadd", "s"), ("srem", "s"), ("spop", "s"), ("sadd", "s"), ("spop", "s"), ("del", "s"),
        ("sadd", "a"), ("sadd", "b"), ("sinterstore", "d"), ("sunionstore", "d"), ("del", "d"),
        ("srem", "a"), ("sadd", "b"), ("srem", "a"), ("del", "a"), ("zadd", "z"), ("zincr", "z"),
        ("zrem", "z"), ("zremrangebyscore", "z"), ("zadd", "z"), ("zpopmin", "z"), ("zpopmax", "z"),
        ("del", "z"), ("zadd", "z"), ("zremrangebyrank", "z"), ("del", "z"), ("zadd", "z"),
        ("zremrangebylex", "z"), ("del", "z"), ("zadd", "z"), ("zrangestore", "d2"), ("zunionstore", "d3"),
        ("del", "d3"), ("zpopmin", "z"), ("del", "z"), ("zadd", "z"), ("zpopmin", "z"), ("del", "z"),
        ("rpush", "l"), ("sortstore", "sl"), ("del", "sl"), ("zadd", "zz"), ("set", "end")]


# ---- the hashtable encoding stores each member as one bstr in a kvtable ----

def used_memory(c):
    for line in c("INFO", "memory").decode().split("\r\n"):
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise AssertionError("no used_memory")


def fill(c, cmd, key, items, batch=500):
    for i in range(0, len(items), batch):
        c(cmd, key, *items[i:i + batch])


def test_hashtable_member_footprint(c):
    """A member costs its own small allocation plus a bucket slot: ~30 bytes
    for "member:N" (was ~64 with a chained entry and a separate key)."""
    n = 20000
    before = used_memory(c)
    fill(c, "SADD", "s", ["member:%d" % i for i in range(n)])
    per = (used_memory(c) - before) / n
    assert c("OBJECT", "ENCODING", "s") == b"hashtable"
    assert per < 40, per
    before = used_memory(c)
    fill(c, "SADD", "ints", list(range(n)))          # intset, then past the limit
    per = (used_memory(c) - before) / n
    assert c("OBJECT", "ENCODING", "ints") == b"hashtable"
    assert per < 40, per
    usage = c("MEMORY", "USAGE", "s", "SAMPLES", 0)
    assert 20 * n < usage < 60 * n, usage


SPECIAL = [b"", b"a\x00b", b"\x00", b"\xff\xfe", b"x" * 255, b"y" * 256, b"z" * 70000]


@pytest.mark.parametrize("start", ["intset", "listpack"])
def test_binary_large_and_empty_members_across_conversion(c, start):
    c("SADD", "s", *([1, 2, 3] if start == "intset" else ["a", "b", "c"]))
    assert c("OBJECT", "ENCODING", "s") == start.encode()
    for m in SPECIAL:
        assert c("SADD", "s", m) == 1
        assert c("SADD", "s", m) == 0
    assert c("OBJECT", "ENCODING", "s") == b"hashtable"
    base = [b"1", b"2", b"3"] if start == "intset" else [b"a", b"b", b"c"]
    assert sorted(c("SMEMBERS", "s")) == sorted(base + SPECIAL)
    assert c("SMISMEMBER", "s", *SPECIAL, b"a\x00c", b"z" * 69999) == [1] * len(SPECIAL) + [0, 0]
    dump = c("DUMP", "s")
    assert c("RESTORE", "copy", 0, dump) == "OK"
    assert sorted(c("SMEMBERS", "copy")) == sorted(c("SMEMBERS", "s"))
    digest = c("DEBUG", "DIGEST-VALUE", "s")
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST-VALUE", "s") == digest
    assert c("OBJECT", "ENCODING", "s") == b"hashtable"
    for m in SPECIAL:
        assert c("SREM", "s", m) == 1
        assert c("SISMEMBER", "s", m) == 0
    assert sorted(c("SMEMBERS", "s")) == base


def test_set_ops_on_hashtables(c):
    c("CONFIG", "SET", "set-max-listpack-entries", 4)
    c("SADD", "a", *["m%d" % i for i in range(300)], b"\x00")
    c("SADD", "b", *["m%d" % i for i in range(200, 500)], b"\x00")
    assert c("OBJECT", "ENCODING", "a") == b"hashtable"
    assert c("SINTERCARD", 2, "a", "b") == 101
    assert c("SINTERCARD", 2, "a", "b", "LIMIT", 10) == 10
    assert c("SINTERSTORE", "i", "a", "b") == 101
    assert c("SUNIONSTORE", "u", "a", "b") == 501
    assert c("SDIFFSTORE", "d", "a", "b") == 200
    assert c("SINTER", "a", "a") and len(c("SINTER", "a", "a")) == 301   # same table twice
    assert len(c("SDIFF", "a", "a")) == 0
    assert c("SMOVE", "a", "b", "m0") == 1 and c("SISMEMBER", "b", "m0") == 1
    assert c("SMOVE", "a", "a", "m1") == 1
    assert c("SCARD", "a") == 300
    popped = c("SPOP", "a", 250)
    assert len(set(popped)) == 250 and c("SCARD", "a") == 50
    assert not set(popped) & set(c("SMEMBERS", "a"))


def test_srandmember_and_spop_are_fair(c):
    """Every member of a hashtable set comes out about equally often, whatever
    bucket it landed in."""
    c("CONFIG", "SET", "set-max-listpack-entries", 4)
    n, draws = 200, 80000
    c("SADD", "s", *["m%d" % i for i in range(n)])
    assert c("OBJECT", "ENCODING", "s") == b"hashtable"
    counts = {}
    for m in c("SRANDMEMBER", "s", -draws):
        counts[m] = counts.get(m, 0) + 1
    assert len(counts) == n
    # mean 400, sd ~20: a bucket-biased pick is off by a factor of several
    assert min(counts.values()) > 250 and max(counts.values()) < 550, (min(counts.values()), max(counts.values()))
    first = {}
    for _ in range(3000):
        c("SADD", "p", "a", "b", "c", "d", "e", "f")
        for m in c("SPOP", "p", 2):
            first[m] = first.get(m, 0) + 1
        c("DEL", "p")
    assert len(first) == 6 and min(first.values()) > 800


def test_sscan_during_growth_and_shrink(c):
    """Members present for the whole scan are returned even though the table
    grows (and later shrinks) between calls."""
    c("SADD", "s", *["keep:%d" % i for i in range(200)])
    seen, cur, i = set(), b"0", 0
    while True:
        cur, items = c("SSCAN", "s", cur, "COUNT", 20)
        seen.update(items)
        if i < 3000:   # several doublings, then let the scan catch up
            c("SADD", "s", *["new:%d" % j for j in range(i, i + 300)])
            i += 300
        if cur == b"0":
            break
    assert {("keep:%d" % k).encode() for k in range(200)} <= seen
    seen, cur = set(), b"0"
    while True:
        cur, items = c("SSCAN", "s", cur, "COUNT", 20)
        seen.update(items)
        batch = c("SRANDMEMBER", "s", 400)
        c("SREM", "s", *[m for m in batch if not m.startswith(b"keep:")] or ["none"])
        if cur == b"0":
            break
    assert {("keep:%d" % k).encode() for k in range(200)} <= seen


@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/redis-server"), reason="needs redis-server 7.0")
def test_digest_matches_reference(c, start_server):
    ref = start_server(binary="/usr/bin/redis-server", config={"enable-debug-command": "yes"})
    rc = Conn(ref.port)
    for conn in (c, rc):
        conn("SADD", "s", *["member:%d" % i for i in range(1000)], *SPECIAL)
        conn("SADD", "ints", *range(1000))
    for key in ("s", "ints"):
        assert c("OBJECT", "ENCODING", key) == rc("OBJECT", "ENCODING", key) == b"hashtable"
        assert c("DEBUG", "DIGEST-VALUE", key) == rc("DEBUG", "DIGEST-VALUE", key)
    rc.close()
