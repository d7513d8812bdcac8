"""Append-only file: the multi-part layout (manifest, base, incr files),
durability across kill -9, BGREWRITEAOF, truncated tails, enabling AOF at
runtime, and valkey-check-aof."""
import os
import signal
import subprocess
import time

import pytest

from conftest import SERVER_BIN
from kvutil import Conn, err


def check_aof_bin():
    return os.path.join(os.path.dirname(os.path.abspath(SERVER_BIN)), "valkey-check-aof")


def aofdir(h):
    return os.path.join(h.dir, "appendonlydir")


def manifest(h):
    with open(os.path.join(aofdir(h), "appendonly.aof.manifest")) as f:
        return f.read()


def info_persistence(c):
    return c.info("persistence")


def wait_rewrite_done(c, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        i = info_persistence(c)
        if not i["aof_rewrite_in_progress"] and not i["aof_rewrite_scheduled"] and i["aof_enabled"]:
            return i
        time.sleep(0.05)
    raise AssertionError("AOF rewrite did not finish")


def fill_every_type(c):
    c.set("str", "hello")
    c.set("int", 12345)
    c.incrbyfloat("float", "1.5")
    c.append("str", " world")
    c.setrange("range", 5, "x")
    c.setbit("bits", 100, 1)
    c.set("vol", "v", px=10_000_000)
    c.rpush("list", *[str(i) for i in range(50)])
    c.lpush("biglist", *["x" * 100 for _ in range(200)])
    c.lpop("list")
    c.sadd("iset", 1, 2, 3)
    c.sadd("lpset", "a", "b", "c")
    c.sadd("bigset", *["m%d" % i for i in range(600)])
    c.srem("bigset", "m1")
    c.zadd("zset", {"a": 1, "b": 2.5, "c": -3})
    c.zadd("bigzset", {"m%d" % i: i for i in range(300)})
    c.zincrby("zset", 2, "a")
    c.hset("hash", mapping={"f1": "v1", "f2": "v2"})
    c.hset("bighash", mapping={"f%d" % i: "v" * 80 for i in range(200)})
    c.hdel("hash", "f2")
    c.hincrby("hash", "n", 7)
    for i in range(5):
        c.xadd("stream", {"f": i})
    c.xgroup_create("stream", "g1", id="0")
    c.xreadgroup("g1", "consumer", {"stream": ">"}, count=2)
    c.pfadd("hll", *["e%d" % i for i in range(100)])
    c.expire("int", 100000)
    c.delete("range")
    c.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('incr', KEYS[2])", 2, "lua1", "lua2", "val")
    p = c.pipeline(transaction=True)
    p.set("tx1", "a")
    p.incr("tx2")
    p.lpush("txlist", "z")
    p.execute()
    c.execute_command("SELECT", 5)
    c.set("db5", "five")
    c.execute_command("SELECT", 0)
    c.execute_command("MOVE", "lpset", 3)
    c.execute_command("COPY", "zset", "zset-copy")
    c.rename("bits", "bits2")


def digest(c):
    return c.execute_command("DEBUG", "DIGEST")


def crash_and_restart(h):
    h.stop(signal.SIGKILL)
    h.start()
    return h.client()


@pytest.mark.parametrize("fsync", ["always", "everysec", "no"])
def test_every_type_survives_kill9(start_server, fsync):
    h = start_server(config={"appendonly": "yes", "appendfsync": fsync})
    c = h.client()
    c.select(0)
    fill_every_type(c)
    before = digest(c)
    assert before != b"0" * 40
    c = crash_and_restart(h)
    assert digest(c) == before
    assert c.ttl("vol") > 9000
    assert c.get("lua1") == b"val"
    c5 = h.client(db=5)
    assert c5.get("db5") == b"five"
    assert "DB loaded from append only file" in h.log()


def test_fresh_start_files_and_manifest(start_server):
    h = start_server(config={"appendonly": "yes"})
    files = sorted(os.listdir(aofdir(h)))
    assert files == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]
    assert manifest(h) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
    with open(os.path.join(aofdir(h), "appendonly.aof.1.base.rdb"), "rb") as f:
        data = f.read()
    assert data.startswith(b"REDIS0011") and b"aof-base" in data
    c = h.client()
    c.set("k", "v")
    with open(os.path.join(aofdir(h), "appendonly.aof.1.incr.aof"), "rb") as f:
        assert f.read() == b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"


def test_custom_names(start_server):
    h = start_server(config={"appendonly": "yes", "appendfilename": "my.aof", "appenddirname": "mydir"})
    assert sorted(os.listdir(os.path.join(h.dir, "mydir"))) == ["my.aof.1.base.rdb", "my.aof.1.incr.aof",
                                                                 "my.aof.manifest"]
    c = h.client()
    c.set("a", "1")
    c = crash_and_restart(h)
    assert c.get("a") == b"1"


def test_info_fields(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    i = info_persistence(c)
    assert i["aof_enabled"] == 1
    assert i["aof_rewrite_in_progress"] == 0
    assert i["aof_rewrite_scheduled"] == 0
    assert i["aof_last_rewrite_time_sec"] == -1
    assert i["aof_current_rewrite_time_sec"] == -1
    assert i["aof_last_bgrewrite_status"] == "ok"
    assert i["aof_rewrites"] == 0
    assert i["aof_last_write_status"] == "ok"
    base = i["aof_base_size"]
    assert i["aof_current_size"] == base
    c.set("k", "v" * 100)
    i = info_persistence(c)
    assert i["aof_current_size"] > base
    assert i["aof_buffer_length"] == 0
    h2 = start_server()
    i2 = info_persistence(h2.client())
    assert i2["aof_enabled"] == 0 and "aof_current_size" not in i2


def test_bgrewriteaof_then_restart(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    fill_every_type(c)
    assert c.bgrewriteaof() in (True, b"Background append only file rewriting started")
    i = wait_rewrite_done(c)
    assert i["aof_rewrites"] == 1 and i["aof_last_bgrewrite_status"] == "ok"
    assert manifest(h) == ("file appendonly.aof.2.base.rdb seq 2 type b\n"
                           "file appendonly.aof.2.incr.aof seq 2 type i\n")
    assert sorted(os.listdir(aofdir(h))) == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                                             "appendonly.aof.manifest"]
    c.set("after", "rewrite")
    c.lpush("list", "more")
    before = digest(c)
    c = crash_and_restart(h)
    assert digest(c) == before
    # A second rewrite keeps numbering.
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    assert "seq 3 type b" in manifest(h) and "appendonly.aof.3.incr.aof" in manifest(h)
    assert digest(crash_and_restart(h)) == before


def test_bgrewriteaof_replies(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.execute_command("DEBUG", "POPULATE", 20000)
    k = Conn(h.port)
    # Pipelined: the BGSAVE child is certainly still running when BGREWRITEAOF arrives.
    k.send("BGSAVE")
    k.send("BGREWRITEAOF")
    assert k.read() == "Background saving started"
    assert k.read() == "Background append only file rewriting scheduled"
    i = wait_rewrite_done(c)
    assert i["aof_rewrites"] == 1
    k.send("BGREWRITEAOF")
    k.send("BGREWRITEAOF")
    assert k.read() == "Background append only file rewriting started"
    assert k.read() == err("ERR Background append only file rewriting already in progress")
    assert k("BGREWRITEAOF", "x") == err("ERR wrong number of arguments for 'bgrewriteaof' command")
    wait_rewrite_done(c)
    assert c.dbsize() == 20000


def test_rewrite_while_writing_loses_nothing(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.execute_command("DEBUG", "POPULATE", 50000)
    c.execute_command("BGREWRITEAOF")
    for i in range(300):
        c.incr("counter")
        c.rpush("log", i)
    wait_rewrite_done(c)
    for i in range(50):
        c.incr("counter")
    before = digest(c)
    c = crash_and_restart(h)
    assert digest(c) == before
    assert c.get("counter") == b"350"


def append_to_incr(h, data, seq=1):
    path = os.path.join(aofdir(h), "appendonly.aof.%d.incr.aof" % seq)
    with open(path, "ab") as f:
        f.write(data)
    return path


def test_truncated_incr_loads_with_aof_load_truncated_yes(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.set("a", "1")
    c.rpush("l", "x", "y")
    before = digest(c)
    h.stop(signal.SIGKILL)
    path = append_to_incr(h, b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhel")
    good_size = os.path.getsize(path) - len(b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhel")
    h.start()
    c = h.client()
    assert digest(c) == before
    assert c.get("b") is None
    log = h.log()
    assert "!!! Warning: short read while loading the AOF file" in log
    assert "loaded anyway because aof-load-truncated is enabled" in log
    assert os.path.getsize(path) == good_size
    c.set("b", "2")
    after = digest(c)
    assert digest(crash_and_restart(h)) == after


def test_truncated_incr_fails_with_aof_load_truncated_no(start_server):
    h = start_server(config={"appendonly": "yes", "aof-load-truncated": "no"})
    h.client().set("a", "1")
    h.stop(signal.SIGKILL)
    append_to_incr(h, b"*2\r\n$3\r\nGET\r\n$1")
    h.start(wait=False)
    assert h.proc.wait(10) == 1
    assert "Unexpected end of file reading the append only file" in h.log()


def test_incomplete_multi_is_reverted(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.set("a", "1")
    h.stop(signal.SIGKILL)
    append_to_incr(h, b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n")
    h.start()
    c = h.client()
    assert c.get("a") == b"1" and c.get("b") is None
    assert "Revert incomplete MULTI/EXEC transaction in AOF file" in h.log()


def test_bad_format_fails(start_server):
    h = start_server(config={"appendonly": "yes"})
    h.client().set("a", "1")
    h.stop(signal.SIGKILL)
    append_to_incr(h, b"garbage\r\n")
    h.start(wait=False)
    assert h.proc.wait(10) == 1
    assert "Bad file format reading the append only file" in h.log()


def test_dump_rdb_ignored_when_aof_on(start_server):
    h = start_server()
    c = h.client()
    c.set("from-rdb", "1")
    c.save()
    h.stop()
    h.config["appendonly"] = "yes"
    h.start()
    assert h.client().get("from-rdb") is None


def test_config_set_appendonly_at_runtime(start_server):
    h = start_server()
    c = h.client()
    fill_every_type(c)
    assert not os.path.exists(aofdir(h))
    assert c.config_set("appendonly", "yes")
    i = wait_rewrite_done(c)
    assert i["aof_enabled"] == 1 and i["aof_rewrites"] == 1
    m = manifest(h)
    assert m == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                 "file appendonly.aof.1.incr.aof seq 1 type i\n")
    c.set("after", "on")
    before = digest(c)
    h.stop(signal.SIGKILL)
    h.config["appendonly"] = "yes"
    h.start()
    assert digest(h.client()) == before


def test_config_set_appendonly_off_then_on(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.set("a", "1")
    assert c.config_set("appendonly", "no")
    assert info_persistence(c)["aof_enabled"] == 0
    c.set("b", "2")
    assert c.config_set("appendonly", "yes")
    wait_rewrite_done(c)
    assert "seq 2 type b" in manifest(h)
    assert sorted(os.listdir(aofdir(h))) == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                                             "appendonly.aof.manifest"]
    c.set("c", "3")
    before = digest(c)
    assert digest(crash_and_restart(h)) == before


def test_auto_rewrite(start_server):
    h = start_server(config={"appendonly": "yes", "auto-aof-rewrite-min-size": "10kb",
                             "auto-aof-rewrite-percentage": "100"})
    c = h.client()
    for i in range(200):
        c.set("k%d" % i, "v" * 100)
    end = time.time() + 10
    while time.time() < end and info_persistence(c)["aof_rewrites"] < 1:
        time.sleep(0.05)
    assert info_persistence(c)["aof_rewrites"] >= 1
    assert "Starting automatic rewriting of AOF on" in h.log()
    wait_rewrite_done(c)
    before = digest(c)
    assert digest(crash_and_restart(h)) == before


def test_shutdown_flushes(start_server):
    h = start_server(config={"appendonly": "yes", "appendfsync": "no"})
    c = h.client()
    c.set("x", "y")
    h.stop()  # SIGTERM: graceful
    h.start()
    assert h.client().get("x") == b"y"


def run_check(*args, stdin=None):
    return subprocess.run([check_aof_bin(), *args], capture_output=True, text=True, input=stdin, timeout=30)


def test_check_aof_valid_manifest(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    fill_every_type(c)
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    c.set("tail", "1")
    mpath = os.path.join(aofdir(h), "appendonly.aof.manifest")
    r = run_check(mpath)
    assert r.returncode == 0, r.stdout
    assert "Start checking Multi Part AOF" in r.stdout
    assert "Start to check BASE AOF (RDB format)." in r.stdout
    assert "RDB preamble is OK, proceeding with AOF tail..." in r.stdout
    assert "All AOF files and manifest are valid" in r.stdout
    incr = os.path.join(aofdir(h), "appendonly.aof.2.incr.aof")
    size = os.path.getsize(incr)
    assert "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=" % (incr, size, size) in r.stdout
    assert "INCR AOF %s is valid" % incr in r.stdout


def test_check_aof_truncated_and_fix(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.set("a", "1")
    h.stop(signal.SIGKILL)
    path = os.path.join(aofdir(h), "appendonly.aof.1.incr.aof")
    good = os.path.getsize(path)
    tail = b"*3\r\n$3\r\nSET\r\n$1\r\nb"
    append_to_incr(h, tail)
    r = run_check(path)
    assert r.returncode == 1
    assert ("AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=17, diff=%d"
            % (path, good + len(tail), good, len(tail))) in r.stdout
    assert "AOF %s is not valid. Use the --fix option to try fixing it." % path in r.stdout
    mpath = os.path.join(aofdir(h), "appendonly.aof.manifest")
    assert run_check(mpath).returncode == 1
    r = run_check("--fix", mpath, stdin="y\n")
    assert r.returncode == 0, r.stdout
    assert "Successfully truncated AOF %s" % path in r.stdout
    assert os.path.getsize(path) == good
    r = run_check(mpath)
    assert r.returncode == 0 and "All AOF files and manifest are valid" in r.stdout
    h.config["aof-load-truncated"] = "no"
    h.start()
    assert h.client().get("a") == b"1"


def test_check_aof_single_file_and_usage(tmp_path):
    p = tmp_path / "plain.aof"
    p.write_bytes(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
    r = run_check(str(p))
    assert r.returncode == 0
    assert "AOF %s is valid" % p in r.stdout
    p.write_bytes(b"*1\r\n$4\r\nEXEC\r\n")
    assert run_check(str(p)).returncode == 1
    r = run_check()
    assert r.returncode == 1 and "Usage:" in r.stdout


def test_check_aof_truncate_to_timestamp(tmp_path):
    p = tmp_path / "ts.aof"
    p.write_bytes(b"#TS:100\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
                  b"#TS:200\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n")
    r = run_check("--truncate-to-timestamp", "150", str(p))
    assert r.returncode == 0, r.stdout
    assert "Successfully truncated AOF %s to timestamp 150" % p in r.stdout
    assert p.read_bytes() == b"#TS:100\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"


@pytest.mark.parametrize("dual", ["no", "yes"])
def test_replica_aof_records_primary_stream(start_server, dual):
    from replutil import replica_of, wait_sync
    primary = start_server()
    pc = primary.client()
    pc.set("before-sync", "1")
    pc.rpush("l", "a", "b")
    replica = start_server(config={"appendonly": "yes", "dual-channel-replication-enabled": dual})
    rc = replica.client()
    rc.set("stale", "gone after sync")
    replica_of(replica, primary)
    wait_sync(primary, replica)
    wait_rewrite_done(rc)
    fill_every_type(pc)
    wait_sync(primary, replica)
    before = digest(pc)
    assert digest(rc) == before
    replica.stop(signal.SIGKILL)
    # Restart detached from the primary: the AOF alone must rebuild the dataset.
    replica.start()
    rc = replica.client()
    assert rc.get("stale") is None
    assert digest(rc) == before


def test_resp_base_without_rdb_preamble(start_server):
    h = start_server(config={"appendonly": "yes", "aof-use-rdb-preamble": "no"})
    assert "file appendonly.aof.1.base.aof seq 1 type b\n" in manifest(h)
    c = h.client()
    fill_every_type(c)
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    assert manifest(h) == ("file appendonly.aof.2.base.aof seq 2 type b\n"
                           "file appendonly.aof.2.incr.aof seq 2 type i\n")
    with open(os.path.join(aofdir(h), "appendonly.aof.2.base.aof"), "rb") as f:
        assert f.read(32).startswith(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*")
    c.set("tail", "x")
    before = digest(c)
    c = crash_and_restart(h)
    assert digest(c) == before
    assert c.ttl("vol") > 9000
    r = run_check(os.path.join(aofdir(h), "appendonly.aof.manifest"))
    assert r.returncode == 0 and "Start to check BASE AOF (RESP format)." in r.stdout


def test_timestamp_annotations(start_server):
    h = start_server(config={"appendonly": "yes", "aof-timestamp-enabled": "yes"})
    c = h.client()
    c.set("a", "1")
    c.set("b", "2")
    with open(os.path.join(aofdir(h), "appendonly.aof.1.incr.aof"), "rb") as f:
        data = f.read()
    assert data.startswith(b"#TS:") and data.count(b"#TS:") <= 2
    before = digest(c)
    assert digest(crash_and_restart(h)) == before
    r = run_check(os.path.join(aofdir(h), "appendonly.aof.manifest"))
    assert r.returncode == 0, r.stdout


def test_old_style_single_file_is_upgraded(start_server, tmp_path):
    (tmp_path / "appendonly.aof").write_bytes(
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n")
    h = start_server(config={"appendonly": "yes"}, workdir=str(tmp_path))
    c = h.client()
    assert c.get("old") == b"style"
    assert not (tmp_path / "appendonly.aof").exists()
    assert manifest(h) == ("file appendonly.aof seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
    c.set("new", "1")
    c = crash_and_restart(h)
    assert c.get("old") == b"style" and c.get("new") == b"1"


@pytest.mark.skipif(not os.path.exists("/usr/bin/redis-server"), reason="needs redis-server 7.0")
def test_loads_files_written_by_redis_7(start_server, tmp_path):
    # always: with everysec redis postpones writes while a background fsync runs.
    peer = start_server(binary="/usr/bin/redis-server", config={"appendonly": "yes", "appendfsync": "always"},
                        workdir=str(tmp_path))
    pc = peer.client()
    pc.set("s", "v")
    pc.rpush("l", 1, 2, 3)
    pc.hset("h", mapping={"a": "1"})
    pc.zadd("z", {"m": 2})
    pc.sadd("set", "x")
    pc.execute_command("BGREWRITEAOF")
    end = time.time() + 10
    while time.time() < end and (pc.info("persistence")["aof_rewrite_in_progress"]
                                 or pc.info("persistence")["aof_rewrite_scheduled"]):
        time.sleep(0.05)
    pc.set("after", "rewrite")
    pc.incr("n")
    peer.stop(signal.SIGKILL)
    h = start_server(config={"appendonly": "yes"}, workdir=str(tmp_path))
    c = h.client()
    assert c.get("s") == b"v" and c.lrange("l", 0, -1) == [b"1", b"2", b"3"]
    assert c.hgetall("h") == {b"a": b"1"} and c.zscore("z", "m") == 2 and c.smembers("set") == {b"x"}
    assert c.get("after") == b"rewrite" and c.get("n") == b"1"
    r = run_check(os.path.join(aofdir(h), "appendonly.aof.manifest"))
    assert r.returncode == 0, r.stdout


def test_invalid_manifest_or_missing_file_fails(start_server):
    h = start_server(config={"appendonly": "yes"})
    h.client().set("a", "1")
    h.stop(signal.SIGKILL)
    mpath = os.path.join(aofdir(h), "appendonly.aof.manifest")
    with open(mpath, "w") as f:
        f.write("file appendonly.aof.1.base.rdb seq x type b\n")
    h.start(wait=False)
    assert h.proc.wait(10) == 1
    assert "Invalid AOF manifest file format" in h.log()
    with open(mpath, "w") as f:
        f.write("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.7.incr.aof seq 7 type i\n")
    h.start(wait=False)
    assert h.proc.wait(10) == 1
    assert "can't open the append log file" in h.log()


def test_loading_does_not_count_as_changes(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    for i in range(100):
        c.set("k%d" % i, i)
    c = crash_and_restart(h)
    assert c.info("persistence")["rdb_changes_since_last_save"] == 0
    assert c.dbsize() == 100


def test_enable_while_bgsave_runs_is_scheduled(start_server):
    h = start_server()
    c = h.client()
    c.execute_command("DEBUG", "POPULATE", 20000)
    k = Conn(h.port)
    k.send("BGSAVE")
    k.send("CONFIG", "SET", "appendonly", "yes")
    assert k.read() == "Background saving started"
    assert k.read() == "OK"
    i = wait_rewrite_done(c)
    assert i["aof_enabled"] == 1 and i["aof_rewrites"] == 1
    assert "An AOF background was scheduled to start when possible" in h.log()
    c.set("x", "1")
    before = digest(c)
    h.stop(signal.SIGKILL)
    h.config["appendonly"] = "yes"
    h.start()
    assert digest(h.client()) == before


def test_bgrewriteaof_with_aof_off_writes_base_only(start_server):
    h = start_server(config={"appendonly": "yes"})
    c = h.client()
    c.incr("n")
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    c.incr("n")
    assert c.config_set("appendonly", "no")
    c.incr("n")
    assert Conn(h.port)("BGREWRITEAOF") == "Background append only file rewriting started"
    end = time.time() + 10
    while time.time() < end and (info_persistence(c)["aof_rewrite_in_progress"] or info_persistence(c)["aof_rewrites"] < 2):
        time.sleep(0.05)
    assert manifest(h) == "file appendonly.aof.3.base.rdb seq 3 type b\n"
    assert sorted(os.listdir(aofdir(h))) == ["appendonly.aof.3.base.rdb", "appendonly.aof.manifest"]
    h.stop(signal.SIGKILL)
    h.config["appendonly"] = "yes"
    h.start()
    assert h.client().get("n") == b"3"
    # Incr numbering restarts from the manifest (no incr lines left), as in Valkey.
    assert manifest(h) == ("file appendonly.aof.3.base.rdb seq 3 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n")


def test_full_sync_waits_for_rewrite_child(start_server):
    from replutil import replica_of, wait_sync, assert_same_data
    primary = start_server(config={"appendonly": "yes"})
    pc = primary.client()
    pc.execute_command("DEBUG", "POPULATE", 50000)
    replica = start_server()
    pc.execute_command("BGREWRITEAOF")
    replica_of(replica, primary)
    for i in range(100):
        pc.incr("n")
    wait_sync(primary, replica)
    assert_same_data(primary, replica)
    i = wait_rewrite_done(pc)
    assert i["aof_last_bgrewrite_status"] == "ok"
    before = digest(pc)
    assert digest(crash_and_restart(primary)) == before


def test_config_set_appendonly_fails_when_dir_is_unusable(start_server):
    h = start_server(config={"appenddirname": "blocked"})
    with open(os.path.join(h.dir, "blocked"), "w") as f:
        f.write("a file where the directory should be")
    k = Conn(h.port)
    assert k("CONFIG", "SET", "appendonly", "yes") == err(
        "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs.")
    assert k("CONFIG", "GET", "appendonly") == [b"appendonly", b"no"]
    assert info_persistence(h.client())["aof_enabled"] == 0
