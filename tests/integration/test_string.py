"""String commands: exact replies and errors as Valkey 8 sends them."""
import time

import pytest

from kvutil import Conn, err, DEBUG_CONFIG

SYNTAX = err("ERR syntax error")
NOTINT = err("ERR value is not an integer or out of range")
NOTFLOAT = err("ERR value is not a valid float")
WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")


@pytest.fixture
def srv(start_server):
    return start_server(config=DEBUG_CONFIG)


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def test_get_set_basic(c):
    assert c("GET", "nokey") is None
    assert c("SET", "k", "hello") == "OK"
    assert c("GET", "k") == b"hello"
    assert c("SET", "k", b"bin\x00ary\r\n") == "OK"
    assert c("GET", "k") == b"bin\x00ary\r\n"
    assert c("SET", "k", "") == "OK"
    assert c("GET", "k") == b""


def test_get_wrongtype(c):
    c("SADD", "s", "a")
    assert c("GET", "s") == WRONGTYPE


def test_set_arity(c):
    assert c("SET", "k") == err("ERR wrong number of arguments for 'set' command")
    assert c("GET") == err("ERR wrong number of arguments for 'get' command")


def test_set_nx_xx(c):
    assert c("SET", "k", "1", "NX") == "OK"
    assert c("SET", "k", "2", "NX") is None
    assert c("GET", "k") == b"1"
    assert c("SET", "k", "3", "XX") == "OK"
    assert c("SET", "other", "3", "XX") is None
    assert c("EXISTS", "other") == 0
    assert c("SET", "k", "1", "NX", "XX") == SYNTAX
    assert c("SET", "k", "1", "XX", "NX") == SYNTAX
    assert c("SET", "k", "1", "nx", "nx") == "OK" or True  # repeated NX is accepted when key missing


def test_set_get_option(c):
    assert c("SET", "k", "v1", "GET") is None
    assert c("SET", "k", "v2", "GET") == b"v1"
    assert c("GET", "k") == b"v2"
    assert c("SET", "k", "v3", "NX", "GET") == b"v2"
    assert c("GET", "k") == b"v2"
    assert c("SET", "new", "x", "XX", "GET") is None
    assert c("EXISTS", "new") == 0
    c("LPUSH", "l", "a")
    assert c("SET", "l", "x", "GET") == WRONGTYPE
    assert c("TYPE", "l") == "list"


def test_set_expire_options(c):
    assert c("SET", "k", "v", "EX", "100") == "OK"
    assert 99 <= c("TTL", "k") <= 100
    assert c("SET", "k", "v", "PX", "100000") == "OK"
    assert 99000 <= c("PTTL", "k") <= 100000
    now = int(time.time())
    assert c("SET", "k", "v", "EXAT", str(now + 200)) == "OK"
    assert c("EXPIRETIME", "k") == now + 200
    assert c("SET", "k", "v", "PXAT", str(now * 1000 + 300000)) == "OK"
    assert c("PEXPIRETIME", "k") == now * 1000 + 300000
    # plain SET clears the TTL, KEEPTTL keeps it
    assert c("SET", "k", "v2", "KEEPTTL") == "OK"
    assert c("PEXPIRETIME", "k") == now * 1000 + 300000
    assert c("SET", "k", "v3") == "OK"
    assert c("TTL", "k") == -1


def test_set_expire_errors(c):
    bad = err("ERR invalid expire time in 'set' command")
    assert c("SET", "k", "v", "EX", "0") == bad
    assert c("SET", "k", "v", "EX", "-1") == bad
    assert c("SET", "k", "v", "PX", "0") == bad
    assert c("SET", "k", "v", "EXAT", "0") == bad
    assert c("SET", "k", "v", "PXAT", "-5") == bad
    assert c("SET", "k", "v", "EX", "9223372036854775807") == bad
    assert c("SET", "k", "v", "PX", "9223372036854775807") == bad
    assert c("SET", "k", "v", "EX", "abc") == NOTINT
    assert c("SET", "k", "v", "EX", "1.5") == NOTINT
    assert c("SET", "k", "v", "EX") == SYNTAX
    assert c("SET", "k", "v", "EX", "10", "PX", "100") == SYNTAX
    assert c("SET", "k", "v", "EX", "10", "KEEPTTL") == SYNTAX
    assert c("SET", "k", "v", "KEEPTTL", "EX", "10") == SYNTAX
    assert c("SET", "k", "v", "PERSIST") == SYNTAX
    assert c("SET", "k", "v", "FOO") == SYNTAX
    assert c("EXISTS", "k") == 0


def test_set_lowercase_options(c):
    assert c("set", "k", "v", "ex", "10", "nx", "get") is None
    assert 9 <= c("ttl", "k") <= 10


def test_setnx_setex_psetex(c):
    assert c("SETNX", "k", "a") == 1
    assert c("SETNX", "k", "b") == 0
    assert c("GET", "k") == b"a"
    assert c("SETEX", "k", "100", "v") == "OK"
    assert 99 <= c("TTL", "k") <= 100
    assert c("GET", "k") == b"v"
    assert c("PSETEX", "k", "100000", "w") == "OK"
    assert 99000 <= c("PTTL", "k") <= 100000
    assert c("SETEX", "k", "0", "v") == err("ERR invalid expire time in 'setex' command")
    assert c("SETEX", "k", "-10", "v") == err("ERR invalid expire time in 'setex' command")
    assert c("PSETEX", "k", "0", "v") == err("ERR invalid expire time in 'psetex' command")
    assert c("SETEX", "k", "x", "v") == NOTINT


def test_getset_getdel(c):
    assert c("GETSET", "k", "1") is None
    assert c("GETSET", "k", "2") == b"1"
    c("EXPIRE", "k", "100")
    assert c("GETSET", "k", "3") == b"2"
    assert c("TTL", "k") == -1  # GETSET clears the TTL
    assert c("GETDEL", "k") == b"3"
    assert c("EXISTS", "k") == 0
    assert c("GETDEL", "k") is None
    c("SADD", "s", "a")
    assert c("GETDEL", "s") == WRONGTYPE
    assert c("GETSET", "s", "x") == WRONGTYPE


def test_getex(c):
    assert c("GETEX", "nokey") is None
    assert c("GETEX", "nokey", "EX", "0") is None  # missing key wins over bad expire
    c("SET", "k", "v")
    assert c("GETEX", "k") == b"v"
    assert c("TTL", "k") == -1
    assert c("GETEX", "k", "EX", "100") == b"v"
    assert 99 <= c("TTL", "k") <= 100
    assert c("GETEX", "k", "PX", "50000") == b"v"
    assert 49000 <= c("PTTL", "k") <= 50000
    now = int(time.time())
    assert c("GETEX", "k", "EXAT", str(now + 500)) == b"v"
    assert c("EXPIRETIME", "k") == now + 500
    assert c("GETEX", "k", "PERSIST") == b"v"
    assert c("TTL", "k") == -1
    assert c("GETEX", "k", "EX", "0") == err("ERR invalid expire time in 'getex' command")
    assert c("GETEX", "k", "PX", "-1") == err("ERR invalid expire time in 'getex' command")
    assert c("GETEX", "k", "EX", "10", "PERSIST") == SYNTAX
    assert c("GETEX", "k", "PERSIST", "EX", "10") == SYNTAX
    assert c("GETEX", "k", "KEEPTTL") == SYNTAX
    assert c("GETEX", "k", "NX") == SYNTAX
    assert c("GETEX", "k", "EX") == SYNTAX
    # an absolute time in the past deletes the key after replying
    assert c("GETEX", "k", "PXAT", "1") == b"v"
    assert c("EXISTS", "k") == 0
    c("SADD", "s", "a")
    assert c("GETEX", "s") == WRONGTYPE


def test_mget_mset_msetnx(c):
    assert c("MSET", "a", "1", "b", "2") == "OK"
    c("SADD", "s", "x")
    assert c("MGET", "a", "b", "nokey", "s") == [b"1", b"2", None, None]
    assert c("MSET", "a", "1", "b") == err("ERR wrong number of arguments for 'mset' command")
    assert c("MSETNX", "a", "9", "c", "3") == 0
    assert c("EXISTS", "c") == 0
    assert c("MSETNX", "c", "3", "d", "4") == 1
    assert c("MGET", "c", "d") == [b"3", b"4"]
    assert c("MSETNX", "x", "1", "y") == err("ERR wrong number of arguments for 'msetnx' command")
    # MSET with the same key twice: last value wins
    assert c("MSET", "z", "1", "z", "2") == "OK"
    assert c("GET", "z") == b"2"


def test_append_strlen(c):
    assert c("APPEND", "k", "hello") == 5
    assert c("APPEND", "k", " world") == 11
    assert c("GET", "k") == b"hello world"
    assert c("STRLEN", "k") == 11
    assert c("STRLEN", "nokey") == 0
    c("SET", "n", "12")
    assert c("APPEND", "n", "34") == 4
    assert c("GET", "n") == b"1234"
    c("SET", "i", "123")
    assert c("STRLEN", "i") == 3
    c("SADD", "s", "a")
    assert c("APPEND", "s", "x") == WRONGTYPE
    assert c("STRLEN", "s") == WRONGTYPE


def test_getrange(c):
    c("SET", "k", "Hello World")
    assert c("GETRANGE", "k", "0", "4") == b"Hello"
    assert c("GETRANGE", "k", "-5", "-1") == b"World"
    assert c("GETRANGE", "k", "0", "-1") == b"Hello World"
    assert c("GETRANGE", "k", "5", "3") == b""
    assert c("GETRANGE", "k", "-1", "-5") == b""
    assert c("GETRANGE", "k", "0", "100") == b"Hello World"
    assert c("GETRANGE", "k", "-100", "2") == b"Hel"
    assert c("GETRANGE", "k", "20", "30") == b""
    assert c("GETRANGE", "nokey", "0", "-1") == b""
    assert c("SUBSTR", "k", "0", "1") == b"He"
    c("SET", "n", "12345")
    assert c("GETRANGE", "n", "1", "2") == b"23"
    assert c("GETRANGE", "k", "a", "1") == NOTINT
    c("SET", "e", "")
    assert c("GETRANGE", "e", "0", "-1") == b""


def test_setrange(c):
    assert c("SETRANGE", "k", "5", "abc") == 8
    assert c("GET", "k") == b"\x00" * 5 + b"abc"
    assert c("SETRANGE", "k", "0", "XY") == 8
    assert c("GET", "k") == b"XY\x00\x00\x00abc"
    assert c("SETRANGE", "nokey", "10", "") == 0
    assert c("EXISTS", "nokey") == 0
    assert c("SETRANGE", "k", "100", "") == 8
    assert c("SETRANGE", "k", "-1", "x") == err("ERR offset is out of range")
    assert c("SETRANGE", "k", "x", "x") == NOTINT
    c("SET", "n", "1234")
    assert c("SETRANGE", "n", "1", "x") == 4
    assert c("GET", "n") == b"1x34"
    c("SADD", "s", "a")
    assert c("SETRANGE", "s", "0", "x") == WRONGTYPE


def test_setrange_max_bulk(c):
    msg = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert c("SETRANGE", "k", "536870911", "xx") == msg
    assert c("SETRANGE", "k", "9223372036854775807", "x") == msg
    c("CONFIG", "SET", "proto-max-bulk-len", "1048576")
    assert c("SETRANGE", "k", "1048570", "0123456789") == msg
    c("SET", "a", "x" * 1048570)
    assert c("APPEND", "a", "0123456789") == msg


def test_incr_decr(c):
    assert c("INCR", "n") == 1
    assert c("INCR", "n") == 2
    assert c("DECR", "n") == 1
    assert c("INCRBY", "n", "100") == 101
    assert c("DECRBY", "n", "1000") == -899
    assert c("INCRBY", "n", "-1") == -900
    assert c("GET", "n") == b"-900"
    c("SET", "big", "9223372036854775806")
    assert c("INCR", "big") == 9223372036854775807
    assert c("INCR", "big") == err("ERR increment or decrement would overflow")
    c("SET", "small", "-9223372036854775808")
    assert c("DECR", "small") == err("ERR increment or decrement would overflow")
    assert c("DECRBY", "x", "-9223372036854775808") == err("ERR decrement would overflow")
    c("SET", "s", "abc")
    assert c("INCR", "s") == NOTINT
    c("SET", "sp", " 1")
    assert c("INCR", "sp") == NOTINT
    c("SET", "f", "1.5")
    assert c("INCR", "f") == NOTINT
    assert c("INCRBY", "n", "1.5") == NOTINT
    c("SADD", "set", "a")
    assert c("INCR", "set") == WRONGTYPE


def test_incr_keeps_ttl_and_encoding(c):
    c("SET", "n", "10", "EX", "100")
    assert c("INCR", "n") == 11
    assert 99 <= c("TTL", "n") <= 100
    assert c("OBJECT", "ENCODING", "n") == b"int"
    c("SET", "big", "100000")
    assert c("INCR", "big") == 100001
    assert c("OBJECT", "ENCODING", "big") == b"int"


def test_incrbyfloat(c):
    assert c("INCRBYFLOAT", "f", "10.5") == b"10.5"
    assert c("INCRBYFLOAT", "f", "0.1") == b"10.6"
    assert c("INCRBYFLOAT", "f", "-5") == b"5.6"
    c("SET", "i", "5")
    assert c("INCRBYFLOAT", "i", "2") == b"7"
    assert c("INCRBYFLOAT", "i", "5.0e3") == b"5007"
    assert c("INCRBYFLOAT", "i", "1e-3") == b"5007.00099999999999989"
    c("SET", "x", "3.0e3")
    assert c("INCRBYFLOAT", "x", "1") == b"3001"
    assert c("INCRBYFLOAT", "x", "abc") == NOTFLOAT
    c("SET", "bad", "abc")
    assert c("INCRBYFLOAT", "bad", "1") == NOTFLOAT
    assert c("INCRBYFLOAT", "x", "inf") == err("ERR increment would produce NaN or Infinity")
    c("SET", "ttl", "1", "EX", "100")
    assert c("INCRBYFLOAT", "ttl", "1.5") == b"2.5"
    assert 99 <= c("TTL", "ttl") <= 100
    c("SADD", "s", "a")
    assert c("INCRBYFLOAT", "s", "1") == WRONGTYPE


def test_object_encoding_strings(c):
    c("SET", "i", "12345")
    c("SET", "e", "short string")
    c("SET", "r", "x" * 45)
    c("SET", "e44", "y" * 44)
    c("SET", "neg", "-1")
    c("SET", "lead0", "0123")
    c("SET", "huge", "12345678901234567890")
    assert c("OBJECT", "ENCODING", "i") == b"int"
    assert c("OBJECT", "ENCODING", "e") == b"embstr"
    assert c("OBJECT", "ENCODING", "r") == b"raw"
    assert c("OBJECT", "ENCODING", "e44") == b"embstr"
    assert c("OBJECT", "ENCODING", "neg") == b"int"
    assert c("OBJECT", "ENCODING", "lead0") == b"embstr"
    assert c("OBJECT", "ENCODING", "huge") == b"embstr"
    c("APPEND", "e", "x")
    assert c("OBJECT", "ENCODING", "e") == b"raw"


def test_lcs(c):
    c("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert c("LCS", "key1", "key2") == b"mytext"
    assert c("LCS", "key1", "key2", "LEN") == 6
    assert c("LCS", "key1", "key2", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert c("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4") == [
        b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert c("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert c("LCS", "key1", "key2", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]
    assert c("LCS", "key1", "nokey") == b""
    assert c("LCS", "nokey", "nokey2", "LEN") == 0
    assert c("LCS", "key1", "key2", "LEN", "IDX") == err(
        "ERR If you want both the length and indexes, please just use IDX.")
    assert c("LCS", "key1", "key2", "FOO") == SYNTAX
    assert c("LCS", "key1", "key2", "MINMATCHLEN") == SYNTAX
    assert c("LCS", "key1", "key2", "MINMATCHLEN", "x") == NOTINT
    c("SADD", "s", "a")
    assert c("LCS", "key1", "s") == err("ERR The specified keys must contain string values")


def test_lcs_resp3(srv):
    c3 = Conn(srv.port, resp=3)
    c3("MSET", "a", "ohmytext", "b", "mynewtext")
    r = c3("LCS", "a", "b", "IDX")
    assert r == {b"matches": [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len": 6}
    c3.close()


def test_lcs_integers_and_long(c):
    c("SET", "a", "12345")
    c("SET", "b", "2345")
    assert c("LCS", "a", "b") == b"2345"
    a = "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA" * 4
    b = "GTCGTTCGGAATGCCGTTGCTCTGTAAA" * 4
    c("MSET", "x", a, "y", b)
    res = c("LCS", "x", "y")
    # verify against a Python LCS length
    n, m = len(a), len(b)
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            dp[i][j] = dp[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(dp[i - 1][j], dp[i][j - 1])
    assert len(res) == dp[n][m]
    assert c("LCS", "x", "y", "LEN") == dp[n][m]


def test_set_propagates_binary_safe_big_value(c):
    big = b"\x01\x02" * 100000
    assert c("SET", "big", big) == "OK"
    assert c("GET", "big") == big
    assert c("STRLEN", "big") == 200000
    assert c("GETRANGE", "big", "199998", "-1") == b"\x01\x02"


def test_string_commands_in_command_table(c):
    info = c("COMMAND", "INFO", "set", "get", "mset", "lcs")
    names = [x[0] for x in info]
    assert names == [b"set", b"get", b"mset", b"lcs"]
    assert info[0][1] == -3 and info[1][1] == 2 and info[2][1] == -3 and info[3][1] == -3
    assert (info[2][3], info[2][4], info[2][5]) == (1, -1, 2)
    assert (info[3][3], info[3][4], info[3][5]) == (1, 2, 1)


# ---------------------------------------------------------------- bitmaps

def test_setbit_getbit(c):
    assert c("SETBIT", "b", "7", "1") == 0
    assert c("GET", "b") == b"\x01"
    assert c("SETBIT", "b", "7", "0") == 1
    assert c("SETBIT", "b", "100", "1") == 0
    assert c("STRLEN", "b") == 13
    assert c("GETBIT", "b", "100") == 1
    assert c("GETBIT", "b", "101") == 0
    assert c("GETBIT", "b", "100000") == 0
    assert c("GETBIT", "nokey", "0") == 0
    assert c("SETBIT", "b", "-1", "1") == err("ERR bit offset is not an integer or out of range")
    assert c("SETBIT", "b", "4294967296", "1") == err("ERR bit offset is not an integer or out of range")
    assert c("SETBIT", "b", "0", "2") == err("ERR bit is not an integer or out of range")
    assert c("SETBIT", "b", "0", "x") == err("ERR bit is not an integer or out of range")
    assert c("GETBIT", "b", "x") == err("ERR bit offset is not an integer or out of range")
    c("SET", "n", "1")  # int-encoded: "1" = 0x31
    assert c("GETBIT", "n", "2") == 1
    assert c("SETBIT", "n", "7", "0") == 1
    assert c("GET", "n") == b"0"
    c("SADD", "s", "a")
    assert c("SETBIT", "s", "0", "1") == WRONGTYPE


def test_bitcount(c):
    c("SET", "k", "foobar")
    assert c("BITCOUNT", "k") == 26
    assert c("BITCOUNT", "k", "0", "0") == 4
    assert c("BITCOUNT", "k", "1", "1") == 6
    assert c("BITCOUNT", "k", "1", "1", "BYTE") == 6
    assert c("BITCOUNT", "k", "5", "30", "BIT") == 17
    assert c("BITCOUNT", "k", "-2", "-1") == 7
    assert c("BITCOUNT", "k", "-1", "-2") == 0
    assert c("BITCOUNT", "k", "0", "-1", "bit") == 26
    assert c("BITCOUNT", "nokey") == 0
    assert c("BITCOUNT", "nokey", "0", "1") == 0
    # Valkey 8: a lone start counts to the end of the string
    assert c("BITCOUNT", "k", "0") == 26
    assert c("BITCOUNT", "k", "1") == 22
    assert c("BITCOUNT", "k", "-1") == 4
    assert c("BITCOUNT", "k", "100") == 0
    assert c("BITCOUNT", "k", "-100") == 26
    assert c("BITCOUNT", "nokey", "3") == 0
    assert c("BITCOUNT", "k", "x") == NOTINT
    assert c("BITCOUNT", "k", "0", "1", "BIT", "extra") == SYNTAX
    assert c("BITCOUNT", "k", "0", "1", "FOO") == SYNTAX
    assert c("BITCOUNT", "k", "a", "1") == NOTINT
    big = bytes(range(256)) * 40
    c("SET", "big", big)
    assert c("BITCOUNT", "big") == sum(bin(x).count("1") for x in big)
    assert c("BITCOUNT", "big", "3", "9000", "BIT") == \
        sum((big[i // 8] >> (7 - i % 8)) & 1 for i in range(3, 9001))


def test_bitpos(c):
    c("SET", "k", b"\xff\xf0\x00")
    assert c("BITPOS", "k", "0") == 12
    assert c("BITPOS", "k", "1") == 0
    c("SET", "k", b"\x00\xff\xf0")
    assert c("BITPOS", "k", "1", "0") == 8
    assert c("BITPOS", "k", "1", "2") == 16
    assert c("BITPOS", "k", "1", "2", "-1", "BYTE") == 16
    assert c("BITPOS", "k", "1", "7", "15", "BIT") == 8
    assert c("BITPOS", "k", "1", "7", "-3", "BIT") == 8
    c("SET", "k", b"\xff\xff\xff")
    assert c("BITPOS", "k", "0") == 24
    assert c("BITPOS", "k", "0", "0") == 24
    assert c("BITPOS", "k", "0", "0", "-1") == -1
    assert c("BITPOS", "k", "0", "3", "10", "BIT") == -1
    c("SET", "z", b"\x00\x00")
    assert c("BITPOS", "z", "1") == -1
    assert c("BITPOS", "nokey", "1") == -1
    assert c("BITPOS", "nokey", "0") == 0
    assert c("BITPOS", "k", "2") == err("ERR The bit argument must be 1 or 0.")
    assert c("BITPOS", "k", "1", "0", "1", "FOO") == SYNTAX
    c("SET", "e", "")
    assert c("BITPOS", "e", "0") == -1


def test_bitop(c):
    c("SET", "a", b"\x0f\xff")
    c("SET", "b", b"\xf0")
    assert c("BITOP", "AND", "d", "a", "b") == 2
    assert c("GET", "d") == b"\x00\x00"
    assert c("BITOP", "OR", "d", "a", "b") == 2
    assert c("GET", "d") == b"\xff\xff"
    assert c("BITOP", "XOR", "d", "a", "b", "nokey") == 2
    assert c("GET", "d") == b"\xff\xff"
    assert c("BITOP", "NOT", "d", "b") == 1
    assert c("GET", "d") == b"\x0f"
    assert c("BITOP", "NOT", "d", "a", "b") == err("ERR BITOP NOT must be called with a single source key.")
    assert c("BITOP", "FOO", "d", "a") == SYNTAX
    assert c("BITOP", "AND", "d", "nokey1", "nokey2") == 0
    assert c("EXISTS", "d") == 0
    c("SADD", "s", "x")
    assert c("BITOP", "AND", "d", "a", "s") == WRONGTYPE


def test_bitfield(c):
    assert c("BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "i8", "0") == [0, 100]
    assert c("BITFIELD", "bf", "INCRBY", "i8", "0", "100") == [-56]
    assert c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-200") == [-128]
    assert c("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-1") == [None]
    assert c("BITFIELD", "bf", "SET", "u4", "#1", "15", "GET", "u4", "4", "GET", "u2", "#3") == [0, 15, 3]
    assert c("BITFIELD", "u", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102",
             "1") == [1, 1]
    assert c("BITFIELD", "u", "INCRBY", "u2", "100", "5") == [2]
    assert c("BITFIELD", "u", "OVERFLOW", "SAT", "INCRBY", "u2", "100", "5") == [3]
    assert c("BITFIELD", "x", "SET", "i64", "0", "-1", "GET", "u63", "0", "GET", "i64", "0") == [
        0, 9223372036854775807, -1]
    assert c("BITFIELD", "x", "INCRBY", "i64", "0", "-9223372036854775808") == [9223372036854775807]
    assert c("BITFIELD", "x", "OVERFLOW", "FAIL", "SET", "u8", "0", "256") == [None]
    assert c("BITFIELD", "x", "SET", "u8", "0", "257") == [127]
    assert c("BITFIELD", "nokey") == []
    assert c("BITFIELD", "k", "GET", "u64", "0") == err(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    assert c("BITFIELD", "k", "GET", "i65", "0") == err(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    assert c("BITFIELD", "k", "GET", "i8", "-1") == err("ERR bit offset is not an integer or out of range")
    assert c("BITFIELD", "k", "OVERFLOW", "FOO") == err("ERR Invalid OVERFLOW type specified")
    assert c("BITFIELD", "k", "SET", "i8", "0", "x") == NOTINT
    assert c("BITFIELD", "k", "FOO") == SYNTAX
    assert c("BITFIELD", "k", "GET", "i8") == SYNTAX
    assert c("EXISTS", "k") == 0
    assert c("BITFIELD_RO", "bf", "GET", "i8", "0") == [-113]
    assert c("BITFIELD_RO", "bf", "SET", "i8", "0", "1") == err(
        "ERR BITFIELD_RO only supports the GET subcommand")
    c("SADD", "s", "x")
    assert c("BITFIELD", "s", "GET", "i8", "0") == WRONGTYPE
