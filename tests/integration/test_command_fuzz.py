"""Random commands with random arguments against keys of every type and encoding.

Any reply is fine (errors included); the server must not crash, assert, hang or
leak. Meant for the sanitizer build (make SANITIZE=address): the fixtures fail
the test on an ASan/UBSan report in the server log. Seeded: replay a failure with
FUZZ_SEED=<n>; FUZZ_ROUNDS sets the number of commands. It found an MSETNX
assertion and LMPOP/ZMPOP overflows when first run."""
import os
import random
import time

import pytest
import redis

SEED = int(os.environ.get("FUZZ_SEED", "7"))
ROUNDS = int(os.environ.get("FUZZ_ROUNDS", "4000"))

# Commands that block, answer with several replies, end the connection or the server, change its role or
# config, or would make the run slow or flaky; everything else is fair game.
SKIP = {"shutdown", "debug", "monitor", "subscribe", "psubscribe", "ssubscribe", "sync", "psync", "replicaof",
        "slaveof", "client", "quit", "reset", "save", "bgsave", "bgrewriteaof", "failover", "flushall", "wait",
        "waitaof", "blpop", "brpop", "blmove", "brpoplpush", "bzpopmin", "bzpopmax", "blmpop", "bzmpop", "xread",
        "xreadgroup", "hello", "auth", "acl", "config", "script", "function", "migrate", "replconf", "cluster",
        "module", "latency", "slowlog", "unsubscribe", "punsubscribe", "sunsubscribe"}
WORDS = [b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR", b"WITHSCORES", b"LIMIT", b"COUNT", b"MATCH", b"TYPE", b"BYSCORE",
         b"BYLEX", b"REV", b"EX", b"PX", b"EXAT", b"PXAT", b"KEEPTTL", b"GET", b"LEFT", b"RIGHT", b"BEFORE", b"AFTER",
         b"RANK", b"MAXLEN", b"MINID", b"AGGREGATE", b"SUM", b"MIN", b"MAX", b"WEIGHTS", b"STORE", b"BY", b"ASC",
         b"DESC", b"ALPHA", b"IDLE", b"LEN", b"REPLACE", b"ABSTTL", b"FREQ", b"DB", b"COPY", b"*", b"-", b"+", b"$",
         b">", b"0-0", b"1-1", b"ID", b"MKSTREAM", b"JUSTID", b"FORCE", b"WITHCOORD", b"WITHDIST", b"WITHHASH",
         b"FROMLONLAT", b"FROMMEMBER", b"BYRADIUS", b"BYBOX", b"m", b"km", b"ANY", b"OVERFLOW", b"WRAP", b"SAT",
         b"FAIL", b"u8", b"i16", b"u63", b"i64", b"#1", b"FULL", b"WITHMATCHLEN", b"IDX", b"MINMATCHLEN"]
KEYS = [b"k0", b"k1", b"k2", b"k3"]
FAMILY_KEYS = {"l": [b"l0", b"l1", b"L2"], "r": [b"l0", b"l1"], "s": [b"s0", b"s1", b"S2"], "z": [b"z0", b"z1", b"Z2"],
               "h": [b"h0", b"h1", b"H2"], "x": [b"x0", b"x1"], "g": [b"g0", b"z0"], "p": [b"p0", b"p1"]}


def seed_data(conn):
    many = lambda prefix: [prefix + str(i) for i in range(150)]   # past the compact encodings' limits
    cmds = [["RPUSH", "l0", "a", "b", "1", "2"], ["RPUSH", "L2"] + many("x" * 70), ["SADD", "s0", "1", "2", "3"],
            ["SADD", "S2"] + many("m"), ["SADD", "s1", "a", "b"], ["ZADD", "z0", "1", "a", "2", "b", "2", "c"],
            ["ZADD", "Z2"] + [v for i in range(150) for v in (str(i), "m%d" % i)], ["HSET", "h0", "f", "1", "g", "2"],
            ["HSET", "H2"] + [v for i in range(150) for v in ("f%d" % i, "v" * 80)], ["XADD", "x0", "*", "a", "1"],
            ["XGROUP", "CREATE", "x0", "g1", "0"], ["GEOADD", "g0", "13.36", "38.11", "a", "15.08", "37.50", "b"],
            ["PFADD", "p0", "a", "b"], ["SET", "k0", "123"], ["SET", "k1", "hello"]]
    for cmd in cmds:
        run(conn, *cmd)                           # an error is fine: a family may not exist yet


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.keys = KEYS

    def arg(self):
        rng = self.rng
        kind = rng.randrange(10)
        if kind < 3:
            return rng.choice(self.keys + KEYS[:1])
        if kind == 3:
            return str(rng.choice([0, 1, -1, 2, 3, 10, 100, -100, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 2 ** 32 + 1])).encode()
        if kind == 4:
            return rng.choice([b"0.5", b"-inf", b"+inf", b"nan", b"1e308", b"-1e-308", b"(1", b"[a", b"(", b"-", b"+",
                               b"1.5e400", b"0x10", b" 1", b"1 "])
        if kind == 5:
            return rng.choice(WORDS)
        if kind == 6:
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20)))
        if kind == 7:
            return b"x" * rng.choice([0, 1, 64, 65, 200, 5000])
        return str(rng.randint(-5, 50)).encode()

    def command(self, table):
        """Mostly the right number of arguments, so commands get past the arity check."""
        name, arity = self.rng.choice(table)
        self.keys = FAMILY_KEYS.get(name[0], KEYS)
        words = [p.encode() for p in name.split("|")]
        if name in ("multi", "exec", "discard"):
            return words
        nargs = abs(arity) - len(words)
        if arity < 0:
            nargs += self.rng.choice([0, 0, 1, 2, 3, 5])
        elif self.rng.random() < 0.05:
            nargs += self.rng.choice([-1, 1])
        return words + [self.arg() for _ in range(max(0, nargs))]


def connect(srv):
    """A bare connection: replies come back raw, with no client-side parsing to trip on."""
    conn = redis.Connection(host="127.0.0.1", port=srv.port, socket_timeout=10)
    conn.connect()
    return conn


def run(conn, *args):
    conn.send_command(*args)
    try:
        return conn.read_response()
    except redis.exceptions.ResponseError as e:
        return e


def command_table(conn):
    """(name, arity) of every command and subcommand the server has, minus SKIP."""
    table = []
    for info in run(conn, "COMMAND"):
        name, arity = info[0].decode().lower(), info[1]
        if name in SKIP:
            continue
        subs = info[9] if len(info) > 9 and info[9] else []
        if subs:
            table += [(sub[0].decode().lower(), sub[1]) for sub in subs] * 2
        else:
            table.append((name, arity))
    return sorted(table)


TINY_ENCODINGS = {"list-max-listpack-size": 2, "list-compress-depth": 1, "hash-max-listpack-entries": 2,
                  "hash-max-listpack-value": 8, "set-max-intset-entries": 2, "set-max-listpack-entries": 2,
                  "zset-max-listpack-entries": 2, "zset-max-listpack-value": 8, "stream-node-max-entries": 2}


@pytest.mark.parametrize("config", [{}, TINY_ENCODINGS], ids=["default", "tiny-encodings"])
def test_random_commands(start_server, config):
    srv = start_server(config=config)
    conn = connect(srv)
    names = command_table(conn)
    gen = Gen(random.Random(SEED))
    deadline = time.time() + 300
    queued = 0
    for i in range(ROUNDS):
        if i % 500 == 0:
            seed_data(conn)
        args = gen.command(names)
        queued = queued + 1 if queued or args == [b"multi"] else 0
        if queued > 6:
            args, queued = [b"exec"], 0           # short transactions, so commands really run
        try:
            run(conn, *args)
        except redis.exceptions.ConnectionError:
            assert srv.alive(), "server died on %r" % (args,)
            conn = connect(srv)                   # the server may close a connection on purpose
        assert time.time() < deadline, "fuzzing took too long: the server may hang"
    run(conn, "DISCARD")                          # in case a MULTI is still open
    assert run(conn, "PING") == b"PONG"
    assert srv.alive()
