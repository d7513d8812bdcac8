"""Random, truncated and malformed requests thrown at the server's request parser.

The server must neither crash, hang nor leak: run it against the sanitizer build
(make SANITIZE=address, or VALKEY_SERVER_BIN=<asan build>) and the fixtures fail
the test on any ASan/UBSan report in the server log. Seeded, so a failure can be
replayed with FUZZ_SEED=<n>; FUZZ_ROUNDS scales the amount of input."""
import os
import random
import socket
import time

import pytest

SEED = int(os.environ.get("FUZZ_SEED", "20261125"))
ROUNDS = int(os.environ.get("FUZZ_ROUNDS", "300"))

COMMANDS = [
    [b"SET", b"k", b"v"], [b"GET", b"k"], [b"PING"], [b"ECHO", b"hello"], [b"LPUSH", b"l", b"a", b"b"],
    [b"HSET", b"h", b"f", b"v"], [b"SADD", b"s", b"m"], [b"ZADD", b"z", b"1", b"m"], [b"INCR", b"n"],
    [b"MULTI"], [b"EXEC"], [b"DISCARD"], [b"SUBSCRIBE", b"ch"], [b"UNSUBSCRIBE"], [b"HELLO", b"3"],
    [b"HELLO", b"2"], [b"CLIENT", b"SETNAME", b"x"], [b"MGET", b"k", b"l", b"h"], [b"DEL", b"k"],
    [b"EXPIRE", b"k", b"100"], [b"APPEND", b"k", b"x" * 100], [b"SETRANGE", b"k", b"5", b"abc"],
    [b"BLPOP", b"nolist", b"0.01"], [b"WATCH", b"k"], [b"OBJECT", b"ENCODING", b"k"], [b"TYPE", b"k"],
]


def encode(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def malformed(rng):
    """One request that breaks a protocol rule in some way."""
    choices = [
        lambda: b"*" + str(rng.randint(-5, 3)).encode() + b"\r\n",
        lambda: b"*1\r\n$" + rng.choice([b"-2", b"abc", b"", b"99999999999999999999", b"2147483648"]) + b"\r\n",
        lambda: b"*" + rng.choice([b"abc", b"", b"1x", b"-0", b"1048577", b"9223372036854775807"]) + b"\r\n",
        lambda: b"*2\r\n$3\r\nGET\r\n:1\r\n",          # wrong type marker for an argument
        lambda: b"*1\r\n$3\r\nGETXX\r\n",               # length shorter than the bytes
        lambda: b"*1\r\n$5\r\nGET\r\n",                 # length longer than the bytes
        lambda: b"$3\r\nGET\r\n",                       # bulk without the array header
        lambda: b"\r\n\r\n\n\n",                        # empty inline lines
        lambda: b'SET "unbalanced v\r\n',
        lambda: b"SET 'a\\' b\r\n",
        lambda: b'ECHO "\\x4\\xZZ\\"\r\n',
        lambda: b"PING " + b"a" * rng.randint(1, 70000),  # long inline without newline
        lambda: bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))),
        lambda: b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + str(rng.randint(0, 1 << 20)).encode() + b"\r\nshort",
        lambda: b"*1\r\n" * rng.randint(1, 50),
        lambda: b"\x00\x01\x02*1\r\n$4\r\nPING\r\n",
    ]
    return rng.choice(choices)()


def mutate(rng, data):
    """Truncate, flip a byte, insert junk or duplicate a slice of a valid request."""
    if not data:
        return data
    op = rng.randrange(4)
    pos = rng.randrange(len(data))
    if op == 0:
        return data[:pos]
    if op == 1:
        return data[:pos] + bytes([rng.getrandbits(8)]) + data[pos + 1:]
    if op == 2:
        return data[:pos] + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8))) + data[pos:]
    return data[:pos] + data[pos:pos + rng.randint(1, 16)] * 2 + data[pos:]


def payload(rng):
    parts = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(3)
        if kind == 0:
            parts.append(encode(rng.choice(COMMANDS)))
        elif kind == 1:
            parts.append(mutate(rng, encode(rng.choice(COMMANDS))))
        else:
            parts.append(malformed(rng))
    return b"".join(parts)


def drain(s, wait):
    s.settimeout(wait)
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass


def assert_alive(srv):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        s.sendall(b"PING\r\n")
        s.settimeout(5)
        assert s.recv(64) == b"+PONG\r\n"


def test_random_and_malformed_requests(start_server):
    srv = start_server(config={"proto-max-bulk-len": "2mb"})
    rng = random.Random(SEED)
    open_socks = []
    deadline = time.time() + 120
    for i in range(ROUNDS):
        assert time.time() < deadline, "fuzzing took too long: the server may hang"
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        data = payload(rng)
        # Sent in random pieces: the parser must cope with any split point.
        pos = 0
        try:
            while pos < len(data):
                n = rng.randint(1, max(1, len(data) - pos))
                s.sendall(data[pos:pos + n])
                pos += n
        except OSError:
            pass                                  # the server may close on a protocol error
        style = rng.randrange(3)
        if style == 0:
            s.close()                             # vanish mid-request, reply unread
        elif style == 1:
            drain(s, 0.01)
            s.close()
        else:
            open_socks.append(s)                  # keep some half-sent requests pending
        if len(open_socks) > 20:
            open_socks.pop(0).close()
        if i % 50 == 49:
            assert_alive(srv)
    for s in open_socks:
        s.close()
    assert_alive(srv)
    assert srv.alive()


def test_byte_by_byte_requests_are_parsed(start_server):
    """Every split point of a valid pipeline gives the same replies."""
    srv = start_server()
    pipeline = encode([b"SET", b"key", b"va\r\nlue"]) + encode([b"GET", b"key"]) + b"PING\r\n" + \
        encode([b"ECHO", b""])
    expected = b"+OK\r\n$7\r\nva\r\nlue\r\n+PONG\r\n$0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        for b in pipeline:
            s.sendall(bytes([b]))
        got = b""
        s.settimeout(5)
        while len(got) < len(expected):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    assert got == expected


@pytest.mark.parametrize("req,reply_prefix", [
    (b"*-1\r\nPING\r\n", b"+PONG"),                      # a null array is skipped
    (b"*0\r\nPING\r\n", b"+PONG"),
    (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$abc\r\n", b"-ERR Protocol error: invalid bulk length"),
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length"),
    (b"*2\r\n+GET\r\n", b"-ERR Protocol error: expected '$', got '+'"),
    (b'SET "a b\r\n', b"-ERR Protocol error: unbalanced quotes in request"),
])
def test_protocol_errors(start_server, req, reply_prefix):
    srv = start_server()
    assert srv.raw(req).startswith(reply_prefix)
    assert_alive(srv)
