"""DUMP / RESTORE: payloads made by a real Valkey 8 restore here and our DUMP
reproduces them byte for byte; every option and error text; malformed
payloads are rejected without hurting the server."""
import random
import struct
import time

import pytest
import redis

from rdbutil import crc64, forge_payload, sample


def payloads():
    out = []
    for line in open(sample("valkey8-dump-payloads.txt")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        k, hexs = line.split()
        out.append((k.encode(), bytes.fromhex(hexs)))
    return out


EXPECTED = {
    b"str:int": ("string", b"12345"),
    b"str:embstr": ("string", b"hello"),
    b"list:small": ("list", [b"a", b"b", b"1", b"2", b"-100", b"3000000000"]),
    b"hash:small": ("hash", {b"f1": b"v1", b"f2": b"2", b"f3": b""}),
    b"set:intset": ("set", {b"1", b"2", b"3", b"-5", b"100000"}),
    b"set:listpack": ("set", {b"a", b"b", b"c", b"1"}),
    b"zset:small": ("zset", [(b"e", float("-inf")), (b"c", -3.0), (b"a", 1.0), (b"b", 2.5), (b"d", float("inf"))]),
}


def value(r, k):
    t = r.type(k).decode()
    if t == "string":
        return t, r.get(k)
    if t == "list":
        return t, r.lrange(k, 0, -1)
    if t == "hash":
        return t, r.hgetall(k)
    if t == "set":
        return t, r.smembers(k)
    if t == "zset":
        return t, r.zrange(k, 0, -1, withscores=True)
    return t, None


def err_of(fn, *a):
    with pytest.raises(redis.ResponseError) as e:
        fn(*a)
    return str(e.value)


@pytest.mark.parametrize("key,payload", payloads())
def test_restore_valkey8_payload_and_dump_matches(server, key, payload):
    r = server.client()
    assert r.execute_command("RESTORE", key, 0, payload) in (True, b"OK")
    assert value(r, key) == EXPECTED[key]
    assert r.execute_command("DUMP", key) == payload


def test_dump_missing_key(server):
    assert server.client().execute_command("DUMP", "nokey") is None


def test_restore_errors(server):
    r = server.client()
    k, p = payloads()[0]
    r.set(k, "x")
    assert err_of(r.execute_command, "RESTORE", k, 0, p) == "BUSYKEY Target key name already exists."
    assert r.execute_command("RESTORE", k, 0, p, "REPLACE") in (True, b"OK")
    assert r.get(k) == b"12345"
    assert err_of(r.execute_command, "RESTORE", "n", -1, p) == "Invalid TTL value, must be >= 0"
    assert err_of(r.execute_command, "RESTORE", "n", "abc", p) == "value is not an integer or out of range"
    bad = bytearray(p)
    bad[-1] ^= 1
    assert err_of(r.execute_command, "RESTORE", "n", 0, bytes(bad)) == "DUMP payload version or checksum are wrong"
    newer = forge_payload(p[:-10], version=12)
    assert err_of(r.execute_command, "RESTORE", "n", 0, newer) == "DUMP payload version or checksum are wrong"
    assert err_of(r.execute_command, "RESTORE", "n", 0, b"short") == "DUMP payload version or checksum are wrong"
    assert err_of(r.execute_command, "RESTORE", "n", 0, p, "FOO") == "syntax error"
    assert err_of(r.execute_command, "RESTORE", "n", 0, p, "IDLETIME", -1) == "Invalid IDLETIME value, must be >= 0"
    assert err_of(r.execute_command, "RESTORE", "n", 0, p, "FREQ", 256) == \
        "Invalid FREQ value, must be >= 0 and <= 255"
    assert err_of(r.execute_command, "RESTORE", "n", 0, p, "IDLETIME", 1, "FREQ", 1) == "syntax error"
    assert r.exists("n") == 0


def test_restore_ttl_and_absttl(server):
    r = server.client()
    k, p = payloads()[0]
    r.execute_command("RESTORE", "a", 5000, p)
    assert 3000 < r.pttl("a") <= 5000
    when = int(time.time() * 1000) + 100000
    r.execute_command("RESTORE", "b", when, p, "ABSTTL")
    assert r.pexpiretime("b") == when
    # An absolute time in the past: OK, but nothing is created.
    assert r.execute_command("RESTORE", "c", 1000, p, "ABSTTL") in (True, b"OK")
    assert r.exists("c") == 0


def test_restore_idletime_and_freq(server):
    r = server.client()
    k, p = payloads()[1]
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.execute_command("RESTORE", "i", 0, p, "IDLETIME", 1000)
    assert r.object("idletime", "i") >= 1000
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.execute_command("RESTORE", "f", 0, p, "FREQ", 100)
    assert r.object("freq", "f") == 100
    r.config_set("maxmemory-policy", "noeviction")


def test_roundtrip_every_type(server):
    r = server.client()
    r.set("s", "v" * 100)
    r.rpush("l", *range(500))
    r.hset("h", mapping={"f%d" % i: i for i in range(200)})
    r.sadd("st", *["m%d" % i for i in range(200)])
    r.zadd("z", {"m%d" % i: i * 1.5 for i in range(200)})
    for k in [b"s", b"l", b"h", b"st", b"z"]:
        before = value(r, k)
        d = r.dump(k)
        r.delete(k)
        r.execute_command("RESTORE", k, 0, d)
        assert value(r, k) == before


@pytest.mark.parametrize("body", [b"\x00", b"\x00\x05ab", b"\x0b\x04\x02\x00\x00\x00", b"\x10\x05hello",
                                  b"\x63\x01a", b"\x12\x01\x07\x01a", b"\x00\x01ajunk", b"\x02\x02\x01a\x01a"])
def test_bad_payload_error_text(server, body):
    r = server.client()
    assert err_of(r.execute_command, "RESTORE", "bad", 0, forge_payload(body)) == "Bad data format"
    assert r.exists("bad") == 0


def test_fuzzed_payloads(server):
    r = server.client()
    rnd = random.Random(11)
    base = [p for _, p in payloads()]
    for i in range(300):
        body = bytearray(rnd.choice(base)[:-10])
        for _ in range(rnd.randint(1, 3)):
            body[rnd.randrange(len(body))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            body = body[:rnd.randrange(1, len(body) + 1)]
        try:
            r.execute_command("RESTORE", "fz", 0, forge_payload(bytes(body)), "REPLACE")
        except redis.ResponseError as e:
            assert str(e) == "Bad data format"
    assert r.ping()


def _listpack(*members):
    body = b"".join(bytes([0x80 | len(m)]) + m + bytes([1 + len(m)]) for m in members)
    total = 6 + len(body) + 1
    return struct.pack("<IH", total, len(members)) + body + b"\xff"


def test_sanitize_payload_duplicates(server):
    r = server.client()
    lp = _listpack(b"a", b"a")
    payload = forge_payload(b"\x14" + bytes([len(lp)]) + lp)
    r.config_set("sanitize-dump-payload", "yes")
    assert err_of(r.execute_command, "RESTORE", "dup", 0, payload) == "Bad data format"
    ok = forge_payload(b"\x14" + bytes([len(_listpack(b"a", b"b"))]) + _listpack(b"a", b"b"))
    assert r.execute_command("RESTORE", "nodup", 0, ok) in (True, b"OK")
    assert r.smembers("nodup") == {b"a", b"b"}
    r.config_set("sanitize-dump-payload", "no")
