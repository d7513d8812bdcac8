"""Sorted-set commands: exact replies and errors as Valkey 8 sends them, both
encodings (listpack, skiplist) and the conversion between them, score
formatting in RESP2 and RESP3, ranges by rank/score/lex, pops (blocking ones
with several clients), random members, and the multi-key operations."""
import threading
import time

import pytest

from kvutil import Conn, err, wait_for

SYNTAX = err("ERR syntax error")
NOTINT = err("ERR value is not an integer or out of range")
NOTFLOAT = err("ERR value is not a valid float")
MINMAX = err("ERR min or max is not a float")
LEXERR = err("ERR min or max not valid string range item")
WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")


@pytest.fixture
def srv(start_server):
    return start_server()


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def fill(c, key, big):
    """abc.. members with scores 1..n; big forces the skiplist encoding."""
    c("ZADD", key, 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
    if big:
        c("ZADD", key, *sum(([1000 + i, "zz%03d" % i] for i in range(200)), []))
        c("ZREMRANGEBYSCORE", key, 1000, "+inf")
        assert c("OBJECT", "ENCODING", key) == b"skiplist"
    else:
        assert c("OBJECT", "ENCODING", key) == b"listpack"


ENC = pytest.mark.parametrize("big", [False, True], ids=["listpack", "skiplist"])


@ENC
def test_zadd_basics(c, big):
    fill(c, "z", big)
    assert c("ZCARD", "z") == 5
    assert c("ZADD", "z", 10, "a") == 0
    assert c("ZSCORE", "z", "a") == b"10"
    assert c("ZADD", "z", "CH", 11, "a", 1, "new") == 2
    assert c("ZADD", "z", "NX", 99, "a", 7, "n2") == 1
    assert c("ZSCORE", "z", "a") == b"11"
    assert c("ZADD", "z", "XX", 12, "a", 7, "n3") == 0
    assert c("ZSCORE", "z", "n3") is None
    assert c("ZSCORE", "z", "a") == b"12"
    assert c("ZADD", "z", "GT", "CH", 5, "a") == 0
    assert c("ZADD", "z", "GT", "CH", 50, "a") == 1
    assert c("ZADD", "z", "LT", "CH", 60, "a") == 0
    assert c("ZADD", "z", "LT", "CH", 0.5, "a") == 1
    assert c("ZSCORE", "z", "a") == b"0.5"
    assert c("ZADD", "z", "LT", 1, "brandnew") == 1


def test_zadd_errors(c):
    assert c("ZADD", "z", "NX", "XX", 1, "a") == err("ERR XX and NX options at the same time are not compatible")
    assert c("ZADD", "z", "GT", "LT", 1, "a") == err("ERR GT, LT, and/or NX options at the same time are not compatible")
    assert c("ZADD", "z", "GT", "NX", 1, "a") == err("ERR GT, LT, and/or NX options at the same time are not compatible")
    assert c("ZADD", "z", "INCR", 1, "a", 2, "b") == err("ERR INCR option supports a single increment-element pair")
    assert c("ZADD", "z", 1, "a", 2) == SYNTAX
    assert c("ZADD", "z", "NX", "a", "b") == NOTFLOAT
    assert c("ZADD", "z", "NX", "a") == SYNTAX
    assert c("ZADD", "z", "x", "a") == NOTFLOAT
    assert c("ZADD", "z", "nan", "a") == NOTFLOAT
    assert c("ZADD", "z", 1, "a", "bad", "b") == NOTFLOAT
    assert c("EXISTS", "z") == 0
    c("SET", "s", "x")
    assert c("ZADD", "s", 1, "a") == WRONGTYPE
    assert c("ZADD", "z", "XX", 1, "a") == 0
    assert c("EXISTS", "z") == 0
    assert c("ZADD", "z", "XX", "INCR", 1, "a") is None


def test_zincrby_and_nan(c):
    assert c("ZINCRBY", "z", 2.5, "a") == b"2.5"
    assert c("ZINCRBY", "z", -1, "a") == b"1.5"
    assert c("ZADD", "z", "INCR", 1, "a") == b"2.5"
    assert c("ZADD", "z", "INCR", "NX", 1, "a") is None
    assert c("ZADD", "z", "INCR", "GT", -1, "a") is None
    assert c("ZADD", "z", "+inf", "a") == 0
    assert c("ZINCRBY", "z", "-inf", "a") == err("ERR resulting score is not a number (NaN)")
    assert c("ZSCORE", "z", "a") == b"inf"
    assert c("ZINCRBY", "z", "x", "a") == NOTFLOAT


def test_score_formatting(srv, c):
    c("ZADD", "z", 0.1, "a", 3, "b", -0.0, "c", 1e300, "d", "-inf", "e", 1.5e-7, "f")
    assert c("ZSCORE", "z", "a") == b"0.1"
    assert c("ZSCORE", "z", "b") == b"3"
    assert c("ZSCORE", "z", "c") in (b"0", b"-0")
    assert c("ZSCORE", "z", "d") == b"1e+300"
    assert c("ZSCORE", "z", "e") == b"-inf"
    assert c("ZSCORE", "z", "f") == b"1.5e-07"
    c3 = Conn(srv.port, resp=3)
    c3.send("ZSCORE", "z", "a")
    assert c3.f.readline() == b",0.1\r\n"
    c3.send("ZSCORE", "z", "e")
    assert c3.f.readline() == b",-inf\r\n"
    c3.send("ZRANGE", "z", 0, 0, "WITHSCORES")
    assert c3.f.readline() == b"*1\r\n"
    assert c3.f.readline() == b"*2\r\n"
    assert c3.read() == b"e"
    assert c3.f.readline() == b",-inf\r\n"
    c3.close()


def test_encoding_conversion(c):
    c("ZADD", "z", *sum(([i, "m%d" % i] for i in range(128)), []))
    assert c("OBJECT", "ENCODING", "z") == b"listpack"
    c("ZADD", "z", 500, "extra")
    assert c("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c("ZRANGE", "z", -2, -1) == [b"m127", b"extra"]
    c("ZADD", "long", 1, "x" * 64)
    assert c("OBJECT", "ENCODING", "long") == b"listpack"
    c("ZADD", "long", 1, "y" * 65)
    assert c("OBJECT", "ENCODING", "long") == b"skiplist"
    c("ZADD", "created", 1, "y" * 65)
    assert c("OBJECT", "ENCODING", "created") == b"skiplist"
    # ZRANGESTORE / ZUNIONSTORE results come back compact when small.
    assert c("ZRANGESTORE", "dst", "z", 0, 9) == 10
    assert c("OBJECT", "ENCODING", "dst") == b"listpack"
    assert c("ZUNIONSTORE", "u", 1, "z") == 129
    assert c("OBJECT", "ENCODING", "u") == b"skiplist"


@ENC
def test_zrange_by_rank(c, big):
    fill(c, "z", big)
    assert c("ZRANGE", "z", 0, -1) == [b"a", b"b", b"c", b"d", b"e"]
    assert c("ZRANGE", "z", 1, 2, "WITHSCORES") == [b"b", b"2", b"c", b"3"]
    assert c("ZRANGE", "z", -2, 100) == [b"d", b"e"]
    assert c("ZRANGE", "z", 3, 1) == []
    assert c("ZRANGE", "z", 10, 20) == []
    assert c("ZRANGE", "z", -100, 0) == [b"a"]
    assert c("ZREVRANGE", "z", 0, 1, "WITHSCORES") == [b"e", b"5", b"d", b"4"]
    assert c("ZRANGE", "z", 0, 1, "REV") == [b"e", b"d"]
    assert c("ZRANGE", "nokey", 0, -1) == []
    assert c("ZRANGE", "z", "a", 1) == NOTINT
    assert c("ZRANGE", "z", 0, 1, "LIMIT", 0, 1) == err(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    assert c("ZRANGE", "z", 0, 1, "FOO") == SYNTAX


@ENC
def test_zrange_by_score(c, big):
    fill(c, "z", big)
    assert c("ZRANGEBYSCORE", "z", 2, 4) == [b"b", b"c", b"d"]
    assert c("ZRANGEBYSCORE", "z", "(2", "(4") == [b"c"]
    assert c("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 1, 2) == [b"b", b"c"]
    assert c("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 1, -1) == [b"b", b"c", b"d", b"e"]
    assert c("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", -1, 2) == []
    assert c("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 10, 2) == []
    assert c("ZRANGEBYSCORE", "z", 2, 3, "WITHSCORES") == [b"b", b"2", b"c", b"3"]
    assert c("ZRANGEBYSCORE", "z", 4, 2) == []
    assert c("ZRANGEBYSCORE", "z", "(3", 3) == []
    assert c("ZREVRANGEBYSCORE", "z", 4, 2) == [b"d", b"c", b"b"]
    assert c("ZREVRANGEBYSCORE", "z", "+inf", "(4") == [b"e"]
    assert c("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", 1, 2, "WITHSCORES") == [b"d", b"4", b"c", b"3"]
    assert c("ZRANGE", "z", "(1", 3, "BYSCORE") == [b"b", b"c"]
    assert c("ZRANGE", "z", 3, "(1", "BYSCORE", "REV") == [b"c", b"b"]
    assert c("ZRANGEBYSCORE", "z", "x", 3) == MINMAX
    assert c("ZRANGEBYSCORE", "z", "nan", 3) == MINMAX
    assert c("ZRANGEBYSCORE", "z", 1, 3, "LIMIT", 1) == SYNTAX
    assert c("ZRANGEBYSCORE", "z", 1, 3, "REV") == SYNTAX
    assert c("ZCOUNT", "z", 2, 4) == 3
    assert c("ZCOUNT", "z", "(2", "+inf") == 3
    assert c("ZCOUNT", "z", 10, 1) == 0
    assert c("ZCOUNT", "z", "a", 1) == MINMAX
    assert c("ZCOUNT", "nokey", 0, 1) == 0


@ENC
def test_zrange_by_lex(c, big):
    c("ZADD", "z", 0, "a", 0, "b", 0, "c", 0, "d", 0, "e")
    if big:
        c("ZADD", "z", *sum(([0, "zz%03d" % i] for i in range(200)), []))
        c("ZREMRANGEBYLEX", "z", "[zz", "+")
        assert c("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c("ZRANGEBYLEX", "z", "-", "+") == [b"a", b"b", b"c", b"d", b"e"]
    assert c("ZRANGEBYLEX", "z", "[b", "(d") == [b"b", b"c"]
    assert c("ZRANGEBYLEX", "z", "(b", "[d") == [b"c", b"d"]
    assert c("ZRANGEBYLEX", "z", "-", "+", "LIMIT", 1, 2) == [b"b", b"c"]
    assert c("ZREVRANGEBYLEX", "z", "+", "[c") == [b"e", b"d", b"c"]
    assert c("ZREVRANGEBYLEX", "z", "(d", "-", "LIMIT", 0, 2) == [b"c", b"b"]
    assert c("ZRANGE", "z", "[b", "[c", "BYLEX") == [b"b", b"c"]
    assert c("ZRANGE", "z", "+", "-", "BYLEX", "REV", "LIMIT", 0, 1) == [b"e"]
    assert c("ZRANGEBYLEX", "z", "+", "-") == []
    assert c("ZRANGEBYLEX", "z", "b", "d") == LEXERR
    assert c("ZLEXCOUNT", "z", "[b", "+") == 4
    assert c("ZLEXCOUNT", "z", "(e", "+") == 0
    assert c("ZLEXCOUNT", "z", "x", "+") == LEXERR
    assert c("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES") == err(
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX")


def test_zrangestore(c):
    fill(c, "z", False)
    assert c("ZRANGESTORE", "d", "z", 1, 2) == 2
    assert c("ZRANGE", "d", 0, -1, "WITHSCORES") == [b"b", b"2", b"c", b"3"]
    assert c("ZRANGESTORE", "d", "z", 4, 2, "BYSCORE", "REV", "LIMIT", 0, 2) == 2
    assert c("ZRANGE", "d", 0, -1) == [b"c", b"d"]
    assert c("ZRANGESTORE", "d", "z", "[a", "[b", "BYLEX") == 2
    assert c("ZRANGESTORE", "d", "nokey", 0, -1) == 0
    assert c("EXISTS", "d") == 0
    assert c("ZRANGESTORE", "d", "z", 0, -1, "WITHSCORES") == SYNTAX


@ENC
def test_rank_and_scores(c, big):
    fill(c, "z", big)
    assert c("ZRANK", "z", "a") == 0
    assert c("ZRANK", "z", "e") == 4
    assert c("ZREVRANK", "z", "a") == 4
    assert c("ZRANK", "z", "nope") is None
    assert c("ZRANK", "nokey", "a") is None
    assert c("ZRANK", "z", "c", "WITHSCORE") == [2, b"3"]
    assert c("ZREVRANK", "z", "c", "WITHSCORE") == [2, b"3"]
    assert c("ZRANK", "z", "nope", "WITHSCORE") is None
    assert c("ZRANK", "z", "c", "FOO") == SYNTAX
    assert c("ZMSCORE", "z", "a", "nope", "e") == [b"1", None, b"5"]
    assert c("ZMSCORE", "nokey", "a") == [None]
    assert c("ZSCORE", "nokey", "a") is None


@ENC
def test_zrem_and_remrange(c, big):
    fill(c, "z", big)
    assert c("ZREM", "z", "a", "nope") == 1
    assert c("ZREMRANGEBYRANK", "z", 0, 0) == 1
    assert c("ZRANGE", "z", 0, -1) == [b"c", b"d", b"e"]
    assert c("ZREMRANGEBYSCORE", "z", "(3", 4) == 1
    assert c("ZREMRANGEBYRANK", "z", 5, 10) == 0
    assert c("ZREMRANGEBYSCORE", "z", "x", 1) == MINMAX
    assert c("ZREMRANGEBYLEX", "z", "x", "+") == LEXERR
    assert c("ZREMRANGEBYRANK", "z", "x", 1) == NOTINT
    assert c("ZREMRANGEBYRANK", "z", 0, -1) == 2
    assert c("EXISTS", "z") == 0
    assert c("ZREM", "z", "a") == 0
    c("ZADD", "l", 0, "a", 0, "b", 0, "c")
    assert c("ZREMRANGEBYLEX", "l", "[a", "(c") == 2
    assert c("ZRANGE", "l", 0, -1) == [b"c"]


@ENC
def test_zpop(c, big):
    fill(c, "z", big)
    assert c("ZPOPMIN", "z") == [b"a", b"1"]
    assert c("ZPOPMAX", "z") == [b"e", b"5"]
    assert c("ZPOPMIN", "z", 2) == [b"b", b"2", b"c", b"3"]
    assert c("ZPOPMIN", "z", 0) == []
    assert c("ZPOPMAX", "z", 10) == [b"d", b"4"]
    assert c("EXISTS", "z") == 0
    assert c("ZPOPMIN", "z") == []
    assert c("ZPOPMIN", "z", -1) == err("ERR value is out of range, must be positive")
    assert c("ZPOPMIN", "z", 1, 2) == SYNTAX


def test_zmpop(c):
    c("ZADD", "z2", 1, "a", 2, "b", 3, "c")
    assert c("ZMPOP", 2, "nokey", "z2", "MIN") == [b"z2", [[b"a", b"1"]]]
    assert c("ZMPOP", 1, "z2", "MAX", "COUNT", 10) == [b"z2", [[b"c", b"3"], [b"b", b"2"]]]
    assert c("ZMPOP", 1, "z2", "MAX") is None
    assert c("ZMPOP", 0, "z2", "MAX") == err("ERR numkeys should be greater than 0")
    assert c("ZMPOP", 1, "z2", "MID") == SYNTAX
    assert c("ZMPOP", 1, "z2", "MIN", "COUNT", 0) == err("ERR count should be greater than 0")
    assert c("ZMPOP", 5, "z2", "MIN") == SYNTAX
    c("SET", "s", "v")
    assert c("ZMPOP", 1, "s", "MIN") == WRONGTYPE


def test_resp3_pops(srv):
    c3 = Conn(srv.port, resp=3)
    c3("ZADD", "z", 1, "a", 2, "b")
    assert c3("ZPOPMIN", "z", 1) == [[b"a", 1.0]]
    assert c3("ZPOPMIN", "z") == [b"b", 2.0]
    c3.close()


def test_bzpopmin_blocks_and_wakes(srv, c):
    assert c("BZPOPMIN", "z", 0.05) is None
    waiter = Conn(srv.port)
    waiter.send("BZPOPMIN", "z1", "z2", 0)
    time.sleep(0.2)
    c("ZADD", "z2", 5, "x", 6, "y")
    assert waiter.read() == [b"z2", b"x", b"5"]
    waiter.send("BZPOPMAX", "z2", 0)
    assert waiter.read() == [b"z2", b"y", b"6"]
    waiter.send("BZMPOP", 0, 2, "q1", "q2", "MAX", "COUNT", 2)
    time.sleep(0.2)
    c("ZADD", "q2", 1, "a", 2, "b", 3, "c")
    assert waiter.read() == [b"q2", [[b"c", b"3"], [b"b", b"2"]]]
    assert c("ZRANGE", "q2", 0, -1) == [b"a"]
    assert c("BZPOPMIN", "z", "x") == err("ERR timeout is not a float or out of range")
    assert c("BZPOPMIN", "z", -1) == err("ERR timeout is negative")
    c("SET", "s", "v")
    assert c("BZPOPMIN", "s", 0) == WRONGTYPE
    assert c("BZMPOP", 0.01, 1, "nokey", "MIN") is None
    waiter.close()


def test_bzpopmin_in_multi_does_not_block(c):
    assert c("MULTI") == "OK"
    assert c("BZPOPMIN", "z", 0) == "QUEUED"
    assert c("EXEC") == [None]


def test_zrandmember(c):
    fill(c, "z", False)
    names = [b"a", b"b", b"c", b"d", b"e"]
    assert c("ZRANDMEMBER", "z") in names
    r = c("ZRANDMEMBER", "z", 3)
    assert len(set(r)) == 3 and set(r) <= set(names)
    assert c("ZRANDMEMBER", "z", 10) == names[::-1]  # whole set: walked from the tail
    r = c("ZRANDMEMBER", "z", -8)
    assert len(r) == 8
    r = c("ZRANDMEMBER", "z", 2, "WITHSCORES")
    assert len(r) == 4 and int(r[1]) == names.index(r[0]) + 1
    assert c("ZRANDMEMBER", "z", 0) == []
    assert c("ZRANDMEMBER", "nokey") is None
    assert c("ZRANDMEMBER", "nokey", 3) == []
    assert c("ZRANDMEMBER", "z", 1, "FOO") == SYNTAX
    assert c("ZRANDMEMBER", "z", "x") == NOTINT
    assert c("ZRANDMEMBER", "z", -9223372036854775808) == err(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert c("ZRANDMEMBER", "z", -9223372036854775807, "WITHSCORES") == err("ERR value is out of range")
    fill(c, "big", True)
    r = c("ZRANDMEMBER", "big", 4, "WITHSCORES")
    assert len(r) == 8 and len(set(r[0::2])) == 4


def test_zunion_zinter_zdiff(c):
    c("ZADD", "a", 1, "x", 2, "y", 3, "z")
    c("ZADD", "b", 10, "y", 20, "z", 30, "w")
    c("SADD", "s", "x", "w")
    assert c("ZUNION", 2, "a", "b", "WITHSCORES") == [b"x", b"1", b"y", b"12", b"z", b"23", b"w", b"30"]
    assert c("ZINTER", 2, "a", "b", "WITHSCORES") == [b"y", b"12", b"z", b"23"]
    assert c("ZINTER", 2, "a", "b", "AGGREGATE", "MAX", "WITHSCORES") == [b"y", b"10", b"z", b"20"]
    assert c("ZINTER", 2, "a", "b", "WEIGHTS", 2, 0.5, "AGGREGATE", "MIN", "WITHSCORES") == [
        b"y", b"4", b"z", b"6"]
    assert c("ZUNION", 2, "a", "s", "WITHSCORES") == [b"w", b"1", b"x", b"2", b"y", b"2", b"z", b"3"]
    assert c("ZDIFF", 2, "a", "b", "WITHSCORES") == [b"x", b"1"]
    assert c("ZDIFF", 2, "b", "s") == [b"y", b"z"]
    c("SADD", "bigset", *range(300))
    assert c("ZDIFFSTORE", "d", 2, "bigset", "bigset") == 0
    assert c("ZINTERCARD", 2, "bigset", "bigset") == 300
    assert c("ZINTER", 2, "a", "nokey") == []
    assert c("ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2) == 4
    assert c("ZRANGE", "d", 0, -1, "WITHSCORES") == [b"x", b"1", b"y", b"22", b"z", b"43", b"w", b"60"]
    assert c("ZINTERSTORE", "d", 2, "a", "b") == 2
    assert c("ZDIFFSTORE", "d", 2, "a", "a") == 0
    assert c("EXISTS", "d") == 0
    assert c("ZINTERCARD", 2, "a", "b") == 2
    assert c("ZINTERCARD", 2, "a", "b", "LIMIT", 1) == 1
    assert c("ZINTERCARD", 2, "a", "b", "LIMIT", -1) == err("ERR LIMIT can't be negative")
    assert c("ZUNION", 0, "a") == err("ERR at least 1 input key is needed for 'zunion' command")
    assert c("ZUNIONSTORE", "d", 0, "a") == err("ERR at least 1 input key is needed for 'zunionstore' command")
    assert c("ZUNION", 3, "a", "b") == SYNTAX
    assert c("ZUNION", 2, "a", "b", "WEIGHTS", 1) == SYNTAX
    assert c("ZUNION", 2, "a", "b", "WEIGHTS", 1, "x") == err("ERR weight value is not a float")
    assert c("ZUNION", 2, "a", "b", "AGGREGATE", "AVG") == SYNTAX
    assert c("ZDIFF", 2, "a", "b", "AGGREGATE", "MAX") == SYNTAX
    assert c("ZUNIONSTORE", "d", 2, "a", "b", "WITHSCORES") == SYNTAX
    c("SET", "str", "v")
    assert c("ZUNION", 2, "a", "str") == WRONGTYPE
    assert c("ZUNION", "x", "a") == NOTINT


def test_zunion_inf_and_nan_weights(c):
    c("ZADD", "a", "inf", "x")
    c("ZADD", "b", "-inf", "x")
    assert c("ZUNION", 2, "a", "b", "WITHSCORES") == [b"x", b"0"]
    assert c("ZINTER", 2, "a", "b", "WEIGHTS", 0, 1, "WITHSCORES") == [b"x", b"-inf"]


def test_zscan(c):
    fill(c, "small", False)
    assert c("ZSCAN", "small", 0) == [b"0", [b"a", b"1", b"b", b"2", b"c", b"3", b"d", b"4", b"e", b"5"]]
    assert c("ZSCAN", "small", 0, "MATCH", "c") == [b"0", [b"c", b"3"]]
    c("ZADD", "big", *sum(([i + 0.5, "m%d" % i] for i in range(500)), []))
    seen, cur = {}, b"0"
    while True:
        cur, items = c("ZSCAN", "big", cur, "COUNT", 20)
        for k, v in zip(items[0::2], items[1::2]):
            seen[k] = v
        if cur == b"0":
            break
    assert len(seen) == 500 and seen[b"m7"] == b"7.5"
    assert c("ZSCAN", "nokey", 0) == [b"0", []]
    assert c("ZSCAN", "big", "x") == err("ERR invalid cursor")
    assert c("ZSCAN", "big", 0, "COUNT", 0) == SYNTAX


def test_zscan_noscores(c):
    fill(c, "small", False)
    assert c("ZSCAN", "small", 0, "NOSCORES") == [b"0", [b"a", b"b", b"c", b"d", b"e"]]


def test_wrongtype(c):
    c("SET", "s", "v")
    for cmd in (("ZCARD", "s"), ("ZSCORE", "s", "a"), ("ZRANGE", "s", 0, 1), ("ZRANK", "s", "a"),
                ("ZREM", "s", "a"), ("ZINCRBY", "s", 1, "a"), ("ZCOUNT", "s", 0, 1),
                ("ZPOPMIN", "s"), ("ZRANDMEMBER", "s"), ("ZMSCORE", "s", "a")):
        assert c(*cmd) == WRONGTYPE, cmd


def test_pops_replicate(start_server):
    primary = start_server()
    replica = start_server()
    p = Conn(primary.port)
    r = Conn(replica.port)
    r("REPLICAOF", "127.0.0.1", str(primary.port))
    assert wait_for(lambda: b"master_link_status:up" in r("INFO", "replication"), timeout=10)
    p("ZADD", "z", *sum(([i, "m%d" % i] for i in range(300)), []))
    p("ZPOPMIN", "z", 3)
    p("ZMPOP", 1, "z", "MAX", "COUNT", 2)
    p("BZPOPMIN", "z", 0)
    p("BZMPOP", 0, 1, "z", "MAX")
    p("ZADD", "z", "INCR", 0.5, "m100")
    waiter = Conn(primary.port)
    waiter.send("BZPOPMAX", "later", 0)
    time.sleep(0.1)
    p("ZADD", "later", 1, "x", 2, "y")
    assert waiter.read() == [b"later", b"y", b"2"]
    p("SET", "sync", "1")
    assert wait_for(lambda: r("GET", "sync") == b"1", timeout=5)
    assert r("ZRANGE", "z", 0, -1, "WITHSCORES") == p("ZRANGE", "z", 0, -1, "WITHSCORES")
    assert r("ZCARD", "z") == 293
    assert r("ZRANGE", "later", 0, -1) == [b"x"]
    waiter.close()


def test_debug_reload_keeps_contents_and_encodings(start_server):
    srv = start_server(config={"enable-debug-command": "yes"})
    c = Conn(srv.port)
    c("SADD", "si", 1, 2, 3)
    c("SADD", "sl", "a", "b")
    c("SADD", "sh", *range(600))
    c("ZADD", "zl", 1, "a", 2.5, "b")
    c("ZADD", "zs", *sum(([i / 4, "m%d" % i] for i in range(200)), []))
    before = c("DEBUG", "DIGEST")
    want = {k: c("OBJECT", "ENCODING", k) for k in ("si", "sl", "sh", "zl", "zs")}
    assert want == {"si": b"intset", "sl": b"listpack", "sh": b"hashtable", "zl": b"listpack", "zs": b"skiplist"}
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST") == before
    assert {k: c("OBJECT", "ENCODING", k) for k in want} == want
    assert c("ZRANGE", "zs", 0, 2, "WITHSCORES") == [b"m0", b"0", b"m1", b"0.25", b"m2", b"0.5"]
    assert c("ZSCORE", "zl", "b") == b"2.5"
    assert sorted(c("SMEMBERS", "sl")) == [b"a", b"b"]


# ---------------------------------------------------------------- large skiplist zsets
# The skiplist encoding embeds each member in its node and finds members
# through a table of those nodes: members of every size and byte, score moves
# that relink nodes, and everything that walks or samples the table.

def odd_members(rng, n):
    """n distinct members: empty, binary with NULs and CR/LF, short, >255 and >64 KB."""
    out = {b"", b"\x00", b"\r\n", b"\xff" * 3, b"L" * 70000, b"M" * 65536, b"N" * 256, b"O" * 255, b"P" * 31, b"Q" * 32}
    while len(out) < n:
        out.add(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 24))))
    return sorted(out)


def model_range(model):
    """ZRANGE 0 -1 WITHSCORES as the model orders it (score, then bytes)."""
    items = sorted(model.items(), key=lambda kv: (kv[1], kv[0]))
    out = []
    for m, s in items:
        out += [m, fmt_score(s)]
    return out


def fmt_score(s):
    if s == int(s) and abs(s) < 1e17:
        return b"%d" % int(s)
    return repr(s).encode()


def test_skiplist_odd_members_against_model(start_server):
    import random
    rng = random.Random(5)
    srv = start_server(config={"enable-debug-command": "yes"})
    c = Conn(srv.port)
    members = odd_members(rng, 300)
    model = {}
    for m in members:
        model[m] = rng.randrange(-20, 20) / 4
        assert c("ZADD", "z", model[m], m) == 1
    assert c("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c("ZCARD", "z") == len(model)
    assert c("ZRANGE", "z", 0, -1, "WITHSCORES") == model_range(model)
    order = model_range(model)[0::2]
    for m in rng.sample(members, 40) + [b"", b"L" * 70000, b"\x00"]:
        assert c("ZSCORE", "z", m) == fmt_score(model[m])
        assert c("ZRANK", "z", m) == order.index(m)
        assert c("ZREVRANK", "z", m) == len(order) - 1 - order.index(m)
        assert c("ZRANK", "z", m, "WITHSCORE") == [order.index(m), fmt_score(model[m])]
    assert c("ZSCORE", "z", b"L" * 69999) is None
    assert c("ZMSCORE", "z", b"", b"nope", b"M" * 65536) == [fmt_score(model[b""]), None, fmt_score(model[b"M" * 65536])]
    # Score moves: ZADD updates, ZINCRBY, GT/LT, INCR; nodes relink (or stay).
    for _ in range(600):
        m = rng.choice(members)
        op = rng.randrange(4)
        if op == 0:
            model[m] = rng.randrange(-20, 20) / 4
            c("ZADD", "z", model[m], m)
        elif op == 1:
            model[m] += 0.25
            assert c("ZINCRBY", "z", 0.25, m) == fmt_score(model[m])
        elif op == 2:
            new = rng.randrange(-20, 20) / 4
            c("ZADD", "z", "GT", new, m)
            model[m] = max(model[m], new)
        else:
            assert c("ZADD", "z", "LT", "CH", 1000, m) == 0
    assert c("ZRANGE", "z", 0, -1, "WITHSCORES") == model_range(model)
    assert c("ZCOUNT", "z", -1, "(2") == sum(1 for s in model.values() if -1 <= s < 2)
    # DUMP/RESTORE and DEBUG RELOAD keep contents and digest.
    digest = c("DEBUG", "DIGEST-VALUE", "z")
    assert c("RESTORE", "z2", 0, c("DUMP", "z")) == "OK"
    assert c("DEBUG", "DIGEST-VALUE", "z2") == digest
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST-VALUE", "z") == digest
    assert c("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c("ZRANGE", "z", 0, -1, "WITHSCORES") == model_range(model)
    assert c("MEMORY", "USAGE", "z", "SAMPLES", 0) > 70000 + 65536 + 300 * 40  # every node counted
    # Removal paths: ZREM, pops, range removals; the table shrinks underneath.
    for m in rng.sample(members, 100):
        assert c("ZREM", "z", m) == 1
        del model[m]
        assert c("ZREM", "z", m) == 0
    lo = min(model.items(), key=lambda kv: (kv[1], kv[0]))
    assert c("ZPOPMIN", "z") == [lo[0], fmt_score(lo[1])]
    del model[lo[0]]
    hi = max(model.items(), key=lambda kv: (kv[1], kv[0]))
    assert c("ZPOPMAX", "z") == [hi[0], fmt_score(hi[1])]
    del model[hi[0]]
    n = sum(1 for s in model.values() if s < 0)
    assert c("ZREMRANGEBYSCORE", "z", "-inf", "(0") == n
    model = {m: s for m, s in model.items() if s >= 0}
    assert c("ZREMRANGEBYRANK", "z", 0, 9) == 10
    for m in model_range(model)[0:20:2]:
        del model[m]
    assert c("ZRANGE", "z", 0, -1, "WITHSCORES") == model_range(model)
    for m in model:
        assert c("ZSCORE", "z", m) == fmt_score(model[m])


def test_skiplist_lex_and_store_with_odd_members(c):
    import random
    rng = random.Random(9)
    members = odd_members(rng, 200)
    c("ZADD", "lex", *sum(([0, m] for m in members), []))
    assert c("ZRANGE", "lex", 0, -1) == members
    assert c("ZRANGEBYLEX", "lex", "-", "+") == members
    assert c("ZRANGEBYLEX", "lex", b"[N", b"(P") == [m for m in members if b"N" <= m < b"P"]
    assert c("ZLEXCOUNT", "lex", b"(\x00", "+") == len([m for m in members if m > b"\x00"])
    inrange = [m for m in members if b"\x00" <= m <= b"\xff"]
    assert c("ZRANGESTORE", "dst", "lex", b"[\x00", b"[\xff", "BYLEX") == len(inrange)
    assert c("ZRANGE", "dst", 0, -1) == inrange
    assert c("ZRANGESTORE", "small", "lex", 1, 3) == 3
    assert c("OBJECT", "ENCODING", "small") == b"listpack"
    assert c("ZUNIONSTORE", "u", 2, "lex", "small", "WEIGHTS", 1, 2) == len(members)
    assert c("OBJECT", "ENCODING", "u") == b"skiplist"
    assert c("ZRANGE", "u", 0, -1, "WITHSCORES") == sum(([m, b"0"] for m in members), [])
    assert c("ZINTER", 2, "lex", "small", "WITHSCORES") == sum(([m, b"0"] for m in members[1:4]), [])
    assert c("ZDIFFSTORE", "d", 2, "lex", "small") == len(members) - 3
    assert c("ZRANGE", "d", 0, -1) == members[:1] + members[4:]
    assert c("ZINTERCARD", 2, "lex", "d") == len(members) - 3
    assert c("ZREMRANGEBYLEX", "lex", "-", b"(N") == len([m for m in members if m < b"N"])
    assert c("ZRANGE", "lex", 0, -1) == [m for m in members if m >= b"N"]
    # SORT BY nosort over a skiplist walks it by rank.
    assert c("SORT", "u", "BY", "nosort", "LIMIT", 0, 2, "ALPHA") == c("ZRANGE", "u", 0, 1)


def test_zscan_returns_members_present_throughout_growth_and_shrink(c):
    c("ZADD", "z", *sum(([i, "base:%d" % i] for i in range(300)), []))
    base = {b"base:%d" % i for i in range(300)}
    seen, cur, extra, step = set(), b"0", 0, 0
    while True:
        cur, items = c("ZSCAN", "z", cur, "COUNT", 7)
        seen.update(items[0::2])
        step += 1
        # Grow hard for a while (table resizes and rehashes under the cursor),
        # then delete the extras again (it shrinks).
        if step < 20:
            c("ZADD", "z", *sum(([extra + j, "x:%d" % (extra + j)] for j in range(400)), []))
            extra += 400
        elif step == 20:
            for j in range(0, extra, 500):
                c("ZREM", "z", *["x:%d" % k for k in range(j, min(j + 500, extra))])
        if cur == b"0":
            break
    assert base <= seen
    assert c("ZCARD", "z") == 300


def test_zrandmember_counts_on_skiplist(c):
    c("ZADD", "z", *sum(([i, "m%03d" % i] for i in range(300)), []))
    for i in range(0, 300, 3):  # uneven buckets: fairness must not follow them
        c("ZREM", "z", "m%03d" % i)
    names = {b"m%03d" % i for i in range(300) if i % 3}
    assert c("ZRANDMEMBER", "z") in names
    r = c("ZRANDMEMBER", "z", 150, "WITHSCORES")  # count*3 > size: pick by removal
    assert len(r) == 300 and len(set(r[0::2])) == 150 and set(r[0::2]) <= names
    assert all(int(s) == int(m[1:]) for m, s in zip(r[0::2], r[1::2]))
    r = c("ZRANDMEMBER", "z", 20)  # sparse pick
    assert len(set(r)) == 20 and set(r) <= names
    everything = c("ZRANDMEMBER", "z", 1000)
    assert everything == c("ZREVRANGE", "z", 0, -1)
    counts = {}
    for m in c("ZRANDMEMBER", "z", -40000):
        counts[m] = counts.get(m, 0) + 1
    assert set(counts) == names
    assert min(counts.values()) > 130 and max(counts.values()) < 280  # 200 expected each, sd 14
    r3 = Conn(c.sock.getpeername()[1], resp=3)
    r = r3("ZRANDMEMBER", "z", -3, "WITHSCORES")
    assert len(r) == 3 and all(len(p) == 2 and p[1] == float(int(p[0][1:])) for p in r)
    r3.close()


def test_skiplist_conversions_and_geo(c):
    # Past either limit the set turns into a skiplist, and back via STORE.
    c("CONFIG", "SET", "zset-max-listpack-entries", 16)
    c("ZADD", "z", *sum(([i, b"\x00m%d" % i] for i in range(16)), []))
    assert c("OBJECT", "ENCODING", "z") == b"listpack"
    c("ZADD", "z", 99, b"")
    assert c("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c("ZRANGE", "z", 0, 1) == [b"\x00m0", b"\x00m1"]
    assert c("ZRANGE", "z", -1, -1, "WITHSCORES") == [b"", b"99"]
    c("ZADD", "v", 1, "a", 2, b"x" * 65)
    assert c("OBJECT", "ENCODING", "v") == b"skiplist"
    assert c("ZRANGESTORE", "w", "v", 0, 0) == 1
    assert c("OBJECT", "ENCODING", "w") == b"listpack"
    # GEO over a skiplist-encoded key.
    for i in range(200):
        c("GEOADD", "g", 13 + i / 1000, 38 + i / 1000, "p%d" % i)
    assert c("OBJECT", "ENCODING", "g") == b"skiplist"
    assert c("GEOSEARCH", "g", "FROMMEMBER", "p0", "BYRADIUS", 200, "m", "ASC") == [b"p0", b"p1"]
    assert len(c("GEOSEARCH", "g", "FROMLONLAT", 13.1, 38.1, "BYBOX", 40, 40, "km")) == 200
    assert c("GEOPOS", "g", "p5")[0] is not None
    c("CONFIG", "SET", "zset-max-listpack-entries", 128)
