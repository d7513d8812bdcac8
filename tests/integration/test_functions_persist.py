"""Function libraries outlive the process: RDB save/load (restart, DEBUG
RELOAD, full syncs to replicas), FUNCTION DUMP / RESTORE, AOF rewrites, and
files and payloads exchanged with Debian's redis-server 7.0."""
import os
import shutil
import struct
import subprocess

import pytest
import redis

from conftest import SERVER_BIN
from kvutil import Conn, err
from rdbutil import crc64, forge_payload
from replutil import info, replica_of, wait_for, wait_sync

REDIS = "/usr/bin/redis-server"
needs_redis = pytest.mark.skipif(not os.path.exists(REDIS), reason="redis-server not installed")

LIB_A = ("#!lua name=liba\n"
         "server.register_function('fa', function(keys, args) return 'a:' .. (args[1] or '') end)\n"
         "server.register_function{function_name='fa_ro', callback=function() return 1 end,\n"
         "  flags={'no-writes'}, description='read only'}\n")
LIB_B = ("#!lua name=libb\n"
         "server.register_function('fb', function(keys) return server.call('INCR', keys[1]) end)\n")
# Runs under Redis 7.0 too: no `server` alias there.
LIB_R = "#!lua name=libr\nredis.register_function('fr', function() return 'r' end)\n"


def conn(h):
    return Conn(h.port)


def listing(c):
    """FUNCTION LIST WITHCODE, order-free."""
    out = []
    for lib in c("FUNCTION", "LIST", "WITHCODE"):
        d = dict(zip(lib[0::2], lib[1::2]))
        fns = sorted(repr(f) for f in d[b"functions"])
        out.append((d[b"library_name"].decode(), d[b"library_code"], tuple(fns)))
    return sorted(out)


def load_ab(c):
    assert c("FUNCTION", "LOAD", LIB_A) == b"liba"
    assert c("FUNCTION", "LOAD", LIB_B) == b"libb"


def assert_ab_work(c):
    assert c("FCALL", "fa", 0, "x") == b"a:x"
    assert c("FCALL_RO", "fa_ro", 0) == 1
    assert isinstance(c("FCALL", "fb", 1, "ctr"), int)


def check_rdb_bin():
    return os.path.join(os.path.dirname(os.path.abspath(SERVER_BIN)), "valkey-check-rdb")


def rdb_file(records, version=11):
    """An RDB holding only FUNCTION2 records, checksum disabled (8 zero bytes)."""
    body = b"REDIS%04d" % version
    for code in records:
        body += b"\xf5" + rdb_string(code)
    return body + b"\xff" + b"\x00" * 8


def rdb_string(s):
    if isinstance(s, str):
        s = s.encode()
    n = len(s)
    if n < 64:
        return bytes([n]) + s
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF]) + s
    return b"\x80" + struct.pack(">I", n) + s


def function_payload(*codes, version=11):
    return forge_payload(b"".join(b"\xf5" + rdb_string(c) for c in codes), version)


# ---------------------------------------------------------------- RDB


def test_restart_keeps_functions(start_server):
    h = start_server()
    c = conn(h)
    load_ab(c)
    c("SET", "k", "v")
    before = listing(c)
    assert c("SAVE") == "OK"
    h.restart()
    c = conn(h)
    assert listing(c) == before
    assert_ab_work(c)
    assert c("GET", "k") == b"v"
    assert c("FUNCTION", "STATS")[3] == [b"LUA", [b"libraries_count", 2, b"functions_count", 3]]


def test_rdb_layout_and_check_rdb(start_server):
    h = start_server()
    c = conn(h)
    load_ab(c)
    c("SET", "k", "v")
    c("SAVE")
    data = open(os.path.join(h.dir, "dump.rdb"), "rb").read()
    # Libraries follow the aux fields and precede the first SELECTDB.
    first_fn, first_db = data.find(b"\xf5"), data.find(b"\xfe\x00")
    assert 0 < first_fn < first_db
    assert data.count(b"#!lua name=") == 2
    p = subprocess.run([check_rdb_bin(), os.path.join(h.dir, "dump.rdb")], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout
    assert "RDB looks OK" in p.stdout and "[info] 1 keys read" in p.stdout


def test_check_rdb_truncated_library(tmp_path):
    path = str(tmp_path / "f.rdb")
    data = rdb_file([LIB_R])
    open(path, "wb").write(data[:30])
    p = subprocess.run([check_rdb_bin(), path], capture_output=True, text=True)
    assert p.returncode == 1
    assert "While doing: read-functions" in p.stdout


def test_debug_reload_flushall_function_flush(start_server):
    h = start_server()
    c = conn(h)
    load_ab(c)
    assert c("DEBUG", "RELOAD") == "OK"
    assert_ab_work(c)
    assert c("FUNCTION", "DELETE", "libb") == "OK"
    assert c("DEBUG", "RELOAD") == "OK"
    assert [l[0] for l in listing(c)] == ["liba"]
    # FLUSHALL leaves libraries alone; FUNCTION FLUSH removes them.
    assert c("FLUSHALL") == "OK"
    assert c("FCALL", "fa", 0) == b"a:"
    c("SAVE")
    h.restart()
    c = conn(h)
    assert c("FCALL", "fa", 0, "y") == b"a:y"
    assert c("FUNCTION", "FLUSH") == "OK"
    c("SAVE")
    h.restart()
    assert conn(h)("FUNCTION", "LIST") == []


def test_debug_reload_merge_replaces_same_library(start_server):
    h = start_server()
    c = conn(h)
    load_ab(c)
    c("SAVE")
    # NOFLUSH without MERGE: the library already exists, the load fails.
    assert c("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH") == err(
        "ERR Error trying to load the RDB dump, check server logs.")
    assert "Failed loading library, Library 'liba' already exists" in h.log() or \
        "Failed loading library, Library 'libb' already exists" in h.log()
    assert c("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE") == "OK"
    assert_ab_work(c)


@pytest.mark.parametrize("case", ["compile", "duplicate", "metadata"])
def test_bad_library_in_rdb_refuses_to_start(start_server, tmp_path, case):
    records = {"compile": [LIB_R, "#!lua name=bad\nthis is not lua\n"],
               "duplicate": [LIB_R, LIB_R],
               "metadata": ["redis.register_function('x', function() return 1 end)"]}[case]
    open(str(tmp_path / "dump.rdb"), "wb").write(rdb_file(records))
    with pytest.raises(RuntimeError) as e:
        start_server(workdir=str(tmp_path))
    expect = {"compile": "Failed loading library, Error compiling function",
              "duplicate": "Failed loading library, Library 'libr' already exists",
              "metadata": "Failed loading library, Missing library metadata"}[case]
    assert expect in str(e.value)


def test_rdb_with_only_functions_loads(start_server, tmp_path):
    open(str(tmp_path / "dump.rdb"), "wb").write(rdb_file([LIB_R, LIB_B], version=10))
    h = start_server(workdir=str(tmp_path))
    c = conn(h)
    assert c("FCALL", "fr", 0) == b"r"
    assert c("FCALL", "fb", 1, "n") == 1


# -------------------------------------------------------- replication


@pytest.mark.parametrize("diskless,dual", [("no", "no"), ("yes", "no"), ("yes", "yes"), ("no", "yes")])
def test_replica_gets_functions_in_full_sync(start_server, diskless, dual):
    p = start_server(config={"repl-diskless-sync": diskless, "repl-diskless-sync-delay": 0,
                             "dual-channel-replication-enabled": dual})
    pc = conn(p)
    load_ab(pc)
    pc("SET", "k", "v")
    r = start_server(config={"dual-channel-replication-enabled": dual, "repl-diskless-load":
                             "on-empty-db" if diskless == "yes" else "disabled"})
    rc = conn(r)
    # The replica's own libraries give way to the primary's.
    assert rc("FUNCTION", "LOAD", LIB_R) == b"libr"
    replica_of(r, p)
    wait_sync(p, r)
    rc = conn(r)
    assert listing(rc) == listing(pc)
    assert rc("FCALL_RO", "fa_ro", 0) == 1
    assert rc("FCALL", "fr", 0).text.startswith("ERR Function not found")
    # Later changes arrive through the command stream.
    pc("FUNCTION", "LOAD", LIB_R)
    pc("FUNCTION", "DELETE", "liba")
    pc("FCALL", "fb", 1, "ctr")
    wait_sync(p, r)
    assert listing(rc) == listing(pc)
    assert rc("GET", "ctr") == b"1"
    payload = pc("FUNCTION", "DUMP")
    pc("FUNCTION", "FLUSH")
    wait_sync(p, r)
    assert rc("FUNCTION", "LIST") == []
    assert pc("FUNCTION", "RESTORE", payload) == "OK"
    wait_sync(p, r)
    assert listing(rc) == listing(pc) and len(listing(rc)) == 2


# ------------------------------------------------- FUNCTION DUMP/RESTORE


def test_dump_payload_bytes(start_server):
    h = start_server()
    r = h.client()
    empty = r.execute_command("FUNCTION", "DUMP")
    assert empty == b"\x0b\x00" + struct.pack("<Q", crc64(b"\x0b\x00"))
    r.execute_command("FUNCTION", "LOAD", LIB_R)
    assert r.execute_command("FUNCTION", "DUMP") == function_payload(LIB_R)


def test_restore_policies(start_server):
    h = start_server()
    r = h.client()
    c = conn(h)
    load_ab(c)
    payload = r.execute_command("FUNCTION", "DUMP")
    before = listing(c)
    # APPEND (default) refuses an existing library and changes nothing.
    assert c("FUNCTION", "RESTORE", payload) in (err("ERR Library liba already exists"),
                                                 err("ERR Library libb already exists"))
    assert c("FUNCTION", "RESTORE", payload, "append") in (err("ERR Library liba already exists"),
                                                           err("ERR Library libb already exists"))
    assert listing(c) == before
    assert c("FUNCTION", "RESTORE", payload, "REPLACE") == "OK"
    assert listing(c) == before
    assert_ab_work(c)
    # FLUSH drops libraries the payload does not have.
    c("FUNCTION", "LOAD", LIB_R)
    assert c("FUNCTION", "RESTORE", payload, "FLUSH") == "OK"
    assert listing(c) == before
    assert c("FCALL", "fr", 0) == err("ERR Function not found")
    # Into an empty server, APPEND just adds.
    c("FUNCTION", "FLUSH")
    assert c("FUNCTION", "RESTORE", payload) == "OK"
    assert listing(c) == before
    # An empty payload is valid for every policy.
    empty = function_payload()
    assert c("FUNCTION", "RESTORE", empty) == "OK" and listing(c) == before
    assert c("FUNCTION", "RESTORE", empty, "FLUSH") == "OK"
    assert c("FUNCTION", "LIST") == []


def test_restore_function_name_collision(start_server):
    h = start_server()
    c = conn(h)
    c("FUNCTION", "LOAD", "#!lua name=other\nserver.register_function('fr', function() return 'o' end)\n")
    c("FUNCTION", "LOAD", LIB_B)
    before = listing(c)
    p = function_payload(LIB_R, LIB_B)
    # REPLACE swaps libb, but fr still belongs to `other`: nothing changes.
    assert c("FUNCTION", "RESTORE", p, "REPLACE") == err("ERR Function fr already exists")
    assert listing(c) == before
    assert c("FCALL", "fr", 0) == b"o"
    assert c("FUNCTION", "RESTORE", p, "FLUSH") == "OK"
    assert c("FCALL", "fr", 0) == b"r"


def test_restore_errors_change_nothing(start_server):
    h = start_server()
    r = h.client()
    c = conn(h)
    load_ab(c)
    good = r.execute_command("FUNCTION", "DUMP")
    before = listing(c)
    bad_crc = good[:-1] + bytes([good[-1] ^ 1])
    bad_version = forge_payload(good[:-10], version=12)
    cases = [
        ([bad_crc], "ERR DUMP payload version or checksum are wrong"),
        ([good[:-3]], "ERR DUMP payload version or checksum are wrong"),
        ([good[:5]], "ERR DUMP payload version or checksum are wrong"),
        ([b""], "ERR DUMP payload version or checksum are wrong"),
        ([bad_version, "FLUSH"], "ERR DUMP payload version or checksum are wrong"),
        ([good, "BOGUS"], "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."),
        ([good, "FLUSH", "x"], "ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP."),
        # A DUMP of a key is a valid payload, but not of functions.
        ([forge_payload(b"\x00\x03abc"), "FLUSH"], "ERR given type is not a function"),
        ([forge_payload(b"\xf6\x03abc"), "FLUSH"], "ERR Pre-GA function format not supported"),
        # A truncated record inside a payload whose footer is right.
        ([forge_payload(b"\xf5" + rdb_string(LIB_R)[:20]), "FLUSH"], "ERR Failed loading library payload"),
        ([function_payload(LIB_R, "#!lua name=broken\nnot lua at all\n"), "FLUSH"], None),
        ([function_payload(LIB_R, LIB_R), "FLUSH"], "ERR Library 'libr' already exists"),
        ([function_payload("#!lua name=nofn\nlocal x = 1\n"), "FLUSH"], "ERR No functions registered"),
    ]
    for args, expect in cases:
        got = c("FUNCTION", "RESTORE", *args)
        if expect is None:
            assert got.text.startswith("ERR Error compiling function"), got
        else:
            assert got == err(expect), (args[1:], got)
        assert listing(c) == before
    assert_ab_work(c)
    assert int(c("INFO", "stats").split(b"total_error_replies:")[1].split()[0]) >= len(cases)


def test_restore_not_propagated_on_error_dirty_on_success(start_server):
    h = start_server()
    c = conn(h)
    c("FUNCTION", "LOAD", LIB_R)
    payload = h.client().execute_command("FUNCTION", "DUMP")
    dirty = lambda: int(c("INFO", "persistence").split(b"rdb_changes_since_last_save:")[1].split()[0])
    d0 = dirty()
    c("FUNCTION", "RESTORE", payload)  # fails: exists
    assert dirty() == d0
    c("FUNCTION", "RESTORE", payload, "REPLACE")
    assert dirty() == d0 + 1


def test_command_table_rows(start_server):
    h = start_server()
    r = Conn(h.port)
    dump, restore = r("COMMAND", "INFO", "function|dump", "function|restore")
    assert dump[0] == b"function|dump" and dump[1] == 2 and dump[2] == ["noscript"]
    assert restore[0] == b"function|restore" and restore[1] == -3
    assert set(restore[2]) == {"noscript", "write", "denyoom"}
    assert set(restore[6]) == {"@write", "@slow", "@scripting"}
    docs = r("COMMAND", "DOCS", "function|restore")
    d = dict(zip(docs[0::2], docs[1::2]))[b"function|restore"]
    d = dict(zip(d[0::2], d[1::2]))
    assert d[b"summary"] == b"Restores all libraries from a payload."
    assert d[b"since"] == b"7.0.0" and d[b"group"] == b"scripting"
    subs = r("COMMAND", "INFO", "function")[0][9]
    names = {s[0] for s in subs}
    assert {b"function|dump", b"function|restore"} <= names
    help_lines = r("FUNCTION", "HELP")
    assert "DUMP" in help_lines and "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]" in help_lines


@needs_redis
def test_command_info_matches_redis7(start_server):
    ours, theirs = Conn(start_server().port), Conn(start_redis(start_server).port)
    for sub in ("function|dump", "function|restore"):
        a, b = ours("COMMAND", "INFO", sub)[0], theirs("COMMAND", "INFO", sub)[0]
        # name, arity, flags, keys, ACL categories (tips are not kept here)
        assert a[:6] == b[:6] and sorted(a[6]) == sorted(b[6]), sub


# ---------------------------------------------------------------- AOF


def aof_rewrite(c):
    c("BGREWRITEAOF")
    wait_for(lambda: b"aof_rewrite_in_progress:0" in c("INFO", "persistence")
             and b"aof_rewrite_scheduled:0" in c("INFO", "persistence"), 20)


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_aof_rewrite_and_restart(start_server, preamble):
    h = start_server(config={"appendonly": "yes", "aof-use-rdb-preamble": preamble})
    c = conn(h)
    load_ab(c)
    c("SET", "k", "v")
    aof_rewrite(c)
    d = os.path.join(h.dir, "appendonlydir")
    base = [f for f in os.listdir(d) if ".base." in f][0]
    data = open(os.path.join(d, base), "rb").read()
    if preamble == "no":
        assert base.endswith(".base.aof")
        # Libraries first, as FUNCTION LOAD commands, then the databases.
        assert data.startswith(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$")
        assert data.count(b"FUNCTION\r\n$4\r\nLOAD") == 2 and data.index(b"SELECT") > data.rindex(b"LOAD")
    else:
        assert base.endswith(".base.rdb") and data.startswith(b"REDIS") and data.count(b"#!lua name=") == 2
    # After the rewrite, changes go to the incr file and replay in order.
    c("FUNCTION", "LOAD", LIB_R)
    c("FUNCTION", "DELETE", "libb")
    payload = h.client().execute_command("FUNCTION", "DUMP")
    c("FUNCTION", "FLUSH")
    c("FUNCTION", "RESTORE", payload)
    before = listing(c)
    assert [l[0] for l in before] == ["liba", "libr"]
    h.stop()
    h.start()
    c = conn(h)
    assert listing(c) == before
    assert c("FCALL", "fr", 0) == b"r" and c("GET", "k") == b"v"
    # And once more through a rewrite of the replayed state.
    aof_rewrite(c)
    h.stop()
    h.start()
    assert listing(conn(h)) == before


# -------------------------------------------------- Redis 7.0 interop


def start_redis(start_server, workdir=None):
    return start_server(binary=REDIS, workdir=workdir)


@needs_redis
def test_redis7_rdb_with_functions_loads_here(start_server, tmp_path):
    ref = start_redis(start_server)
    rr = conn(ref)
    assert rr("FUNCTION", "LOAD", LIB_R) == b"libr"
    assert rr("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function{function_name='g', "
              "callback=function(k) return redis.call('GET', k[1]) end, flags={'no-writes'}}\n") == b"lib2"
    rr("SET", "k", "v")
    assert rr("SAVE") == "OK"
    expected = listing(rr)
    ref.stop()
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copyfile(os.path.join(ref.dir, "dump.rdb"), str(mine / "dump.rdb"))
    c = conn(start_server(workdir=str(mine)))
    assert listing(c) == expected
    assert c("FCALL_RO", "g", 1, "k") == b"v" and c("FCALL", "fr", 0) == b"r"


@needs_redis
def test_our_functions_reach_redis7_replica(start_server):
    p = start_server(config={"repl-diskless-sync-delay": 0})
    pc = conn(p)
    pc("FUNCTION", "LOAD", LIB_R)
    pc("SET", "k", "v")
    r = start_redis(start_server)
    replica_of(r, p)
    wait_for(lambda: info(r).get("master_link_status") == "up", 30)
    rc = conn(r)
    wait_for(lambda: rc("GET", "k") == b"v", 10)
    assert listing(rc) == listing(pc)
    # (a function without no-writes is refused on a read-only replica)
    assert rc("FCALL", "fr", 0) == err("READONLY You can't write against a read only replica.")
    # Redis 7.0 loads RDB 10 only: the replica must have been sent one.
    assert "RDB format version 11" not in r.log()


@needs_redis
def test_function_dump_payloads_across_servers(start_server):
    ref = start_redis(start_server)
    h = start_server()
    rr, r = ref.client(), h.client()
    rr.execute_command("FUNCTION", "LOAD", LIB_R)
    theirs = rr.execute_command("FUNCTION", "DUMP")
    assert theirs[-10:-8] == b"\x0a\x00"  # RDB 10
    assert r.execute_command("FUNCTION", "RESTORE", theirs) == b"OK"
    assert r.execute_command("FCALL", "fr", 0) == b"r"
    ours = r.execute_command("FUNCTION", "DUMP")
    # Same records; only the footer's RDB version differs (11, as Valkey 8).
    assert ours[:-10] == theirs[:-10] and ours[-10:-8] == b"\x0b\x00"
    # Like Valkey 8's, our payload is refused by 7.0 for its version...
    with pytest.raises(redis.ResponseError, match="payload version or checksum are wrong"):
        rr.execute_command("FUNCTION", "RESTORE", ours, "REPLACE")
    # ...and accepted once the footer says 10: the format is the same.
    rr.execute_command("FUNCTION", "FLUSH")
    assert rr.execute_command("FUNCTION", "RESTORE", forge_payload(ours[:-10], 10)) == b"OK"
    assert rr.execute_command("FCALL", "fr", 0) == b"r"
    # Same errors for the same mistakes.
    for args in ([theirs], [theirs, "NOPE"], [theirs[:-1]], [theirs, "FLUSH", "x"],
                 [forge_payload(b"\xf5" + rdb_string(LIB_R)[:20], 10)],
                 [forge_payload(b"\x00\x03abc", 10)],
                 [function_payload(LIB_R, LIB_R, version=10)],
                 [function_payload("#!lua name=x\nnot lua\n", version=10)]):
        with pytest.raises(redis.ResponseError) as a:
            rr.execute_command("FUNCTION", "RESTORE", *args)
        with pytest.raises(redis.ResponseError) as b:
            r.execute_command("FUNCTION", "RESTORE", *args)
        if "Error compiling" in str(a.value):
            # Lua's own message names the chunk differently (7.0 wraps it).
            assert str(b.value).startswith("Error compiling function"), b.value
        else:
            assert str(a.value) == str(b.value), args
