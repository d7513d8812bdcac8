"""Mutated DUMP payloads (with a recomputed, valid checksum, so they reach the
loader) thrown at RESTORE, then the restored value is read back every way.

With sanitize-dump-payload yes the server must refuse or load each one and
never crash, hang or leak; run against the sanitizer build, whose reports the
fixtures turn into failures. Seeded: FUZZ_SEED / FUZZ_ROUNDS."""
import os
import random
import struct
import time

import pytest
import redis

from rdbutil import crc64

SEED = int(os.environ.get("FUZZ_SEED", "9"))
ROUNDS = int(os.environ.get("FUZZ_ROUNDS", "1500"))

READERS = {b"list": [["LRANGE", 0, -1]], b"set": [["SMEMBERS"], ["SCARD"]], b"zset": [["ZRANGE", 0, -1, "WITHSCORES"]],
           b"hash": [["HGETALL"]], b"stream": [["XRANGE", "-", "+"], ["XINFO", "STREAM"]], b"string": [["GET"]]}


def run(conn, *args):
    conn.send_command(*args)
    try:
        return conn.read_response()
    except redis.exceptions.ResponseError as e:
        return e


def sample_payloads(conn):
    many = lambda prefix, n: [prefix + str(i) for i in range(n)]
    setup = [["RPUSH", "l", "a", "b", "12", "-5"], ["RPUSH", "L"] + many("x" * 30, 200),
             ["SADD", "s", "1", "2", "300"], ["SADD", "S"] + many("m", 200), ["SADD", "T", "a", "b"],
             ["ZADD", "z", "1", "a", "2.5", "b"], ["ZADD", "Z"] + [v for i in range(200) for v in (str(i), "m%d" % i)],
             ["HSET", "h", "f", "1", "g", "v"], ["HSET", "H"] + [v for i in range(200) for v in ("f%d" % i, "v" * 70)],
             ["SET", "str", "hello world" * 10], ["SET", "int", "12345"],
             ["XADD", "x", "1-1", "a", "1"], ["XADD", "x", "2-1", "b", "2"], ["XGROUP", "CREATE", "x", "g", "0"],
             ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", ">"]]
    for cmd in setup:
        run(conn, *cmd)
    payloads = []
    for key in ["l", "L", "s", "S", "T", "z", "Z", "h", "H", "str", "int", "x"]:
        p = run(conn, "DUMP", key)
        if isinstance(p, bytes):
            payloads.append(p)
    return payloads


def mutate(rng, payload):
    body = bytearray(payload[:-10])
    for _ in range(rng.randint(1, 4)):
        if not body:
            break
        op, pos = rng.randrange(4), rng.randrange(len(body))
        if op == 0:
            body[pos] = rng.getrandbits(8)
        elif op == 1:
            del body[pos:pos + rng.randint(1, 8)]
        elif op == 2:
            body[pos:pos] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8)))
        else:
            body[pos] ^= 1 << rng.randrange(8)
    data = bytes(body) + payload[-10:-8]
    return data + struct.pack("<Q", crc64(data))


@pytest.mark.parametrize("listpack_size", ["-2", "2"])
def test_mutated_restore_payloads(start_server, listpack_size):
    srv = start_server(config={"sanitize-dump-payload": "yes", "list-max-listpack-size": listpack_size})
    conn = redis.Connection(host="127.0.0.1", port=srv.port, socket_timeout=20)
    conn.connect()
    payloads = sample_payloads(conn)
    assert len(payloads) >= 10
    rng = random.Random(SEED)
    deadline = time.time() + 300
    for i in range(ROUNDS):
        key = "r%d" % (i % 5)
        data = mutate(rng, rng.choice(payloads))
        if isinstance(run(conn, "RESTORE", key, 0, data, "REPLACE"), Exception):
            continue
        for cmd in (["TYPE"], ["DUMP"], ["OBJECT", "ENCODING"], ["DEBUG", "DIGEST-VALUE"], ["MEMORY", "USAGE"]):
            run(conn, *cmd, key)
        for cmd in READERS.get(run(conn, "TYPE", key), []):
            run(conn, cmd[0], key, *cmd[1:])
        assert time.time() < deadline, "took too long: the server may hang"
    assert run(conn, "PING") == b"PONG"
    assert srv.alive()
