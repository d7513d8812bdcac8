"""List commands: exact replies and errors as Valkey 8 sends them, encoding
conversions, and blocking pops with several clients."""
import os
import random
import time

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


def test_push_pop_basic(c):
    assert c("LPUSH", "l", "a", "b", "c") == 3
    assert c("RPUSH", "l", "d") == 4
    assert c("LRANGE", "l", 0, -1) == [b"c", b"b", b"a", b"d"]
    assert c("LPOP", "l") == b"c"
    assert c("RPOP", "l") == b"d"
    assert c("LLEN", "l") == 2
    assert c("LPOP", "l", 5) == [b"b", b"a"]
    assert c("EXISTS", "l") == 0
    assert c("LPOP", "l") is None
    assert c("LPOP", "l", 2) is None
    assert c("LLEN", "l") == 0


def test_pop_count_errors(c):
    c("RPUSH", "l", 1, 2, 3)
    assert c("LPOP", "l", -1) == err("ERR value is out of range, must be positive")
    assert c("LPOP", "l", "x") == err("ERR value is out of range, must be positive")
    assert c("LPOP", "l", 0) == []
    assert c("RPOP", "l", 2) == [b"3", b"2"]
    assert c("LPOP", "l", 1, 2) == err("ERR wrong number of arguments for 'lpop' command")


def test_pushx(c):
    assert c("LPUSHX", "l", "a") == 0
    assert c("RPUSHX", "l", "a") == 0
    assert c("EXISTS", "l") == 0
    c("RPUSH", "l", "x")
    assert c("LPUSHX", "l", "a", "b") == 3
    assert c("RPUSHX", "l", "z") == 4
    assert c("LRANGE", "l", 0, -1) == [b"b", b"a", b"x", b"z"]


def test_wrongtype(c):
    c("SET", "s", "v")
    for cmd in (("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("LPOP", "s"), ("LLEN", "s"),
                ("LRANGE", "s", 0, 1), ("LINDEX", "s", 0), ("LSET", "s", 0, "x"), ("LREM", "s", 0, "a"),
                ("LTRIM", "s", 0, 1), ("LPOS", "s", "a"), ("LINSERT", "s", "BEFORE", "a", "b"),
                ("RPOPLPUSH", "s", "d"), ("LMOVE", "s", "d", "LEFT", "RIGHT"), ("LMPOP", 1, "s", "LEFT"),
                ("BLPOP", "s", 0.01)):
        assert c(*cmd) == WRONGTYPE, cmd
    c("RPUSH", "l", "a")
    assert c("RPOPLPUSH", "l", "s") == WRONGTYPE
    assert c("LRANGE", "l", 0, -1) == [b"a"]


def test_lrange_ranges(c):
    c("RPUSH", "l", *range(10))
    assert c("LRANGE", "l", 0, 2) == [b"0", b"1", b"2"]
    assert c("LRANGE", "l", -3, -1) == [b"7", b"8", b"9"]
    assert c("LRANGE", "l", 5, 100) == [b"5", b"6", b"7", b"8", b"9"]
    assert c("LRANGE", "l", -100, 1) == [b"0", b"1"]
    assert c("LRANGE", "l", 5, 2) == []
    assert c("LRANGE", "l", 20, 30) == []
    assert c("LRANGE", "nokey", 0, -1) == []
    assert c("LRANGE", "l", "a", 1) == NOTINT


def test_lindex_lset(c):
    c("RPUSH", "l", "a", "b", "c")
    assert c("LINDEX", "l", 0) == b"a"
    assert c("LINDEX", "l", -1) == b"c"
    assert c("LINDEX", "l", 3) is None
    assert c("LINDEX", "nokey", 0) is None
    assert c("LINDEX", "l", "x") == NOTINT
    assert c("LSET", "l", 1, "B") == "OK"
    assert c("LSET", "l", -1, 42) == "OK"
    assert c("LRANGE", "l", 0, -1) == [b"a", b"B", b"42"]
    assert c("LSET", "l", 3, "x") == err("ERR index out of range")
    assert c("LSET", "nokey", 0, "x") == err("ERR no such key")


def test_linsert(c):
    c("RPUSH", "l", "a", "c")
    assert c("LINSERT", "l", "BEFORE", "c", "b") == 3
    assert c("LINSERT", "l", "after", "c", "d") == 4
    assert c("LINSERT", "l", "AFTER", "zz", "d") == -1
    assert c("LINSERT", "nokey", "AFTER", "a", "d") == 0
    assert c("LINSERT", "l", "MIDDLE", "a", "d") == SYNTAX
    assert c("LRANGE", "l", 0, -1) == [b"a", b"b", b"c", b"d"]


def test_lrem(c):
    c("RPUSH", "l", "a", "b", "a", "c", "a", "b")
    assert c("LREM", "l", 2, "a") == 2
    assert c("LRANGE", "l", 0, -1) == [b"b", b"c", b"a", b"b"]
    assert c("LREM", "l", -1, "b") == 1
    assert c("LRANGE", "l", 0, -1) == [b"b", b"c", b"a"]
    assert c("LREM", "l", 0, "zz") == 0
    assert c("LREM", "nokey", 0, "a") == 0
    c("RPUSH", "m", "x", "x")
    assert c("LREM", "m", 0, "x") == 2
    assert c("EXISTS", "m") == 0


def test_ltrim(c):
    c("RPUSH", "l", *range(10))
    assert c("LTRIM", "l", 2, -3) == "OK"
    assert c("LRANGE", "l", 0, -1) == [b"2", b"3", b"4", b"5", b"6", b"7"]
    assert c("LTRIM", "l", 1, 0) == "OK"
    assert c("EXISTS", "l") == 0
    assert c("LTRIM", "nokey", 0, 1) == "OK"


def test_lpos(c):
    c("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert c("LPOS", "l", "c") == 2
    assert c("LPOS", "l", "c", "RANK", 2) == 6
    assert c("LPOS", "l", "c", "RANK", -1) == 7
    assert c("LPOS", "l", "c", "COUNT", 0) == [2, 6, 7]
    assert c("LPOS", "l", "c", "COUNT", 2, "RANK", -1) == [7, 6]
    assert c("LPOS", "l", "c", "MAXLEN", 2) is None
    assert c("LPOS", "l", "c", "COUNT", 0, "MAXLEN", 7) == [2, 6]
    assert c("LPOS", "l", "zz") is None
    assert c("LPOS", "l", "zz", "COUNT", 1) == []
    assert c("LPOS", "nokey", "zz") is None
    assert c("LPOS", "nokey", "zz", "COUNT", 1) == []
    assert c("LPOS", "l", 2) == 4
    assert c("LPOS", "l", "c", "RANK", 0) == err(
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
        "or use negative to start from the end of the list")
    assert c("LPOS", "l", "c", "COUNT", -1) == err("ERR COUNT can't be negative")
    assert c("LPOS", "l", "c", "MAXLEN", -1) == err("ERR MAXLEN can't be negative")
    assert c("LPOS", "l", "c", "FOO", 1) == SYNTAX


def test_lmove_rpoplpush(c):
    c("RPUSH", "src", "a", "b", "c")
    assert c("RPOPLPUSH", "src", "dst") == b"c"
    assert c("LMOVE", "src", "dst", "LEFT", "RIGHT") == b"a"
    assert c("LRANGE", "dst", 0, -1) == [b"c", b"a"]
    assert c("LMOVE", "src", "src", "LEFT", "RIGHT") == b"b"  # rotation of a single element
    assert c("LMOVE", "src", "dst", "LEFT", "LEFT") == b"b"
    assert c("EXISTS", "src") == 0
    assert c("LMOVE", "src", "dst", "LEFT", "LEFT") is None
    assert c("RPOPLPUSH", "nokey", "dst") is None
    assert c("LMOVE", "dst", "x", "UP", "LEFT") == SYNTAX
    c("RPUSH", "r", 1, 2, 3)
    assert c("LMOVE", "r", "r", "RIGHT", "LEFT") == b"3"
    assert c("LRANGE", "r", 0, -1) == [b"3", b"1", b"2"]


def test_lmpop(c):
    c("RPUSH", "l2", "a", "b", "c")
    assert c("LMPOP", 2, "l1", "l2", "LEFT") == [b"l2", [b"a"]]
    assert c("LMPOP", 2, "l1", "l2", "RIGHT", "COUNT", 10) == [b"l2", [b"c", b"b"]]
    assert c("LMPOP", 2, "l1", "l2", "RIGHT") is None
    assert c("LMPOP", 0, "l1", "LEFT") == err("ERR numkeys should be greater than 0")
    assert c("LMPOP", 1, "l1", "LEFT", "COUNT", 0) == err("ERR count should be greater than 0")
    assert c("LMPOP", 1, "l1", "MIDDLE") == SYNTAX
    assert c("LMPOP", 3, "l1", "LEFT") == SYNTAX
    assert c("LMPOP", 1, "l1", "LEFT", "COUNT", 1, "COUNT", 1) == SYNTAX


def test_integers_and_binary(c):
    vals = [b"0", b"-1", b"127", b"128", b"-4096", b"4095", b"32767", b"-32769", b"8388608",
            b"2147483648", b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
            b"01", b"-0", b"bin\x00\r\n", b"", b"x" * 70, b"y" * 5000]
    c("RPUSH", "l", *vals)
    assert c("LRANGE", "l", 0, -1) == vals
    assert c("LPOS", "l", b"4095") == 5
    assert c("LREM", "l", 0, b"-0") == 1


def test_encoding_conversion(c):
    c("RPUSH", "l", "a", "b")
    assert c("OBJECT", "ENCODING", "l") == b"listpack"
    c("RPUSH", "l", "x" * 9000)
    assert c("OBJECT", "ENCODING", "l") == b"quicklist"
    c("RPOP", "l")
    assert c("OBJECT", "ENCODING", "l") == b"listpack"
    c("CONFIG", "SET", "list-max-listpack-size", 4)
    c("DEL", "l")
    c("RPUSH", "l", 1, 2, 3, 4)
    assert c("OBJECT", "ENCODING", "l") == b"listpack"
    c("RPUSH", "l", 5)
    assert c("OBJECT", "ENCODING", "l") == b"quicklist"
    c("RPOP", "l")
    c("RPOP", "l")
    assert c("OBJECT", "ENCODING", "l") == b"quicklist"  # 3 > half of 4
    c("RPOP", "l")
    assert c("OBJECT", "ENCODING", "l") == b"listpack"


def test_large_list_with_compression(start_server):
    srv = start_server(config={"list-compress-depth": "1", "list-max-listpack-size": "-1"})
    c = Conn(srv.port)
    n = 5000
    for i in range(0, n, 500):
        c("RPUSH", "big", *["element-%d-some-padding" % j for j in range(i, i + 500)])
    assert c("LLEN", "big") == n
    assert c("OBJECT", "ENCODING", "big") == b"quicklist"
    assert c("LINDEX", "big", 2500) == b"element-2500-some-padding"
    assert c("LRANGE", "big", 1000, 1002) == [b"element-%d-some-padding" % j for j in (1000, 1001, 1002)]
    assert c("LSET", "big", 2500, "changed") == "OK"
    assert c("LINSERT", "big", "BEFORE", "changed", "new") == n + 1
    assert c("LPOS", "big", "changed") == 2501
    assert c("LREM", "big", 0, "new") == 1
    assert c("LTRIM", "big", 100, -101) == "OK"
    assert c("LLEN", "big") == n - 200
    assert c("LINDEX", "big", 0) == b"element-100-some-padding"
    c.close()


# ---------------------------------------------------------------- blocking

def test_blpop_immediate_and_timeout(c):
    c("RPUSH", "l", "a")
    assert c("BLPOP", "nokey", "l", 0) == [b"l", b"a"]
    t0 = time.time()
    assert c("BLPOP", "nokey", 0.2) is None
    assert time.time() - t0 >= 0.15
    assert c("BLPOP", "nokey", -1) == err("ERR timeout is negative")
    assert c("BLPOP", "nokey", "abc") == err("ERR timeout is not a float or out of range")


def test_blpop_wakeup_by_push(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    a.send("BRPOP", "l1", "l2", 5)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    assert b("LPUSH", "l2", "x", "y") == 2
    assert a.read() == [b"l2", b"x"]
    assert b("LRANGE", "l2", 0, -1) == [b"y"]


def test_blocked_clients_fifo(srv):
    clients = [Conn(srv.port) for _ in range(3)]
    ctl = Conn(srv.port)
    for i, cl in enumerate(clients):
        cl.send("BLPOP", "q", 5)
        wait_for(lambda: ctl("INFO", "clients").find(b"blocked_clients:%d" % (i + 1)) >= 0)
    ctl("RPUSH", "q", "1", "2", "3")
    assert [cl.read() for cl in clients] == [[b"q", b"1"], [b"q", b"2"], [b"q", b"3"]]


def test_blmove_and_brpoplpush(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    a.send("BLMOVE", "src", "dst", "RIGHT", "LEFT", 5)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    b("RPUSH", "src", "v")
    assert a.read() == b"v"
    assert b("LRANGE", "dst", 0, -1) == [b"v"]
    a.send("BRPOPLPUSH", "src", "dst", 5)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    b("RPUSH", "src", "w")
    assert a.read() == b"w"
    assert b("LRANGE", "dst", 0, -1) == [b"w", b"v"]
    assert a("BLMOVE", "nokey", "dst", "RIGHT", "LEFT", 0.05) is None


def test_blmpop(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    b("RPUSH", "k2", "a", "b", "c")
    assert a("BLMPOP", 0, 2, "k1", "k2", "RIGHT", "COUNT", 2) == [b"k2", [b"c", b"b"]]
    a.send("BLMPOP", 5, 2, "k1", "k3", "LEFT", "COUNT", 5)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    b("RPUSH", "k3", "x", "y")
    assert a.read() == [b"k3", [b"x", b"y"]]
    assert a("BLMPOP", 0.05, 1, "k1", "LEFT") is None


def test_blocking_in_multi_does_not_block(c):
    assert c("MULTI") == "OK"
    assert c("BLPOP", "nokey", 0) == "QUEUED"
    assert c("BLMOVE", "nokey", "d", "LEFT", "LEFT", 0) == "QUEUED"
    assert c("EXEC") == [None, None]


def test_blocked_key_changes_type(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    a.send("BLPOP", "k", 1)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    b("SET", "k", "string")
    b("DEL", "k")
    b("RPUSH", "k", "v")
    assert a.read() == [b"k", b"v"]


def test_client_unblock(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    cid = a("CLIENT", "ID")
    a.send("BLPOP", "k", 0)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    assert b("CLIENT", "UNBLOCK", cid) == 1
    assert a.read() is None


def test_blpop_propagates_as_lpop(srv):
    """MONITOR-free check: the served pop leaves the list as a plain LPOP would."""
    a, b = Conn(srv.port), Conn(srv.port)
    a.send("BLPOP", "k", 5)
    wait_for(lambda: b("INFO", "clients").find(b"blocked_clients:1") >= 0)
    b("RPUSH", "k", "1", "2")
    assert a.read() == [b"k", b"1"]
    assert b("LRANGE", "k", 0, -1) == [b"2"]


REFERENCE = "/usr/bin/redis-server"


@pytest.mark.skipif(not os.path.exists(REFERENCE), reason="no reference server")
@pytest.mark.parametrize("fill,depth", [("4", "1"), ("-1", "2"), ("-2", "0")])
def test_random_ops_match_reference(start_server, fill, depth):
    """Random list operations on small node sizes (many quicklist nodes,
    compression, conversions both ways) must reply exactly as the reference."""
    cfg = {"list-max-listpack-size": fill, "list-compress-depth": depth}
    ours = Conn(start_server(config=cfg).port)
    # The fixture runs the reference in its own temporary directory too (a stray
    # dump.rdb in the current directory must not be loaded).
    ref_srv = start_server(binary=REFERENCE, config=cfg)
    try:
        ref = Conn(ref_srv.port)
        rnd = random.Random(int(fill) * 7 + int(depth))

        def val():
            r = rnd.random()
            if r < 0.3:
                return str(rnd.randint(-70000, 70000))
            if r < 0.9:
                return "v%d" % rnd.randint(0, 30)
            return "x" * rnd.randint(60, 3000)

        for _ in range(1500):
            k = rnd.choice(["a", "b"])
            op = rnd.randint(0, 11)
            if op <= 2:
                cmd = (rnd.choice(["LPUSH", "RPUSH"]), k) + tuple(val() for _ in range(rnd.randint(1, 6)))
            elif op == 3:
                cmd = (rnd.choice(["LPOP", "RPOP"]), k, rnd.randint(0, 4))
            elif op == 4:
                cmd = ("LINSERT", k, rnd.choice(["BEFORE", "AFTER"]), val(), val())
            elif op == 5:
                cmd = ("LSET", k, rnd.randint(-10, 10), val())
            elif op == 6:
                cmd = ("LREM", k, rnd.randint(-2, 2), val())
            elif op == 7:
                cmd = ("LTRIM", k, rnd.randint(-5, 3), rnd.randint(-3, 40))
            elif op == 8:
                cmd = ("LMOVE", k, rnd.choice(["a", "b"]), rnd.choice(["LEFT", "RIGHT"]), rnd.choice(["LEFT", "RIGHT"]))
            elif op == 9:
                cmd = ("LPOS", k, val(), "RANK", rnd.choice([1, -1, 2]), "COUNT", rnd.randint(0, 3))
            elif op == 10:
                cmd = ("LINDEX", k, rnd.randint(-20, 20))
            else:
                cmd = ("LRANGE", k, rnd.randint(-30, 30), rnd.randint(-30, 30))
            assert ours(*cmd) == ref(*cmd), cmd
            assert ours("LRANGE", k, 0, -1) == ref("LRANGE", k, 0, -1), cmd
        ref.close()
    finally:
        ref_srv.stop()
    ours.close()

