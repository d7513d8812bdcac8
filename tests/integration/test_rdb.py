"""RDB persistence: loading real Valkey 8 / Redis 7.0 files, save+reload round
trips proven with DEBUG DIGEST, background saves and their failure modes,
corrupt and truncated files, and valkey-check-rdb."""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from rdbutil import (crc64, file_expiry_ms, info_fields, install_sample, sample, wait_bgsave_done, wait_for)

SERVER_BIN = os.environ.get("VALKEY_SERVER_BIN", "src/valkey-server")


def check_rdb_bin():
    return os.path.join(os.path.dirname(os.path.abspath(SERVER_BIN)), "valkey-check-rdb")


def expect_small_encodings(r, path, set_listpack_type=True):
    now_ms = int(time.time() * 1000)
    exp = file_expiry_ms(path, b"str:expiring")
    assert r.get(b"str:int") == b"12345"
    assert r.object("encoding", "str:int") == b"int"
    assert r.get(b"str:neg") == b"-7"
    assert r.get(b"str:big") == b"9223372036854775807"
    assert r.get(b"str:embstr") == b"hello"
    assert r.object("encoding", "str:embstr") == b"embstr"
    assert r.get(b"str:empty") == b""
    assert r.get(b"str:bin") == b"a\x00b\xffc"
    assert r.lrange(b"list:small", 0, -1) == [b"a", b"b", b"1", b"2", b"-100", b"3000000000"]
    assert r.object("encoding", "list:small") == b"listpack"
    assert r.hgetall(b"hash:small") == {b"f1": b"v1", b"f2": b"2", b"f3": b""}
    assert r.object("encoding", "hash:small") == b"listpack"
    assert r.smembers(b"set:intset") == {b"1", b"2", b"3", b"-5", b"100000"}
    assert r.object("encoding", "set:intset") == b"intset"
    assert r.smembers(b"set:listpack") == {b"a", b"b", b"c", b"1"}
    assert r.object("encoding", "set:listpack") == b"listpack"
    z = r.zrange(b"zset:small", 0, -1, withscores=True)
    assert z == [(b"e", float("-inf")), (b"c", -3.0), (b"a", 1.0), (b"b", 2.5), (b"d", float("inf"))]
    assert r.object("encoding", "zset:small") == b"listpack"
    if exp > now_ms + 2000:
        assert r.get(b"str:expiring") == b"soon"
        assert abs(r.pexpiretime(b"str:expiring") - exp) <= 1
        assert r.dbsize() == 12
    else:
        assert r.exists(b"str:expiring") == 0
    r.execute_command("SELECT", 3)
    assert r.execute_command("GET", "db3:key") == b"value"


def start_with_file(start_server, tmp_path, name, **config):
    install_sample(name, tmp_path)
    cfg = {"dir": str(tmp_path), "dbfilename": "dump.rdb"}
    cfg.update(config)
    return start_server(config=cfg)


@pytest.mark.parametrize("name", ["valkey8-small-encodings.rdb", "redis7.0-small-encodings.rdb"])
def test_load_small_samples(start_server, tmp_path, name):
    srv = start_with_file(start_server, tmp_path, name)
    r = srv.client()
    expect_small_encodings(r, sample(name))
    inf = info_fields(r)
    assert int(inf["rdb_last_load_keys_loaded"]) + int(inf["rdb_last_load_keys_expired"]) == 13
    assert inf["loading"] == "0"


def test_load_large_sample(start_server, tmp_path):
    srv = start_with_file(start_server, tmp_path, "valkey8-large-encodings.rdb")
    r = srv.client()
    assert r.get(b"str:compressible") == b"abcdefgh" * 200
    assert r.lrange(b"list:big", 0, -1) == [b"item%d" % i for i in range(1000)]
    assert r.object("encoding", "list:big") == b"quicklist"
    assert r.lrange(b"list:plain", 0, -1) == [b"x" * 10000, b"small"]
    h = r.hgetall(b"hash:big")
    assert h == {b"field%d" % i: b"val%d" % i for i in range(600)}
    assert r.object("encoding", "hash:big") == b"hashtable"
    assert r.smembers(b"set:intset:big") == {str(i).encode() for i in range(1000)}
    assert r.smembers(b"set:hashtable") == {b"m%d" % i for i in range(600)}
    assert r.object("encoding", "set:hashtable") == b"hashtable"
    z = r.zrange(b"zset:big", 0, -1, withscores=True)
    assert z == [(b"member%d" % i, i + 0.5) for i in range(200)]
    assert r.object("encoding", "zset:big") == b"skiplist"
    assert r.get(b"str:expire_s") == b"v"
    assert r.hget(b"hash:longval", b"f") == b"y" * 100
    assert r.object("encoding", "hash:longval") == b"hashtable"


def populate(r):
    r.set("s:int", 42)
    r.set("s:raw", "x" * 100)
    r.set("s:comp", "ab" * 500)
    r.set("s:bin", b"\x00\xff\x01")
    r.set("s:ttl", "v", px=100000000)
    r.rpush("l:small", "a", 1, "-2", "z" * 70)
    r.rpush("l:big", *["e%d" % i for i in range(3000)])
    r.hset("h:small", mapping={"a": "1", "b": "x"})
    r.hset("h:big", mapping={"f%d" % i: "v%d" % i for i in range(300)})
    r.sadd("st:int", 1, 2, 3, -9)
    r.sadd("st:lp", "a", "b", 7)
    r.sadd("st:ht", *["m%d" % i for i in range(300)])
    r.zadd("z:small", {"a": 1, "b": -2.5, "c": float("inf")})
    r.zadd("z:big", {"m%d" % i: i / 3 for i in range(300)})
    r.execute_command("SELECT", 5)
    r.set("db5", "yes")
    r.execute_command("SELECT", 0)


def digest(r):
    return r.execute_command("DEBUG", "DIGEST")


@pytest.mark.parametrize("compression", ["yes", "no"])
def test_save_restart_roundtrip(start_server, tmp_path, compression):
    cfg = {"dir": str(tmp_path), "rdbcompression": compression}
    srv = start_server(config=cfg)
    r = srv.client()
    populate(r)
    before = digest(r)
    assert r.execute_command("SAVE") in (True, b"OK")
    srv.stop()
    data = open(os.path.join(str(tmp_path), "dump.rdb"), "rb").read()
    assert data[:9] == b"REDIS0011"
    assert crc64(data[:-8]) == int.from_bytes(data[-8:], "little")
    assert b"valkey-ver" in data[:40]
    srv2 = start_server(config=cfg)
    r2 = srv2.client()
    assert digest(r2) == before
    assert r2.get("s:comp") == b"ab" * 500
    assert 0 < r2.pttl("s:ttl") <= 100000000
    assert r2.dbsize() == 14


def test_debug_reload_keeps_digest(server):
    r = server.client()
    populate(r)
    before = digest(r)
    assert r.execute_command("DEBUG", "RELOAD") in (True, b"OK")
    assert digest(r) == before


@pytest.mark.parametrize("nkeys", [1, 5, 6, 10, 11, 15, 16, 17, 33, 2000])
def test_save_window_sizes(server, nkeys):
    """The save loop reads entries ahead of the one it writes (prefetch
    window of 16, stages at 10 and 5): every key is saved exactly once at
    sizes around those edges, whatever the mix of value shapes."""
    r = server.client()
    r.flushall()
    for i in range(nkeys):
        k = "k%d" % i
        if i % 4 == 0:
            r.set(k, "v" * (i % 70))          # short: packed entry
        elif i % 4 == 1:
            r.set(k, "x" * 1000)              # long string: separate value
        elif i % 4 == 2:
            r.set(k, i)                       # integer
        else:
            r.rpush(k, "a", "b")
    r.set("other-db", "1") if nkeys % 2 else None
    before = digest(r)
    assert r.execute_command("DEBUG", "RELOAD") in (True, b"OK")
    assert r.dbsize() == nkeys + (nkeys % 2)
    assert digest(r) == before


def test_checksum_disabled_writes_zero_trailer(start_server, tmp_path):
    cfg = {"dir": str(tmp_path), "rdbchecksum": "no"}
    srv = start_server(config=cfg)
    r = srv.client()
    r.set("k", "v")
    r.execute_command("SAVE")
    srv.stop()
    data = open(os.path.join(str(tmp_path), "dump.rdb"), "rb").read()
    assert data[-8:] == b"\x00" * 8
    srv2 = start_server(config={"dir": str(tmp_path)})  # checksum on: a zero trailer is skipped
    assert srv2.client().get("k") == b"v"


def test_lastsave_and_bgsave(start_server, tmp_path):
    srv = start_server(config={"dir": str(tmp_path)})
    r = srv.client()
    r.set("a", "1")
    assert r.execute_command("BGSAVE") in (b"Background saving started", "Background saving started", True)
    wait_bgsave_done(r)
    inf = info_fields(r)
    assert inf["rdb_last_bgsave_status"] == "ok"
    assert inf["rdb_changes_since_last_save"] == "0"
    assert int(inf["rdb_saves"]) >= 1
    assert abs(r.lastsave().timestamp() - time.time()) < 30 if hasattr(r.lastsave(), "timestamp") else True
    assert os.path.exists(os.path.join(str(tmp_path), "dump.rdb"))
    assert not [f for f in os.listdir(str(tmp_path)) if f.startswith("temp-")]


def test_bgsave_in_progress_errors(start_server, tmp_path):
    srv = start_server(config={"dir": str(tmp_path), "rdb-key-save-delay": "200000"})
    r = srv.client()
    for i in range(20):
        r.set("k%d" % i, i)
    r.execute_command("BGSAVE")
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("BGSAVE")
    assert str(e.value) == "Background save already in progress"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("SAVE")
    assert str(e.value) == "Background save already in progress"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("BGSAVE", "FOO")
    assert str(e.value) == "syntax error"
    assert info_fields(r)["rdb_bgsave_in_progress"] == "1"
    r.config_set("rdb-key-save-delay", 0)


def test_bgsave_failure_refuses_writes(start_server, tmp_path):
    d = tmp_path / "gone"
    d.mkdir()
    srv = start_server(config={"dir": str(d), "save": "3600 1"})
    r = srv.client()
    r.set("x", 1)
    shutil.rmtree(str(d))
    r.execute_command("BGSAVE")
    assert wait_for(lambda: info_fields(r)["rdb_last_bgsave_status"] == "err", 20)
    with pytest.raises(redis.ResponseError) as e:
        r.set("y", 1)
    assert str(e.value).startswith("MISCONF ")
    assert "stop-writes-on-bgsave-error" in str(e.value)
    assert r.get("x") == b"1"  # reads still work
    r.config_set("stop-writes-on-bgsave-error", "no")
    assert r.set("y", 1)


def test_kill_child_during_bgsave_keeps_old_file(start_server, tmp_path):
    srv = start_server(config={"dir": str(tmp_path)})
    r = srv.client()
    r.set("old", "1")
    r.execute_command("SAVE")
    path = os.path.join(str(tmp_path), "dump.rdb")
    old = open(path, "rb").read()
    for i in range(50):
        r.set("k%d" % i, i)
    r.config_set("rdb-key-save-delay", 100000)
    r.execute_command("BGSAVE")
    pid = int(info_fields(r, "server")["process_id"])
    children = []
    assert wait_for(lambda: children.extend(_children(pid)) or children, 5)
    time.sleep(0.3)
    for c in children:
        os.kill(c, signal.SIGKILL)
    assert wait_for(lambda: info_fields(r)["rdb_bgsave_in_progress"] == "0", 10)
    assert open(path, "rb").read() == old
    assert info_fields(r)["rdb_last_bgsave_status"] == "err"
    assert not [f for f in os.listdir(str(tmp_path)) if f.startswith("temp-")]
    r.config_set("rdb-key-save-delay", 0)


def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def corrupt_copy(tmp_path, name, mutate):
    data = bytearray(open(sample(name), "rb").read())
    data = mutate(data)
    p = os.path.join(str(tmp_path), "dump.rdb")
    open(p, "wb").write(bytes(data))
    return p


def run_check(path):
    return subprocess.run([check_rdb_bin(), path], capture_output=True, text=True, errors="replace", timeout=30)


def test_check_rdb_ok_on_samples():
    for name in ["valkey8-small-encodings.rdb", "redis7.0-small-encodings.rdb", "valkey8-large-encodings.rdb"]:
        p = run_check(sample(name))
        assert p.returncode == 0, p.stdout
        lines = p.stdout.splitlines()
        assert lines[0] == "[offset 0] Checking RDB file %s" % sample(name)
        assert "\\o/ RDB looks OK! \\o/" in p.stdout
        assert "Checksum OK" in p.stdout
    p = run_check(sample("valkey8-small-encodings.rdb"))
    assert "[offset 33] AUX FIELD valkey-ver = '255.255.255'" in p.stdout
    assert "[info] 13 keys read" in p.stdout
    assert "[info] 1 expires" in p.stdout


@pytest.mark.parametrize("cut", [5, 20, 100, 200, 400, 452])
def test_check_rdb_truncated(tmp_path, cut):
    p = corrupt_copy(tmp_path, "valkey8-small-encodings.rdb", lambda d: d[:cut])
    res = run_check(p)
    assert res.returncode == 1
    assert "--- RDB ERROR DETECTED ---" in res.stdout


def test_check_rdb_bad_checksum(tmp_path):
    def flip(d):
        d[0x9f] ^= 0x01  # inside "hello"
        return d
    res = run_check(corrupt_copy(tmp_path, "valkey8-small-encodings.rdb", flip))
    assert res.returncode == 1
    assert "Wrong RDB checksum" in res.stdout


def test_server_refuses_corrupt_file(tmp_path):
    corrupt_copy(tmp_path, "valkey8-small-encodings.rdb", lambda d: d[:300])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.run([SERVER_BIN, "--port", str(port), "--dir", str(tmp_path)], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 1
    assert "Short read" in p.stdout + p.stderr or "Fatal error loading" in p.stdout + p.stderr


def test_fuzzed_files_never_crash(tmp_path):
    import random
    rnd = random.Random(7)
    src = open(sample("valkey8-small-encodings.rdb"), "rb").read()
    for i in range(60):
        d = bytearray(src[:-8])
        for _ in range(rnd.randint(1, 4)):
            d[rnd.randrange(9, len(d))] = rnd.randrange(256)
        d += b"\x00" * 8  # checksum disabled so the mutated content gets parsed
        p = os.path.join(str(tmp_path), "f.rdb")
        open(p, "wb").write(bytes(d))
        res = run_check(p)
        assert res.returncode in (0, 1), (i, res.returncode, res.stdout[-500:])


def test_load_redis7_written_file(start_server, tmp_path):
    ref = shutil.which("redis-server")
    if not ref:
        pytest.skip("redis-server not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refdir = tmp_path / "ref"
    refdir.mkdir()
    proc = subprocess.Popen([ref, "--port", str(port), "--dir", str(refdir), "--save", ""],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        rr = redis.Redis(port=port)
        assert wait_for(lambda: _ping(rr), 10)
        populate(rr)
        expected = {}
        for db in (0, 5):
            rr.execute_command("SELECT", db)
            for k in rr.keys("*"):
                expected[(db, k)] = (rr.type(k), rr.dump(k) and _value(rr, k))
        rr.execute_command("SELECT", 0)
        rr.execute_command("SAVE")
    finally:
        proc.terminate()
        proc.wait(10)
    mydir = tmp_path / "mine"
    mydir.mkdir()
    shutil.copyfile(str(refdir / "dump.rdb"), str(mydir / "dump.rdb"))
    srv = start_server(config={"dir": str(mydir)})
    r = srv.client()
    for (db, k), (t, v) in expected.items():
        r.execute_command("SELECT", db)
        assert r.type(k) == t
        assert _value(r, k) == v, k


def _ping(r):
    try:
        return r.ping()
    except redis.ConnectionError:
        return False


def _value(r, k):
    t = r.type(k)
    if t == b"string":
        return r.get(k)
    if t == b"list":
        return r.lrange(k, 0, -1)
    if t == b"hash":
        return r.hgetall(k)
    if t == b"set":
        return r.smembers(k)
    if t == b"zset":
        return r.zrange(k, 0, -1, withscores=True)
    return None


def test_save_schedule_triggers_bgsave(start_server, tmp_path):
    srv = start_server(config={"dir": str(tmp_path)})
    r = srv.client()
    r.config_set("save", "1 1")
    r.set("a", 1)
    r.set("b", 2)
    assert wait_for(lambda: os.path.exists(os.path.join(str(tmp_path), "dump.rdb")) and
                    info_fields(r)["rdb_changes_since_last_save"] == "0", 15)
    assert info_fields(r)["rdb_last_bgsave_status"] == "ok"


def test_shutdown_saves_with_schedule(start_server, tmp_path):
    srv = start_server(config={"dir": str(tmp_path)})
    r = srv.client()
    r.config_set("save", "3600 1")
    r.set("persisted", "yes")
    try:
        r.shutdown()
    except redis.ConnectionError:
        pass
    assert wait_for(lambda: os.path.exists(os.path.join(str(tmp_path), "dump.rdb")), 10)
    srv2 = start_server(config={"dir": str(tmp_path)})
    assert srv2.client().get("persisted") == b"yes"
