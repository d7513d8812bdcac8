"""SORT and SORT_RO over lists, sets and sorted sets: numeric and ALPHA
ordering, LIMIT, BY/GET patterns (string keys, hash fields, '#'), STORE,
and Valkey's error replies."""
import pytest

from kvutil import Conn, err

SYNTAX = err("ERR syntax error")
WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")


@pytest.fixture
def srv(start_server):
    return start_server()


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def test_sort_numeric_and_alpha(c):
    c("RPUSH", "l", 3, 1, 2, 10, "1.5")
    assert c("SORT", "l") == [b"1", b"1.5", b"2", b"3", b"10"]
    assert c("SORT", "l", "DESC") == [b"10", b"3", b"2", b"1.5", b"1"]
    assert c("SORT", "l", "ALPHA") == [b"1", b"1.5", b"10", b"2", b"3"]
    assert c("SORT", "l", "LIMIT", 1, 2) == [b"1.5", b"2"]
    assert c("SORT", "l", "LIMIT", 3, -1) == [b"3", b"10"]
    assert c("SORT", "l", "LIMIT", 10, 2) == []
    assert c("SORT", "l", "LIMIT", -5, 2) == [b"1", b"1.5"]
    assert c("SORT", "l", "LIMIT", 1, 9223372036854775807) == [b"1.5", b"2", b"3", b"10"]
    assert c("SORT", "l", "LIMIT", 9223372036854775807, 9223372036854775807) == []
    c("RPUSH", "w", "b", "a", "c")
    assert c("SORT", "w") == err("ERR One or more scores can't be converted into double")
    assert c("SORT", "w", "ALPHA", "DESC") == [b"c", b"b", b"a"]
    assert c("SORT", "nokey") == []


def test_sort_set_and_zset(c):
    c("SADD", "s", 5, 3, 9)
    assert c("SORT", "s") == [b"3", b"5", b"9"]
    c("ZADD", "z", 1, "30", 2, "10", 3, "20")
    assert c("SORT", "z") == [b"10", b"20", b"30"]
    assert c("SORT", "z", "BY", "nosort") == [b"30", b"10", b"20"]
    assert c("SORT", "z", "BY", "nosort", "DESC", "LIMIT", 0, 2) == [b"20", b"10"]
    assert c("SORT", "z", "BY", "nosort", "LIMIT", 1, 5) == [b"10", b"20"]


def test_sort_by_and_get(c):
    c("RPUSH", "ids", 1, 2, 3)
    c("MSET", "w_1", 30, "w_2", 10, "w_3", 20, "name_1", "one", "name_2", "two")
    c("HSET", "h_1", "f", "x1")
    c("HSET", "h_3", "f", "x3")
    assert c("SORT", "ids", "BY", "w_*") == [b"2", b"3", b"1"]
    assert c("SORT", "ids", "BY", "w_*", "DESC") == [b"1", b"3", b"2"]
    assert c("SORT", "ids", "BY", "w_*", "GET", "name_*", "GET", "#") == [
        b"two", b"2", None, b"3", b"one", b"1"]
    assert c("SORT", "ids", "BY", "w_*", "GET", "#", "GET", "name_*") == [
        b"2", b"two", b"3", None, b"1", b"one"]
    assert c("SORT", "ids", "GET", "h_*->f") == [b"x1", None, b"x3"]
    assert c("SORT", "ids", "BY", "nosort", "GET", "#") == [b"1", b"2", b"3"]
    assert c("SORT", "ids", "BY", "missing_*") == [b"1", b"2", b"3"]
    c("MSET", "bad_1", "x")
    assert c("SORT", "ids", "BY", "bad_*") == err("ERR One or more scores can't be converted into double")
    c("MSET", "a_1", "c", "a_2", "a", "a_3", "b")
    assert c("SORT", "ids", "BY", "a_*", "ALPHA") == [b"2", b"3", b"1"]


def test_sort_store(c):
    c("RPUSH", "l", 3, 1, 2)
    assert c("SORT", "l", "STORE", "dst") == 3
    assert c("LRANGE", "dst", 0, -1) == [b"1", b"2", b"3"]
    assert c("TYPE", "dst") == "list"
    c("SADD", "s", "b", "a", "c")
    assert c("SORT", "s", "BY", "nosort", "STORE", "dst") == 3
    assert c("LRANGE", "dst", 0, -1) == [b"a", b"b", b"c"]
    assert c("SORT", "nokey", "STORE", "dst") == 0
    assert c("EXISTS", "dst") == 0
    c("MSET", "n_1", "one")
    assert c("SORT", "l", "GET", "n_*", "STORE", "dst") == 3
    assert c("LRANGE", "dst", 0, -1) == [b"one", b"", b""]


def test_sort_ro_and_errors(c):
    c("RPUSH", "l", 2, 1)
    assert c("SORT_RO", "l") == [b"1", b"2"]
    assert c("SORT_RO", "l", "STORE", "x") == SYNTAX
    assert c("SORT", "l", "LIMIT", 1) == SYNTAX
    assert c("SORT", "l", "FOO") == SYNTAX
    assert c("SORT", "l", "LIMIT", "a", 1) == err("ERR value is not an integer or out of range")
    c("SET", "str", "v")
    assert c("SORT", "str") == WRONGTYPE
    c("HSET", "h", "a", 1)
    assert c("SORT", "h") == WRONGTYPE
