"""HyperLogLog: PFADD/PFCOUNT/PFMERGE/PFDEBUG replies and errors, and byte-for-byte
equality of the stored HLL strings with the reference server (sparse edits,
VAL merging, sparse->dense promotion, merges, cached cardinality)."""
import os
import random

import pytest

from kvutil import Conn, err

REFERENCE = "/usr/bin/redis-server"
WRONGTYPE_HLL = err("WRONGTYPE Key is not a valid HyperLogLog string value.")
INVALID = err("INVALIDOBJ Corrupted HLL object detected")


@pytest.fixture
def c(server):
    return Conn(server.port)


@pytest.fixture
def ref(start_server):
    if not os.path.exists(REFERENCE):
        pytest.skip("no reference server")
    return start_server(binary=REFERENCE, config={"enable-debug-command": "yes"})


def test_empty_hll_layout(c):
    assert c("PFADD", "h") == 1
    assert c("GET", "h") == b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80\x7f\xff"
    assert c("PFADD", "h") == 0
    assert c("PFCOUNT", "h") == 0
    assert c("PFDEBUG", "ENCODING", "h") == "sparse"
    assert c("PFDEBUG", "DECODE", "h") == b"Z:16384"


def test_basic_counts(c):
    assert c("PFADD", "h", "a", "b", "c") == 1
    assert c("PFADD", "h", "a") == 0
    assert c("PFCOUNT", "h") == 3
    assert c("PFCOUNT", "nokey") == 0
    assert c("PFADD", "h2", "c", "d") == 1
    assert c("PFCOUNT", "h", "h2", "nokey") == 4
    assert c("PFMERGE", "dst", "h", "h2") == "OK"
    assert c("PFCOUNT", "dst") == 4
    assert c("PFMERGE", "empty") == "OK"
    assert c("PFCOUNT", "empty") == 0


def test_errors(c):
    c("SET", "s", "hello world this is not an hll")
    c("SET", "i", "12345")
    c("LPUSH", "l", "x")
    assert c("PFADD", "s", "a") == WRONGTYPE_HLL
    assert c("PFADD", "i", "a") == WRONGTYPE_HLL
    assert c("PFCOUNT", "s") == WRONGTYPE_HLL
    assert c("PFCOUNT", "l") == err("WRONGTYPE Operation against a key holding the wrong kind of value")
    assert c("PFMERGE", "d", "s") == WRONGTYPE_HLL
    assert c("PFADD") == err("ERR wrong number of arguments for 'pfadd' command")
    assert c("PFDEBUG", "ENCODING", "nokey") == err("ERR The specified key does not exist")
    c("PFADD", "h", "x")
    assert c("PFDEBUG", "FOO", "h") == err("ERR Unknown PFDEBUG subcommand 'FOO'")
    # A dense header with the wrong length is not an HLL.
    c("SET", "bad", b"HYLL\x00\x00\x00\x00" + b"\x00" * 20)
    assert c("PFCOUNT", "bad") == WRONGTYPE_HLL


def test_corrupted_sparse(c):
    # Sparse opcodes that cover fewer than 16384 registers.
    c("SET", "h", b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80" + b"\x7f\x00")
    assert c("PFCOUNT", "h") == INVALID
    # An element landing in the covered range is accepted (as the reference does);
    # counting still detects the corruption.
    assert c("PFADD", "h", "zzz") == 1
    assert c("PFCOUNT", "h") == INVALID
    assert c("PFMERGE", "d", "h") == INVALID


def test_selftest_and_todense(c):
    assert c("PFSELFTEST") == "OK"
    c("PFADD", "h", "a", "b")
    assert c("PFDEBUG", "TODENSE", "h") == 1
    assert c("PFDEBUG", "TODENSE", "h") == 0
    assert c("PFDEBUG", "ENCODING", "h") == "dense"
    assert c("STRLEN", "h") == 12304
    regs = c("PFDEBUG", "GETREG", "h")
    assert len(regs) == 16384 and sum(1 for r in regs if r) == 2
    assert c("PFCOUNT", "h") == 2


def test_cache_bytes(c):
    c("PFADD", "h", "a", "b", "c")
    v = c("GET", "h")
    assert v[15] & 0x80  # stale after an add
    assert c("PFCOUNT", "h") == 3
    v = c("GET", "h")
    assert v[8:16] == (3).to_bytes(8, "little")


def _same(ours, theirs, *cmd):
    a, b = ours(*cmd), theirs(*cmd)
    assert a == b, (cmd, a, b)
    return a


def test_matches_reference_sequences(c, ref):
    r = Conn(ref.port)
    rnd = random.Random(7)
    # Small sets stay sparse; the big one crosses hll-sparse-max-bytes.
    for key, n in (("s1", 5), ("s2", 40), ("s3", 300), ("s4", 2000), ("s5", 20000)):
        for start in range(0, n, 97):
            batch = [b"e%d" % rnd.randrange(n * 2) for _ in range(min(97, n - start))]
            _same(c, r, "PFADD", key, *batch)
            _same(c, r, "GET", key)
        _same(c, r, "GET", key)
        _same(c, r, "PFCOUNT", key)
        _same(c, r, "GET", key)
        _same(c, r, "PFDEBUG", "ENCODING", key)
    _same(c, r, "PFDEBUG", "DECODE", "s2")
    _same(c, r, "PFCOUNT", "s1", "s2", "s3", "s4", "s5")
    _same(c, r, "PFMERGE", "m1", "s1", "s2", "s3")
    _same(c, r, "GET", "m1")
    _same(c, r, "PFMERGE", "m2", "s1", "s5")
    _same(c, r, "GET", "m2")
    _same(c, r, "PFMERGE", "s2", "s3")
    _same(c, r, "GET", "s2")
    _same(c, r, "PFCOUNT", "m2")


def test_matches_reference_small_max_bytes(c, ref):
    r = Conn(ref.port)
    for conn in (c, r):
        assert conn("CONFIG", "SET", "hll-sparse-max-bytes", "200") == "OK"
    for i in range(0, 400, 7):
        _same(c, r, "PFADD", "k", *[b"x%d" % j for j in range(i, i + 7)])
        _same(c, r, "GET", "k")
    _same(c, r, "PFDEBUG", "GETREG", "k")


def test_binary_and_integer_elements(c, ref):
    r = Conn(ref.port)
    elems = [b"", b"\x00", b"\xff" * 9, b"12345", b"-7", b"a" * 100, b"1.5"]
    for e in elems:
        _same(c, r, "PFADD", "b", e)
    _same(c, r, "GET", "b")
    _same(c, r, "PFCOUNT", "b")


def test_restore_from_reference(c, ref):
    r = Conn(ref.port)
    r("PFADD", "h", *[b"v%d" % i for i in range(5000)])
    payload = r("DUMP", "h")
    assert c("RESTORE", "h", "0", payload) == "OK"
    assert c("PFCOUNT", "h") == r("PFCOUNT", "h")
    assert c("PFADD", "h", "new") == r("PFADD", "h", "new")
    assert c("GET", "h") == r("GET", "h")


def test_survives_reload(c):
    c("PFADD", "sp", *[b"a%d" % i for i in range(50)])
    c("PFADD", "de", *[b"b%d" % i for i in range(5000)])
    before = (c("GET", "sp"), c("GET", "de"))
    assert c("DEBUG", "RELOAD") == "OK"
    assert (c("GET", "sp"), c("GET", "de")) == before
    assert c("PFDEBUG", "ENCODING", "de") == "dense"
    assert c("PFADD", "sp", "new-one") == 1
    assert c("PFCOUNT", "sp", "de") > 5000
