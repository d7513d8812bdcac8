"""Streams: exact replies and errors of the X* commands as Valkey 8 sends them
(checked against Debian's redis-server 7.0 where the two agree), listpack node
bytes compared with the reference server's DUMP, blocking reads, RDB/DUMP
round trips and replication of consumer-group effects."""
import os
import struct
import time

import pytest

from kvutil import Conn, err, wait_for

REF_SERVER = "/usr/bin/redis-server"
SYNTAX = err("ERR syntax error")
BADID = err("ERR Invalid stream ID specified as stream command argument")
WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")
TOPITEM = err("ERR The ID specified in XADD is equal or smaller than the target stream top item")


@pytest.fixture
def srv(start_server):
    return start_server()


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


def as_map(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def add_n(c, key, n, start=1, **fields):
    for i in range(start, start + n):
        c("XADD", key, "%d-1" % i, "f", "v%d" % i)


# ---------------------------------------------------------------- XADD / IDs

def test_xadd_ids_and_errors(c):
    assert c("XADD", "s", "1-1", "a", "1", "b", "2") == b"1-1"
    assert c("XADD", "s", "1-*", "a", "1") == b"1-2"
    assert c("XADD", "s", "2-*", "a", "1") == b"2-0"
    assert c("XADD", "s", "3", "a", "1") == b"3-0"
    assert c("XADD", "s", "3", "a", "1") == TOPITEM
    assert c("XADD", "s", "2-5", "a", "1") == TOPITEM
    assert c("XADD", "s", "0-0", "a", "1") == err("ERR The ID specified in XADD must be greater than 0-0")
    assert c("XADD", "s", "abc", "a", "1") == BADID
    assert c("XADD", "s", "1-x", "a", "1") == BADID
    assert c("XADD", "s", "-", "a", "1") == BADID
    assert c("XADD", "s", "5-1", "a") == err("ERR wrong number of arguments for 'xadd' command")
    assert c("XADD", "s", "5-1", "a", "1", "b") == err("ERR wrong number of arguments for 'xadd' command")
    auto = c("XADD", "s", "*", "x", "y")
    ms, seq = auto.split(b"-")
    assert abs(int(ms) - time.time() * 1000) < 60000 and seq == b"0"
    assert c("XADD", "s", "18446744073709551615-18446744073709551615", "a", "b") == \
        b"18446744073709551615-18446744073709551615"
    assert c("XADD", "s", "*", "a", "b") == \
        err("ERR The stream has exhausted the last possible ID, unable to add more items")
    assert c("XLEN", "s") == 6
    assert c("TYPE", "s") == "stream"
    assert c("OBJECT", "ENCODING", "s") == b"stream"
    c("SET", "str", "x")
    assert c("XADD", "str", "*", "a", "b") == WRONGTYPE
    assert c("XLEN", "str") == WRONGTYPE
    assert c("XLEN", "nokey") == 0


def test_xadd_nomkstream_and_trim_options(c):
    assert c("XADD", "s", "NOMKSTREAM", "1-1", "a", "b") is None
    assert c("EXISTS", "s") == 0
    add_n(c, "s", 5)
    assert c("XADD", "s", "NOMKSTREAM", "MAXLEN", "3", "6-1", "f", "v6") == b"6-1"
    assert [e[0] for e in c("XRANGE", "s", "-", "+")] == [b"4-1", b"5-1", b"6-1"]
    assert c("XADD", "s", "MINID", "=", "5-1", "7-1", "f", "v") == b"7-1"
    assert [e[0] for e in c("XRANGE", "s", "-", "+")] == [b"5-1", b"6-1", b"7-1"]
    assert c("XADD", "s", "LIMIT", "5", "8-1", "a", "b") == \
        err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    assert c("XADD", "s", "MAXLEN", "=", "1", "LIMIT", "5", "8-1", "a", "b") == \
        err("ERR syntax error, LIMIT cannot be used without the special ~ option")
    assert c("XADD", "s", "MAXLEN", "1", "MINID", "1", "8-1", "a", "b") == \
        err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
    assert c("XADD", "s", "MAXLEN", "-1", "8-1", "a", "b") == err("ERR The MAXLEN argument must be >= 0.")
    assert c("XADD", "s", "MAXLEN", "~", "x", "8-1", "a", "b") == \
        err("ERR value is not an integer or out of range")
    assert c("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "8-1", "a", "b") == \
        err("ERR The LIMIT argument must be >= 0.")
    assert c("XADD", "s", "MINID", "x", "8-1", "a", "b") == BADID


# ------------------------------------------------------------------ ranges

def test_xrange_xrevrange(c):
    c("XADD", "s", "1-1", "a", "1", "b", "2")
    c("XADD", "s", "1-2", "a", "3", "b", "4")
    c("XADD", "s", "2-0", "a", "5")
    full = [[b"1-1", [b"a", b"1", b"b", b"2"]], [b"1-2", [b"a", b"3", b"b", b"4"]], [b"2-0", [b"a", b"5"]]]
    assert c("XRANGE", "s", "-", "+") == full
    assert c("XREVRANGE", "s", "+", "-") == full[::-1]
    assert c("XRANGE", "s", "(1-1", "+") == full[1:]
    assert c("XRANGE", "s", "-", "(2-0") == full[:2]
    assert c("XRANGE", "s", "1", "1") == full[:2]
    assert c("XRANGE", "s", "2", "+") == full[2:]
    assert c("XRANGE", "s", "-", "+", "COUNT", "1") == full[:1]
    assert c("XRANGE", "s", "-", "+", "COUNT", "0") is None
    assert c("XRANGE", "s", "-", "+", "COUNT", "-5") is None
    assert c("XREVRANGE", "s", "+", "-", "COUNT", "2") == full[::-1][:2]
    assert c("XREVRANGE", "s", "(2-0", "(1-1") == [full[1]]
    assert c("XRANGE", "s", "-", "+", "COUNT") == SYNTAX
    assert c("XRANGE", "s", "-", "+", "FOO", "1") == SYNTAX
    assert c("XRANGE", "s", "x", "+") == BADID
    assert c("XRANGE", "s", "(-", "+") == BADID
    assert c("XRANGE", "s", "(0-0", "(+") == BADID
    assert c("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+") == \
        err("ERR invalid start ID for the interval")
    assert c("XRANGE", "s", "-", "(0-0") == err("ERR invalid end ID for the interval")
    assert c("XRANGE", "nokey", "-", "+") == []
    assert c("XRANGE", "s", "3", "1") == []


def test_xdel_and_first_entry(c):
    add_n(c, "s", 4)
    assert c("XDEL", "s", "1-1", "3-1", "9-9") == 2
    assert c("XDEL", "s", "1-1") == 0
    assert c("XDEL", "s", "bad") == BADID
    assert c("XDEL", "nokey", "bad") == 0
    info = as_map(c("XINFO", "STREAM", "s"))
    assert info[b"length"] == 2
    assert info[b"max-deleted-entry-id"] == b"3-1"
    assert info[b"recorded-first-entry-id"] == b"2-1"
    assert info[b"first-entry"] == [b"2-1", [b"f", b"v2"]]
    assert info[b"last-entry"] == [b"4-1", [b"f", b"v4"]]
    assert c("XDEL", "s", "2-1", "4-1") == 2
    info = as_map(c("XINFO", "STREAM", "s"))
    assert info[b"length"] == 0 and info[b"first-entry"] is None and info[b"last-entry"] is None
    assert info[b"recorded-first-entry-id"] == b"0-0"
    assert info[b"radix-tree-keys"] == 0 and info[b"radix-tree-nodes"] == 1
    assert c("EXISTS", "s") == 1   # an empty stream stays


def test_xtrim(c):
    c("CONFIG", "SET", "stream-node-max-entries", "3")
    add_n(c, "s", 10)
    assert c("XTRIM", "s") == err("ERR wrong number of arguments for 'xtrim' command")
    assert c("XTRIM", "s", "FOO", "1") == SYNTAX
    assert c("XTRIM", "s", "MAXLEN", "1", "junk") == SYNTAX
    assert c("XTRIM", "nokey", "MAXLEN", "1") == 0
    # '~' only drops whole nodes: 10 entries in nodes of 3,3,3,1
    assert c("XTRIM", "s", "MAXLEN", "~", "8") == 0
    assert c("XTRIM", "s", "MAXLEN", "~", "5") == 3
    assert c("XLEN", "s") == 7
    assert c("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "2") == 0
    assert c("XTRIM", "s", "MAXLEN", "5") == 2
    assert c("XRANGE", "s", "-", "-") == []
    assert c("XRANGE", "s", "-", "+", "COUNT", "1")[0][0] == b"6-1"
    assert c("XTRIM", "s", "MINID", "8-1") == 2
    assert [e[0] for e in c("XRANGE", "s", "-", "+")] == [b"8-1", b"9-1", b"10-1"]
    info = as_map(c("XINFO", "STREAM", "s"))
    assert info[b"radix-tree-keys"] == 2
    assert info[b"radix-tree-nodes"] == 6   # as redis 7.0 reports after these removals
    assert info[b"recorded-first-entry-id"] == b"8-1"
    assert info[b"entries-added"] == 10


def test_xinfo_stream_layout(c):
    c("XADD", "s", "1-1", "a", "1")
    c("XADD", "s", "1-2", "b", "1")
    c("XADD", "s", "1-3", "a", "1", "c", "2")
    assert c("XINFO", "STREAM", "s") == [
        b"length", 3, b"radix-tree-keys", 1, b"radix-tree-nodes", 2, b"last-generated-id", b"1-3",
        b"max-deleted-entry-id", b"0-0", b"entries-added", 3, b"recorded-first-entry-id", b"1-1",
        b"groups", 0, b"first-entry", [b"1-1", [b"a", b"1"]], b"last-entry", [b"1-3", [b"a", b"1", b"c", b"2"]]]
    full = c("XINFO", "STREAM", "s", "FULL", "COUNT", "2")
    assert full[:14] == [b"length", 3, b"radix-tree-keys", 1, b"radix-tree-nodes", 2, b"last-generated-id",
                         b"1-3", b"max-deleted-entry-id", b"0-0", b"entries-added", 3,
                         b"recorded-first-entry-id", b"1-1"]
    assert full[14:] == [b"entries", [[b"1-1", [b"a", b"1"]], [b"1-2", [b"b", b"1"]]], b"groups", []]
    assert c("XINFO", "STREAM", "s", "FOO") == err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.")
    assert c("XINFO", "STREAM", "nokey") == err("ERR no such key")
    assert c("XINFO", "GROUPS", "s") == []
    assert c("XINFO", "FOO", "s") == err("ERR unknown subcommand 'FOO'. Try XINFO HELP.")


# ----------------------------------------------------------- node bytes

def _read_len(b, i):
    t = b[i] >> 6
    if t == 0:
        return b[i] & 0x3F, i + 1
    if t == 1:
        return ((b[i] & 0x3F) << 8) | b[i + 1], i + 2
    if b[i] == 0x80:
        return struct.unpack(">I", b[i + 1:i + 5])[0], i + 5
    assert b[i] == 0x81
    return struct.unpack(">Q", b[i + 1:i + 9])[0], i + 9


def _body(payload):
    """A DUMP payload without type byte, RDB version and CRC."""
    return payload[1:-10]


def _fill_same(c):
    c("CONFIG", "SET", "stream-node-max-entries", "4")
    c("XADD", "s", "1-1", "name", "alice", "age", "31")
    c("XADD", "s", "1-2", "name", "bob", "age", "42")           # same fields: SAMEFIELDS
    c("XADD", "s", "5-0", "other", "12345678901234", "x", "-7")  # different fields
    c("XADD", "s", "5-9", "name", "carol", "age", "1.5")
    c("XADD", "s", "70000-3", "name", "dave", "age", "0")        # new node
    c("XADD", "s", "70000-4", "k", "v" * 100)
    c("XDEL", "s", "1-2", "70000-3")
    c("XTRIM", "s", "MAXLEN", "4")
    c("XSETID", "s", "80000-0")


def test_node_bytes_match_reference(c, start_server):
    """Without groups, RDB types 19 (redis 7.0) and 21 (ours) store the same
    bytes: nodes (16-byte big-endian master IDs, listpacks) and metadata."""
    if not os.path.exists(REF_SERVER):
        pytest.skip("no reference server")
    ref = start_server(binary=REF_SERVER)
    rc = Conn(ref.port)
    for conn in (c, rc):
        _fill_same(conn)
    ours, theirs = c("DUMP", "s"), rc("DUMP", "s")
    assert ours[0] == 21 and theirs[0] == 19
    assert _body(ours) == _body(theirs)
    # The first node's key is the first entry's ID, big-endian ms then seq.
    body = _body(ours)
    n, i = _read_len(body, 0)
    assert n == 2
    klen, i = _read_len(body, i)
    assert klen == 16 and body[i:i + 16] == struct.pack(">QQ", 1, 1)
    rc.close()


def test_restore_reference_dump(c, start_server):
    if not os.path.exists(REF_SERVER):
        pytest.skip("no reference server")
    ref = start_server(binary=REF_SERVER)
    rc = Conn(ref.port)
    _fill_same(rc)
    rc("XGROUP", "CREATE", "s", "g", "0")
    rc("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    assert c("RESTORE", "s", "0", rc("DUMP", "s")) == "OK"
    assert c("XRANGE", "s", "-", "+") == rc("XRANGE", "s", "-", "+")
    assert c("XINFO", "STREAM", "s") == rc("XINFO", "STREAM", "s")
    assert c("XINFO", "GROUPS", "s") == rc("XINFO", "GROUPS", "s")
    assert c("XPENDING", "s", "g") == rc("XPENDING", "s", "g")
    rc.close()


def test_dump_restore_and_reload_round_trip(c):
    c("CONFIG", "SET", "stream-node-max-entries", "3")
    for i in range(1, 11):
        c("XADD", "s", "%d-1" % i, "f", "v%d" % i, "n", str(i * 1000))
    c("XDEL", "s", "2-1", "5-1")
    c("XGROUP", "CREATE", "s", "g", "0")
    c("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3")
    c("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    c("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">")
    c("XGROUP", "CREATECONSUMER", "s", "g", "carol")   # active-time -1
    c("XGROUP", "SETID", "s", "g2", "3-1")              # entries_read -1 is saved too
    digest = c("DEBUG", "DIGEST-VALUE", "s")
    full = c("XINFO", "STREAM", "s", "FULL")
    payload = c("DUMP", "s")
    assert payload[0] == 21
    assert c("RESTORE", "s2", "0", payload) == "OK"
    assert c("DEBUG", "DIGEST-VALUE", "s2") == digest
    assert c("XINFO", "STREAM", "s2", "FULL") == full
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("DEBUG", "DIGEST-VALUE", "s") == digest
    assert c("XINFO", "STREAM", "s", "FULL") == full
    assert c("COPY", "s", "s3") == 1
    assert c("XINFO", "STREAM", "s3", "FULL") == full
    bad = bytearray(payload)
    bad[-12] ^= 0xFF
    assert c("RESTORE", "bad", "0", bytes(bad)) == err("ERR DUMP payload version or checksum are wrong")


# ------------------------------------------------------------ consumer groups

def test_xgroup_subcommands(c):
    assert c("XGROUP", "CREATE", "s", "g", "$") == err(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
        "MKSTREAM option to create an empty stream automatically.")
    assert c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == "OK"
    assert c("XGROUP", "CREATE", "s", "g", "$") == err("BUSYGROUP Consumer Group name already exists")
    assert c("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-5") == \
        err("ERR value for ENTRIESREAD must be positive or -1")
    assert c("XGROUP", "CREATE", "s", "g2", "0", "FOO") == err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")
    assert c("XGROUP", "CREATE", "s", "g2", "x") == BADID
    assert c("XGROUP", "SETID", "s", "nog", "0") == err("NOGROUP No such consumer group 'nog' for key name 's'")
    assert c("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "2") == "OK"
    assert c("XGROUP", "CREATECONSUMER", "s", "g", "c1") == 1
    assert c("XGROUP", "CREATECONSUMER", "s", "g", "c1") == 0
    assert c("XGROUP", "DELCONSUMER", "s", "g", "c1") == 0
    assert c("XGROUP", "DELCONSUMER", "s", "g", "nobody") == 0
    assert c("XGROUP", "DESTROY", "s", "g") == 1
    assert c("XGROUP", "DESTROY", "s", "g") == 0
    assert c("XGROUP", "DESTROY", "nokey", "g") == err(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
        "MKSTREAM option to create an empty stream automatically.")
    assert c("XGROUP", "CREATE", "s") == err("ERR wrong number of arguments for 'xgroup|create' command")
    assert c("XGROUP", "FOO") == err("ERR unknown subcommand 'FOO'. Try XGROUP HELP.")
    c("SET", "str", "v")
    assert c("XGROUP", "CREATE", "str", "g", "$") == WRONGTYPE


def test_xreadgroup_pending_ack(c):
    c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert c("XINFO", "GROUPS", "s") == [[b"name", b"g", b"consumers", 0, b"pending", 0, b"last-delivered-id",
                                          b"0-0", b"entries-read", None, b"lag", 0]]
    add_n(c, "s", 3)
    assert c("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">") == \
        [[b"s", [[b"1-1", [b"f", b"v1"]], [b"2-1", [b"f", b"v2"]]]]]
    assert c("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">") == [[b"s", [[b"3-1", [b"f", b"v3"]]]]]
    assert c("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">") is None
    assert c("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0") == \
        [[b"s", [[b"1-1", [b"f", b"v1"]], [b"2-1", [b"f", b"v2"]]]]]
    assert c("XINFO", "GROUPS", "s") == [[b"name", b"g", b"consumers", 2, b"pending", 3, b"last-delivered-id",
                                          b"3-1", b"entries-read", 3, b"lag", 0]]
    assert c("XPENDING", "s", "g") == [3, b"1-1", b"3-1", [[b"c1", b"2"], [b"c2", b"1"]]]
    ext = c("XPENDING", "s", "g", "-", "+", "10")
    assert [(e[0], e[1], e[3]) for e in ext] == [(b"1-1", b"c1", 2), (b"2-1", b"c1", 2), (b"3-1", b"c2", 1)]
    assert [e[0] for e in c("XPENDING", "s", "g", "(1-1", "+", "10", "c1")] == [b"2-1"]
    assert c("XPENDING", "s", "g", "-", "+", "10", "nobody") == []
    assert c("XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10") == []
    assert c("XPENDING", "s", "g", "-", "+") == SYNTAX
    assert c("XPENDING", "s", "nog") == err("NOGROUP No such key 's' or consumer group 'nog'")
    assert c("XACK", "s", "g", "1-1", "9-9") == 1
    assert c("XACK", "s", "g", "bad") == BADID
    assert c("XACK", "s", "nog", "1-1") == 0
    assert c("XPENDING", "s", "g") == [2, b"2-1", b"3-1", [[b"c1", b"1"], [b"c2", b"1"]]]
    # history shows a deleted entry as a nil body
    c("XDEL", "s", "2-1")
    assert c("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0") == [[b"s", [[b"2-1", None]]]]
    # NOACK delivers without PEL entries
    c("XADD", "s", "4-1", "f", "v4")
    assert c("XREADGROUP", "GROUP", "g", "c3", "NOACK", "STREAMS", "s", ">") == [[b"s", [[b"4-1", [b"f", b"v4"]]]]]
    assert c("XPENDING", "s", "g")[0] == 2
    cons = c("XINFO", "CONSUMERS", "s", "g")
    assert [(x[1], x[3]) for x in cons] == [(b"c1", 1), (b"c2", 1), (b"c3", 0)]
    assert [x[4] for x in cons] == [b"idle"] * 3 and [x[6] for x in cons] == [b"inactive"] * 3
    assert c("XINFO", "CONSUMERS", "s", "nog") == err("NOGROUP No such consumer group 'nog' for key name 's'")
    assert c("XGROUP", "DELCONSUMER", "s", "g", "c1") == 1
    assert c("XPENDING", "s", "g") == [1, b"3-1", b"3-1", [[b"c2", b"1"]]]


def test_xreadgroup_errors(c):
    c("XADD", "s", "1-1", "a", "b")
    c("XGROUP", "CREATE", "s", "g", "0")
    assert c("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">") == \
        err("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
    assert c("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$") == err(
        "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer "
        "by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty "
        "result set.")
    assert c("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">") == err(
        "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.")
    assert c("XREAD", "STREAMS", "s", ">") == err(
        "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
    assert c("XREAD", "STREAMS", "s", "s", "0") == err(
        "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.")
    assert c("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0") == \
        err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
    assert c("XREAD", "NOACK", "STREAMS", "s", "0") == \
        err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
    assert c("XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">") == err("ERR Missing GROUP option for XREADGROUP")
    assert c("XREAD", "COUNT", "1", "BLOCK", "0") == SYNTAX
    assert c("XREAD", "BLOCK", "-1", "STREAMS", "s", "$") == err("ERR timeout is negative")
    assert c("XREAD", "BLOCK", "x", "STREAMS", "s", "$") == err("ERR timeout is not an integer or out of range")


def test_xread_non_blocking(c):
    add_n(c, "s", 3)
    assert c("XREAD", "COUNT", "1", "STREAMS", "s", "0") == [[b"s", [[b"1-1", [b"f", b"v1"]]]]]
    assert c("XREAD", "STREAMS", "s", "nokey", "2-1", "0") == [[b"s", [[b"3-1", [b"f", b"v3"]]]]]
    assert c("XREAD", "STREAMS", "s", "$") is None
    assert c("XREAD", "STREAMS", "nokey", "0") is None
    r3 = Conn(c.sock.getpeername()[1], resp=3)
    assert r3("XREAD", "STREAMS", "s", "2-1") == {b"s": [[b"3-1", [b"f", b"v3"]]]}
    assert r3("XREAD", "STREAMS", "s", "$") is None
    r3.close()


def test_xclaim_xautoclaim(c):
    add_n(c, "s", 5)
    c("XGROUP", "CREATE", "s", "g", "0")
    c("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">")
    assert c("XCLAIM", "s", "g", "c2", "0", "1-1", "2-1", "JUSTID") == [b"1-1", b"2-1"]
    assert c("XCLAIM", "s", "g", "c2", "0", "3-1") == [[b"3-1", [b"f", b"v3"]]]
    assert c("XCLAIM", "s", "g", "c2", "3600000", "4-1") == []
    assert c("XCLAIM", "s", "g", "c2", "0", "4-1", "IDLE", "5000", "RETRYCOUNT", "7", "JUSTID") == [b"4-1"]
    ext = {e[0]: e for e in c("XPENDING", "s", "g", "-", "+", "10")}
    assert ext[b"1-1"][3] == 1 and ext[b"3-1"][3] == 2 and ext[b"4-1"][3] == 7
    assert ext[b"4-1"][2] >= 5000
    assert c("XCLAIM", "s", "g", "c2", "0", "9-9", "FORCE") == []
    c("XADD", "s", "6-1", "f", "v6")
    assert c("XCLAIM", "s", "g", "c3", "0", "6-1", "FORCE", "JUSTID") == [b"6-1"]
    assert c("XCLAIM", "s", "g", "c2", "0", "1-1", "FOO") == err("ERR Unrecognized XCLAIM option 'FOO'")
    assert c("XCLAIM", "s", "g", "c2", "x", "1-1") == err("ERR Invalid min-idle-time argument for XCLAIM")
    assert c("XCLAIM", "s", "g", "c2", "0", "1-1", "IDLE", "x") == \
        err("ERR Invalid IDLE option argument for XCLAIM")
    assert c("XCLAIM", "s", "nog", "c2", "0", "1-1") == err("NOGROUP No such key 's' or consumer group 'nog'")
    # XAUTOCLAIM: cursor, claimed entries, deleted IDs
    c("XDEL", "s", "2-1")
    assert c("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "2") == \
        [b"3-1", [[b"1-1", [b"f", b"v1"]]], [b"2-1"]]
    assert c("XAUTOCLAIM", "s", "g", "c4", "0", "3-1", "JUSTID") == [b"0-0", [b"3-1", b"4-1", b"5-1", b"6-1"], []]
    assert c("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "0") == err("ERR COUNT must be > 0")
    assert c("XAUTOCLAIM", "s", "g", "c4", "0", "0", "FOO") == SYNTAX
    assert c("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "99999999999999999") == \
        err("ERR Insufficient memory, failed allocating transient memory, COUNT too high.")
    assert c("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "576460752303423488") == err("ERR COUNT must be > 0")
    assert c("XAUTOCLAIM", "s", "nog", "c4", "0", "0") == err("NOGROUP No such key 's' or consumer group 'nog'")
    assert c("XPENDING", "s", "g") == [5, b"1-1", b"6-1", [[b"c4", b"5"]]]


def test_xsetid(c):
    c("XADD", "s", "1-1", "a", "1")
    c("XADD", "s", "1-2", "a", "2")
    c("XDEL", "s", "1-2")
    # Valkey 8 checks the current max deleted ID first (redis 7.0 has no such check)
    assert c("XSETID", "s", "1-0") == err("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
    assert c("XSETID", "s", "1-1") == err("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
    assert c("XSETID", "s", "1-2") == "OK"
    assert c("XSETID", "s", "9-9", "ENTRIESADDED", "0") == \
        err("ERR The entries_added specified in XSETID is smaller than the target stream length")
    assert c("XSETID", "s", "9-9", "MAXDELETEDID", "10-0") == \
        err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
    assert c("XSETID", "s", "9-9", "ENTRIESADDED", "-1") == err("ERR entries_added must be positive")
    assert c("XSETID", "s", "9-9", "FOO") == SYNTAX
    assert c("XSETID", "nokey", "1-1") == err("ERR no such key")
    assert c("XSETID", "s", "9-9", "ENTRIESADDED", "10", "MAXDELETEDID", "1-9") == "OK"
    info = as_map(c("XINFO", "STREAM", "s"))
    assert (info[b"last-generated-id"], info[b"entries-added"], info[b"max-deleted-entry-id"]) == \
        (b"9-9", 10, b"1-9")
    assert c("XADD", "s", "9-9", "a", "b") == TOPITEM


# ------------------------------------------------------------------ blocking

def test_xread_block(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    b.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    time.sleep(0.1)
    assert a("XADD", "s", "1-1", "f", "v") == b"1-1"
    assert b.read() == [[b"s", [[b"1-1", [b"f", b"v"]]]]]
    # '$' means the last ID at block time, also after another XADD wakes it
    b.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    time.sleep(0.1)
    a("XADD", "s", "2-1", "f", "v2")
    assert b.read() == [[b"s", [[b"2-1", [b"f", b"v2"]]]]]
    t0 = time.time()
    assert b("XREAD", "BLOCK", "100", "STREAMS", "s", "$") is None
    assert time.time() - t0 >= 0.09
    b.send("XREAD", "BLOCK", "0", "STREAMS", "k1", "k2", "$", "$")
    time.sleep(0.1)
    a("XADD", "k2", "5-5", "a", "b")
    assert b.read() == [[b"k2", [[b"5-5", [b"a", b"b"]]]]]
    assert a("MULTI") == "OK"
    assert a("XREAD", "BLOCK", "0", "STREAMS", "k1", "$") == "QUEUED"
    assert a("EXEC") == [None]


def test_xreadgroup_block(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    a("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    b.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    time.sleep(0.1)
    a("XADD", "s", "3-1", "f", "v3")
    assert b.read() == [[b"s", [[b"3-1", [b"f", b"v3"]]]]]
    assert a("XPENDING", "s", "g") == [1, b"3-1", b"3-1", [[b"c", b"1"]]]
    b.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    time.sleep(0.1)
    assert a("DEL", "s") == 1
    assert b.read() == err("UNBLOCKED the stream key no longer exists")
    a("XGROUP", "CREATE", "s2", "g", "$", "MKSTREAM")
    b.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s2", ">")
    time.sleep(0.1)
    assert a("XGROUP", "DESTROY", "s2", "g") == 1
    assert b.read() == err("NOGROUP the consumer group this client was blocked on no longer exists")
    assert b("XREADGROUP", "GROUP", "nog", "c", "BLOCK", "10", "STREAMS", "s2", ">") == \
        err("NOGROUP No such key 's2' or consumer group 'nog' in XREADGROUP with GROUP option")


# --------------------------------------------------------------- replication

def test_replica_converges(start_server):
    primary = start_server(config={"stream-node-max-entries": "5"})
    replica = start_server(config={"stream-node-max-entries": "5",
                                   "replicaof": "127.0.0.1 %d" % primary.port})
    p, r = Conn(primary.port), Conn(replica.port)
    assert wait_for(lambda: b"master_link_status:up" in r("INFO", "replication"), timeout=30)
    for i in range(30):
        p("XADD", "s", "*", "i", str(i))
    p("XADD", "s", "MAXLEN", "~", "12", "*", "x", "y")
    p("XGROUP", "CREATE", "s", "g", "0")
    p("XREADGROUP", "GROUP", "g", "c1", "COUNT", "5", "STREAMS", "s", ">")
    p("XREADGROUP", "GROUP", "g", "c2", "NOACK", "COUNT", "3", "STREAMS", "s", ">")
    ids = [e[0] for e in p("XRANGE", "s", "-", "+")]
    p("XDEL", "s", ids[1])
    p("XCLAIM", "s", "g", "c3", "0", ids[0], ids[1])
    p("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "2")
    p("XACK", "s", "g", ids[2])
    p("XTRIM", "s", "MAXLEN", "~", "3")
    p("XGROUP", "DELCONSUMER", "s", "g", "c2")

    def full(conn):
        # A replica stamps consumers with its own clock when it applies the
        # effects (as Valkey's do); everything else must be identical.
        info = conn("XINFO", "STREAM", "s", "FULL")
        if not isinstance(info, list):
            return info
        for group in info[info.index(b"groups") + 1]:
            for consumer in group[group.index(b"consumers") + 1]:
                for k in (b"seen-time", b"active-time"):
                    consumer[consumer.index(k) + 1] = None
        return info

    def same():
        return full(p) == full(r)
    assert wait_for(same, timeout=10), "\n%r\n%r" % (full(p), full(r))
    assert p("DEBUG", "DIGEST") == r("DEBUG", "DIGEST")


def test_random_ops_match_reference_bytes(c, start_server):
    """Random XADD/XDEL/XTRIM on small nodes: after every step the DUMP body
    (nodes and metadata) and XINFO STREAM equal the reference server's."""
    if not os.path.exists(REF_SERVER):
        pytest.skip("no reference server")
    import random
    rnd = random.Random(7)
    ref = start_server(binary=REF_SERVER)
    rc = Conn(ref.port)
    conns = (c, rc)
    for conn in conns:
        conn("CONFIG", "SET", "stream-node-max-entries", "4")
        conn("CONFIG", "SET", "stream-node-max-bytes", "120")
    ms = 1
    fieldsets = [["a", "b"], ["a", "b", "c"], ["x"], ["a", "b"]]
    for step in range(400):
        op = rnd.random()
        if op < 0.6:
            ms += rnd.choice([0, 1, 1000, 70000])
            fs = rnd.choice(fieldsets)
            args = []
            for f in fs:
                args += [f, rnd.choice(["1", "-5", "hello", "x" * rnd.randint(0, 40), "123456789012"])]
            idarg = "%d-*" % ms
            trim = []
            if rnd.random() < 0.15:
                trim = ["MAXLEN", rnd.choice(["~", "="]), str(rnd.randint(0, 12))]
            cmd = ["XADD", "s"] + trim + [idarg] + args
        elif op < 0.8:
            ids = [e[0] for e in c("XRANGE", "s", "-", "+")]
            if not ids:
                continue
            cmd = ["XDEL", "s"] + rnd.sample(ids, min(len(ids), rnd.randint(1, 3)))
        else:
            ids = [e[0] for e in c("XRANGE", "s", "-", "+")]
            if ids and rnd.random() < 0.5:
                cmd = ["XTRIM", "s", "MINID", rnd.choice(["~", "="]), rnd.choice(ids)]
            else:
                cmd = ["XTRIM", "s", "MAXLEN", rnd.choice(["~", "="]), str(rnd.randint(0, 15))]
        ra, rb = c(*cmd), rc(*cmd)
        assert ra == rb, (step, cmd)
        if c("EXISTS", "s"):
            payload = c("DUMP", "s")
            assert _body(payload) == _body(rc("DUMP", "s")), (step, cmd)
            assert c("RESTORE", "copy", "0", payload, "REPLACE") == "OK", (step, cmd)
            assert c("XINFO", "STREAM", "s") == rc("XINFO", "STREAM", "s"), (step, cmd)
            assert c("XREVRANGE", "s", "+", "-", "COUNT", "5") == rc("XREVRANGE", "s", "+", "-", "COUNT", "5")
    rc.close()


def test_corrupt_restore_never_crashes(srv, c):
    """Byte flips in a stream DUMP body (with a valid footer) are either
    rejected or yield a stream every command can walk safely."""
    import random
    from rdbutil import forge_payload
    rnd = random.Random(3)
    c("CONFIG", "SET", "stream-node-max-entries", "3")
    for i in range(1, 8):
        c("XADD", "s", "%d-1" % i, "f", "v%d" % i, "g", str(i))
    c("XDEL", "s", "3-1")
    c("XGROUP", "CREATE", "s", "g", "0")
    c("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "s", ">")
    body = c("DUMP", "s")[:-10]
    for trial in range(300):
        mutated = bytearray(body)
        for _ in range(rnd.randint(1, 3)):
            pos = rnd.randrange(1, len(mutated))
            mutated[pos] = rnd.randrange(256)
        reply = c("RESTORE", "x", "0", forge_payload(bytes(mutated)), "REPLACE")
        if reply == "OK":
            c("XRANGE", "x", "-", "+")
            c("XREVRANGE", "x", "+", "-")
            c("XINFO", "STREAM", "x", "FULL")
            c("XPENDING", "x", "g", "-", "+", "10")
            c("XADD", "x", "*", "a", "b")
            c("XTRIM", "x", "MAXLEN", "2")
            c("DEBUG", "DIGEST-VALUE", "x")
    assert c("PING") == "PONG"
    assert srv.alive()


def test_random_group_ops_match_reference(c, start_server):
    """Random consumer-group traffic: every reply (idle times aside), XPENDING
    summaries, XINFO GROUPS (entries-read, lag) and per-consumer pending counts
    equal the reference server's. Valkey 8 creates a consumer on every
    XREADGROUP attempt (redis 7.0 only when it serves), so consumers are
    created up front on both."""
    if not os.path.exists(REF_SERVER):
        pytest.skip("no reference server")
    import random
    rnd = random.Random(11)
    ref = start_server(binary=REF_SERVER)
    rc = Conn(ref.port)
    for conn in (c, rc):
        conn("CONFIG", "SET", "stream-node-max-entries", "3")
    ms, cons, groups = 1, ["c1", "c2", "c3"], ["g1", "g2"]

    def ids():
        r = c("XRANGE", "s", "-", "+")
        return [e[0] for e in r] if isinstance(r, list) else []

    def consumers(conn):
        out = []
        for g in groups:
            r = conn("XINFO", "CONSUMERS", "s", g)
            out.append([[x[1], x[3]] for x in r] if isinstance(r, list) else r)
        return out

    for step in range(400):
        op, all_ids = rnd.random(), ids()
        if op < 0.3:
            ms += rnd.choice([0, 1, 5])
            cmd = ["XADD", "s", "%d-*" % ms, "f", str(step)]
        elif op < 0.35:
            cmd = ["XGROUP", "CREATE", "s", rnd.choice(groups), rnd.choice(["0", "$"] + all_ids[:2]), "MKSTREAM"]
        elif op < 0.5:
            cmd = ["XREADGROUP", "GROUP", rnd.choice(groups), rnd.choice(cons), "COUNT", str(rnd.randint(1, 3))]
            cmd += (["NOACK"] if rnd.random() < 0.2 else []) + ["STREAMS", "s", rnd.choice([">", ">", "0"])]
            for conn in (c, rc):
                conn("XGROUP", "CREATECONSUMER", "s", cmd[2], cmd[3])
        elif op < 0.6 and all_ids:
            cmd = ["XACK", "s", rnd.choice(groups)] + rnd.sample(all_ids, min(2, len(all_ids)))
        elif op < 0.68 and all_ids:
            cmd = ["XCLAIM", "s", rnd.choice(groups), rnd.choice(cons), "0"]
            cmd += rnd.sample(all_ids, min(2, len(all_ids))) + ["JUSTID"]
        elif op < 0.75:
            cmd = ["XAUTOCLAIM", "s", rnd.choice(groups), rnd.choice(cons), "0", rnd.choice(["0"] + all_ids[:3]),
                   "COUNT", str(rnd.randint(1, 3)), "JUSTID"]
        elif op < 0.82 and all_ids:
            cmd = ["XDEL", "s", rnd.choice(all_ids)]
        elif op < 0.86:
            cmd = ["XTRIM", "s", "MAXLEN", rnd.choice(["~", "="]), str(rnd.randint(0, 8))]
        elif op < 0.9:
            cmd = ["XGROUP", "DELCONSUMER", "s", rnd.choice(groups), rnd.choice(cons)]
        elif op < 0.93:
            cmd = ["XGROUP", "SETID", "s", rnd.choice(groups), rnd.choice(["0", "$"] + all_ids[:3])]
        elif op < 0.95:
            cmd = ["XGROUP", "DESTROY", "s", rnd.choice(groups)]
        else:
            cmd = ["XPENDING", "s", rnd.choice(groups), "-", "+", "20"]
        ra, rb = c(*cmd), rc(*cmd)
        if cmd[0] == "XPENDING" and isinstance(ra, list):
            ra, rb = [[x[0], x[1], x[3]] for x in ra], [[x[0], x[1], x[3]] for x in rb]
        assert ra == rb, (step, cmd)
        for g in groups:
            assert c("XPENDING", "s", g) == rc("XPENDING", "s", g), (step, cmd)
        assert c("XINFO", "GROUPS", "s") == rc("XINFO", "GROUPS", "s"), (step, cmd)
        assert consumers(c) == consumers(rc), (step, cmd)
    rc.close()


def test_keyspace_events(srv, c):
    """Event names and order, as redis 7.0 emits them for the same commands."""
    c("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub = Conn(srv.port)
    sub("PSUBSCRIBE", "__keyevent@0__:*")
    sub("SUBSCRIBE", "end")
    cmds = [["XADD", "s", "1-1", "a", "b"], ["XADD", "s", "MAXLEN", "1", "2-1", "a", "b"], ["XDEL", "s", "2-1"],
            ["XDEL", "s", "9-9"], ["XTRIM", "s", "MAXLEN", "0"], ["XADD", "s", "3-1", "a", "b"],
            ["XGROUP", "CREATE", "s", "g", "0"], ["XGROUP", "CREATECONSUMER", "s", "g", "c"],
            ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"], ["XGROUP", "SETID", "s", "g", "0"],
            ["XGROUP", "DELCONSUMER", "s", "g", "c"], ["XCLAIM", "s", "g", "c3", "0", "3-1"],
            ["XAUTOCLAIM", "s", "g", "c4", "0", "0"], ["XSETID", "s", "5-5"], ["XGROUP", "DESTROY", "s", "g"],
            ["XGROUP", "CREATE", "s2", "g", "$", "MKSTREAM"], ["DEL", "s", "s2"]]
    for cmd in cmds:
        c(*cmd)
    c("PUBLISH", "end", "x")
    events = []
    while True:
        m = sub.read()
        if m[0] == b"message":
            break
        events.append((m[3], m[2].split(b":")[-1]))
    assert events == [(b"s", b"xadd"), (b"s", b"xadd"), (b"s", b"xtrim"), (b"s", b"xdel"), (b"s", b"xadd"),
                      (b"s", b"xgroup-create"), (b"s", b"xgroup-createconsumer"), (b"s", b"xgroup-createconsumer"),
                      (b"s", b"xgroup-setid"), (b"s", b"xgroup-delconsumer"), (b"s", b"xgroup-createconsumer"),
                      (b"s", b"xgroup-createconsumer"), (b"s", b"xsetid"), (b"s", b"xgroup-destroy"),
                      (b"s2", b"xgroup-create"), (b"s", b"del"), (b"s2", b"del")]
    sub.close()


def test_node_with_only_deleted_entries(c, start_server):
    """Exact MINID trimming can leave a node whose entries are all deleted;
    it must survive DUMP/RESTORE and DEBUG RELOAD, byte-identical to redis."""
    c("CONFIG", "SET", "stream-node-max-entries", "3")
    add_n(c, "s", 4)
    assert c("XDEL", "s", "3-1") == 1
    assert c("XTRIM", "s", "MINID", "=", "3-1") == 2
    assert c("XLEN", "s") == 1
    info = as_map(c("XINFO", "STREAM", "s"))
    assert info[b"radix-tree-keys"] == 2 and info[b"recorded-first-entry-id"] == b"4-1"
    payload = c("DUMP", "s")
    assert c("RESTORE", "s2", "0", payload) == "OK"
    assert c("DEBUG", "RELOAD") == "OK"
    assert c("XRANGE", "s", "-", "+") == [[b"4-1", [b"f", b"v4"]]]
    assert c("XADD", "s", "5-1", "f", "v5") == b"5-1"
    if os.path.exists(REF_SERVER):
        ref = start_server(binary=REF_SERVER)
        rc = Conn(ref.port)
        rc("CONFIG", "SET", "stream-node-max-entries", "3")
        add_n(rc, "s", 4)
        rc("XDEL", "s", "3-1")
        rc("XTRIM", "s", "MINID", "=", "3-1")
        assert _body(payload) == _body(rc("DUMP", "s"))
        rc.close()


def test_memory_usage_counts_nodes(c):
    c("XADD", "small", "1-1", "a", "b")
    small = c("MEMORY", "USAGE", "small")
    for i in range(1, 2001):
        c("XADD", "big", "%d-1" % i, "field", "x" * 50)
    big = c("MEMORY", "USAGE", "big")
    assert small > 100
    assert big > 2000 * 50
    assert c("MEMORY", "USAGE", "big", "SAMPLES", "0") > 2000 * 50


def test_stream_command_fuzz(srv, c):
    """Random X* commands over random words, IDs and numbers: any reply is
    fine, the server must stay up (run it under SANITIZE=address)."""
    import random
    rnd = random.Random(int(os.environ.get("FUZZ_SEED", "5")))
    cmds = ["XADD", "XRANGE", "XREVRANGE", "XLEN", "XDEL", "XTRIM", "XREAD", "XREADGROUP", "XACK", "XPENDING",
            "XCLAIM", "XAUTOCLAIM", "XSETID", "XGROUP CREATE", "XGROUP SETID", "XGROUP DESTROY",
            "XGROUP CREATECONSUMER", "XGROUP DELCONSUMER", "XINFO STREAM", "XINFO GROUPS", "XINFO CONSUMERS"]
    words = ["*", "-", "+", "$", ">", "(", "(1-1", "0", "0-0", "1-1", "2-*", "18446744073709551615-18446744073709551615",
             "MAXLEN", "MINID", "~", "=", "LIMIT", "NOMKSTREAM", "COUNT", "BLOCK", "STREAMS", "GROUP", "NOACK", "IDLE",
             "TIME", "RETRYCOUNT", "FORCE", "JUSTID", "LASTID", "MKSTREAM", "ENTRIESREAD", "ENTRIESADDED",
             "MAXDELETEDID", "FULL", "g", "c", "s", "t", "-1", "5", "100", "9223372036854775807", "x" * 300, ""]
    c("CONFIG", "SET", "stream-node-max-entries", "4")
    for i in range(1, 30):
        c("XADD", "s", "%d-1" % i, "f", str(i))
    c("XGROUP", "CREATE", "s", "g", "0")
    c("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", ">")
    for _ in range(int(os.environ.get("FUZZ_ROUNDS", "3000"))):
        name = rnd.choice(cmds).split()
        args = name + [rnd.choice(["s", "t"])] + [rnd.choice(words) for _ in range(rnd.randint(0, 8))]
        if name[0] in ("XREAD", "XREADGROUP"):
            args = [a for a in args if a != "BLOCK"]
        c(*args)
        if rnd.random() < 0.02:
            c("XADD", "s", "*", "a", "b")
        if rnd.random() < 0.01:
            payload = c("DUMP", "s")
            if payload:
                assert c("RESTORE", "s", "0", payload, "REPLACE") == "OK"
    assert c("PING") == "PONG"
    assert srv.alive()


class _Body:
    """Walks a stream DUMP body (RDB types 19/21, rdbcompression off)."""

    def __init__(self, data):
        self.b, self.i = data, 0

    def length(self):
        v, self.i = _read_len(self.b, self.i)
        return v

    def string(self):
        n = self.length()
        s = self.b[self.i:self.i + n]
        self.i += n
        return s

    def raw(self, n):
        s = self.b[self.i:self.i + n]
        self.i += n
        return s


def _parse_stream_body(data, rdbtype):
    """The body as nested tuples; consumers' seen/active times are dropped
    (they are wall-clock), everything else is kept byte for byte."""
    p = _Body(data)
    nodes = [(p.string(), p.string()) for _ in range(p.length())]
    meta = [p.length() for _ in range(1 + 2 + 2 + 2 + 1)]
    groups = []
    for _ in range(p.length()):
        name, last = p.string(), (p.length(), p.length())
        entries_read = p.length()
        pel = [(p.raw(16), p.raw(8), p.length()) for _ in range(p.length())]
        consumers = []
        for _ in range(p.length()):
            cname = p.string()
            p.raw(8)                       # seen-time
            if rdbtype == 21:
                p.raw(8)                   # active-time
            consumers.append((cname, [p.raw(16) for _ in range(p.length())]))
        groups.append((name, last, entries_read, pel, consumers))
    assert p.i == len(data)
    return nodes, meta, groups


def test_group_serialization_matches_reference(c, start_server):
    """With groups, type 21 is type 19 plus each consumer's active-time: the
    rest (group order, last IDs, entries_read, PEL with delivery time and
    count, consumer PELs) must be the same bytes as redis 7.0 writes."""
    if not os.path.exists(REF_SERVER):
        pytest.skip("no reference server")
    ref = start_server(binary=REF_SERVER)
    rc = Conn(ref.port)
    for conn in (c, rc):
        conn("CONFIG", "SET", "rdbcompression", "no")
        add_n(conn, "s", 6)
        conn("XGROUP", "CREATE", "s", "zeta", "0")
        conn("XGROUP", "CREATE", "s", "alpha", "$", "ENTRIESREAD", "4")
        conn("XGROUP", "CREATE", "s", "mid", "2-1")
        for cons, ids in (("bob", ["1-1", "3-1"]), ("al", ["2-1", "5-1"]), ("carl", ["4-1"])):
            conn("XCLAIM", "s", "zeta", cons, "0", *ids, "TIME", "1700000000123", "RETRYCOUNT", "3", "FORCE",
                 "JUSTID")
        conn("XGROUP", "CREATECONSUMER", "s", "mid", "idle-one")
        conn("XCLAIM", "s", "mid", "x", "0", "6-1", "TIME", "1600000000000", "RETRYCOUNT", "9", "FORCE", "JUSTID",
             "LASTID", "6-1")
    ours, theirs = c("DUMP", "s"), rc("DUMP", "s")
    assert (ours[0], theirs[0]) == (21, 19)
    assert _parse_stream_body(_body(ours), 21) == _parse_stream_body(_body(theirs), 19)
    rc.close()
