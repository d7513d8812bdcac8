"""Configuration: valkey.conf loading, command-line options, fatal config
errors, CONFIG GET/SET/REWRITE/RESETSTAT/HELP.

Servers are started directly (not through the shared fixtures) because these
tests need to control the config file, read stderr and the exit status."""
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
SERVER_BIN = os.environ.get("VALKEY_SERVER_BIN", str(REPO / "src" / "valkey-server"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    def __init__(self, popen, port, conf):
        self.popen, self.port, self.conf = popen, port, conf

    def client(self, port=None):
        return redis.Redis(host="127.0.0.1", port=port or self.port, socket_timeout=5)

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def wait_ready(proc, port):
    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("server exited: " + proc.stderr.read().decode(errors="replace"))
        try:
            if redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping():
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


@pytest.fixture
def spawn(tmp_path):
    """spawn(conf_text or None, *args) -> running server on a free port."""
    procs = []

    def _spawn(conf_text=None, *args, port=None):
        port = port or free_port()
        cmd = [SERVER_BIN]
        conf = None
        if conf_text is not None:
            conf = tmp_path / "valkey.conf"
            conf.write_text(conf_text)
            cmd.append(str(conf))
        cmd += ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)] + list(args)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
        proc = Proc(p, port, conf)
        procs.append(proc)
        wait_ready(p, port)
        return proc

    yield _spawn
    for p in procs:
        p.stop()


def run_fail(tmp_path, conf_text=None, *args):
    """Runs the server expecting a startup failure; returns (rc, stderr)."""
    cmd = [SERVER_BIN]
    if conf_text is not None:
        conf = tmp_path / "bad.conf"
        conf.write_text(conf_text)
        cmd.append(str(conf))
    cmd += ["--port", str(free_port())] + list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=10, cwd=tmp_path)
    return p.returncode, p.stderr.decode(errors="replace")


def cget(r, *patterns):
    reply = r.execute_command("CONFIG", "GET", *patterns)
    if isinstance(reply, dict):
        pairs = list(reply.items())
    else:
        pairs = list(zip(reply[::2], reply[1::2]))
    out = {k.decode(): v.decode() for k, v in pairs}
    assert len(out) == len(pairs), "duplicate names in CONFIG GET reply"
    return out


# ---------------------------------------------------------------- startup

def test_startup_with_config_file(spawn):
    s = spawn(
        "# a comment\n"
        "maxmemory 1gb\n"
        "hash-max-ziplist-entries 7\n"
        "save 100 10\n"
        "save 200 20\n"
        "notify-keyspace-events Ex\n"
        "loglevel warning\n"
        'requirepass ""\n'
        'latency-tracking-info-percentiles "50 99.5"\n'
        "client-output-buffer-limit replica 1mb 2mb 3 pubsub 0 0 0\n"
        "   \t  \n"
        "lua-replicate-commands yes\n"
    )
    r = s.client()
    got = cget(r, "maxmemory", "hash-max-listpack-entries", "save", "notify-keyspace-events", "loglevel",
               "latency-tracking-info-percentiles", "client-output-buffer-limit", "requirepass")
    assert got == {
        "maxmemory": "1073741824",
        "hash-max-listpack-entries": "7",
        "save": "100 10 200 20",
        "notify-keyspace-events": "xE",
        "loglevel": "warning",
        "latency-tracking-info-percentiles": "50 99.5",
        "client-output-buffer-limit": "normal 0 0 0 slave 1048576 2097152 3 pubsub 0 0 0",
        "requirepass": "",
    }


def test_defaults(spawn):
    r = spawn().client()
    got = cget(r, "save", "client-output-buffer-limit", "maxmemory", "maxmemory-policy", "appendfsync",
               "hz", "databases", "repl-diskless-load", "sanitize-dump-payload", "supervised",
               "oom-score-adj-values", "latency-tracking-info-percentiles", "proto-max-bulk-len",
               "repl-backlog-size", "lazyfree-lazy-user-flush", "replicaof", "unixsocketperm",
               "maxmemory-clients", "shutdown-on-sigterm", "list-max-listpack-size", "dual-channel-replication-enabled")
    assert got == {
        "save": "3600 1 300 100 60 10000",
        "client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        "maxmemory": "0",
        "maxmemory-policy": "noeviction",
        "appendfsync": "everysec",
        "hz": "10",
        "databases": "16",
        "repl-diskless-load": "disabled",
        "sanitize-dump-payload": "no",
        "supervised": "no",
        "oom-score-adj-values": "0 200 800",
        "latency-tracking-info-percentiles": "50 99 99.9",
        "proto-max-bulk-len": "536870912",
        "repl-backlog-size": "1048576",
        "lazyfree-lazy-user-flush": "yes",
        "replicaof": "",
        "unixsocketperm": "0",
        "maxmemory-clients": "0",
        "shutdown-on-sigterm": "default",
        "list-max-listpack-size": "-2",
        "dual-channel-replication-enabled": "no",
    }


def test_command_line_overrides_file(spawn):
    s = spawn("maxmemory 1mb\nsave 10 1\n", "--maxmemory", "2mb", "--save", "")
    assert cget(s.client(), "maxmemory", "save") == {"maxmemory": "2097152", "save": ""}


def test_command_line_multi_word_value(spawn):
    s = spawn(None, "--save", "100 1 200 2", "--maxmemory-policy", "allkeys-lru")
    assert cget(s.client(), "save", "maxmemory-policy") == {"save": "100 1 200 2", "maxmemory-policy": "allkeys-lru"}


@pytest.mark.parametrize("value,expected", [
    ("1k", 1000), ("1kb", 1024), ("1m", 1000000), ("1mb", 1048576), ("1g", 1000000000),
    ("1gb", 1073741824), ("3GB", 3 * 1073741824), ("10Mb", 10 * 1048576), ("12345", 12345), ("7b", 7),
])
def test_memory_units(spawn, value, expected):
    s = spawn("maxmemory %s\n" % value)
    assert cget(s.client(), "maxmemory") == {"maxmemory": str(expected)}


def test_quoted_values(spawn):
    s = spawn('masterauth "a b\\x41\\n"\nproc-title-template \'{title} x\'\n')
    got = cget(s.client(), "masterauth", "primaryauth", "proc-title-template")
    assert got == {"masterauth": "a bA\n", "primaryauth": "a bA\n", "proc-title-template": "{title} x"}


def test_include(spawn, tmp_path):
    inc = tmp_path / "inc.conf"
    inc.write_text("maxmemory 5mb\nhz 20\n")
    s = spawn("hz 30\ninclude %s\nmaxmemory-samples 7\n" % inc)
    assert cget(s.client(), "maxmemory", "hz", "maxmemory-samples") == {
        "maxmemory": "5242880", "hz": "20", "maxmemory-samples": "7"}


def test_include_glob_without_matches_is_fine(spawn, tmp_path):
    s = spawn("include %s/conf.d/*.conf\nhz 12\n" % tmp_path)
    assert cget(s.client(), "hz") == {"hz": "12"}


# ---------------------------------------------------------------- fatal errors

def fatal_text(linenum, line, reason):
    return ("\n*** FATAL CONFIG FILE ERROR (Version 8.0.1) ***\n"
            "Reading the configuration file, at line %d\n>>> '%s'\n%s\n" % (linenum, line, reason))


def test_fatal_bad_directive(tmp_path):
    rc, err = run_fail(tmp_path, "port 7000\nfoo bar\n")
    assert rc == 1
    assert fatal_text(2, "foo bar", "Bad directive or wrong number of arguments") in err


@pytest.mark.parametrize("line,reason", [
    ("maxmemory 1xb", "argument must be a memory value"),
    ("maxmemory -1", "argument must be a memory value"),
    ("hz abc", "argument couldn't be parsed into an integer"),
    ("databases 0", "argument must be between 1 and 2147483647 inclusive"),
    ("maxmemory-samples 65", "argument must be between 1 and 64 inclusive"),
    ("appendonly maybe", "argument must be 'yes' or 'no'"),
    ("loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning, nothing"),
    ('requirepass "abc', "Unbalanced quotes in configuration line"),
    ("timeout 1 2", "wrong number of arguments"),
    ("save 100", "Invalid save parameters"),
    ("save 0 1", "Invalid save parameters"),
    ("client-output-buffer-limit normal 0 0", "Wrong number of arguments in buffer limit configuration."),
    ("client-output-buffer-limit master 0 0 0", "Invalid client class specified in buffer limit configuration."),
    ("notify-keyspace-events Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
    ("dbfilename a/b.rdb", "dbfilename can't be a path, just a filename"),
    ("replicaof localhost notaport", "Invalid primary port"),
    ("oom-score-adj-values 0 200", "wrong number of arguments"),
    ("latency-tracking-info-percentiles 101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
    ("shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"),
    ("maxmemory-clients 101%", "percentage argument must be less or equal to 100"),
    ("unixsocketperm 999", "argument couldn't be parsed as an octal number"),
])
def test_fatal_bad_values(tmp_path, line, reason):
    rc, err = run_fail(tmp_path, "# header\n\n" + line + "\n")
    assert rc == 1
    assert fatal_text(3, line, reason) in err


def test_fatal_in_included_file_reports_its_line(tmp_path):
    inc = tmp_path / "inc.conf"
    inc.write_text("hz 10\n\nbogus 1\n")
    rc, err = run_fail(tmp_path, "include %s\n" % inc)
    assert rc == 1
    assert fatal_text(3, "bogus 1", "Bad directive or wrong number of arguments") in err


def test_fatal_bad_command_line_option(tmp_path):
    rc, err = run_fail(tmp_path, None, "--no-such-option", "1")
    assert rc == 1
    assert "*** FATAL CONFIG FILE ERROR (Version 8.0.1) ***" in err
    assert "no-such-option" in err
    assert "Bad directive or wrong number of arguments" in err


def test_missing_config_file(tmp_path):
    p = subprocess.run([SERVER_BIN, str(tmp_path / "missing.conf"), "--port", str(free_port())],
                       capture_output=True, timeout=10)
    assert p.returncode == 1
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert "Fatal error, can't open config file" in out


# ---------------------------------------------------------------- CONFIG GET

def test_config_get_globs_and_aliases(spawn):
    r = spawn().client()
    assert cget(r, "*max*entries*") == {
        "stream-node-max-entries": "100", "hash-max-listpack-entries": "512", "hash-max-ziplist-entries": "512",
        "set-max-intset-entries": "512", "set-max-listpack-entries": "128",
        "zset-max-listpack-entries": "128", "zset-max-ziplist-entries": "128"}
    assert cget(r, "maxmemory", "maxmemory-p*", "nonexistent", "no-such-*") == {
        "maxmemory": "0", "maxmemory-policy": "noeviction"}
    assert cget(r, "slaveof", "replicaof") == {"slaveof": "", "replicaof": ""}
    assert r.config_get("nonexistent") == {}
    # hidden directives need their exact name
    assert "key-load-delay" not in cget(r, "*")
    assert cget(r, "key-load-delay") == {"key-load-delay": "0"}


def test_config_get_star_values_reparse(spawn):
    """Every CONFIG GET value must be accepted back by CONFIG SET."""
    r = spawn().client()
    immutable_or_special = {"dir", "dbfilename"}
    for name, value in cget(r, "*").items():
        if name in immutable_or_special:
            continue
        try:
            r.config_set(name, value)
        except redis.ResponseError as e:
            msg = str(e)
            assert ("immutable" in msg or "protected" in msg or "Unable to listen" in msg
                    or "Active defragmentation" in msg or "Failed to bind" in msg), (name, value, msg)


def raw(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        time.sleep(0.2)
        s.settimeout(0.5)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        return data


def test_config_get_resp2_and_resp3_shapes(spawn):
    s = spawn()
    assert raw(s.port, b"CONFIG GET maxmemory\r\n") == b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    out = raw(s.port, b"HELLO 3\r\nCONFIG GET maxmemory\r\n")
    assert out.endswith(b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n")


# ---------------------------------------------------------------- CONFIG SET

def set_err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG", "SET", *args)
    return str(e.value)


def test_config_set_types(spawn):
    r = spawn().client()
    r.config_set("appendonly", "no")
    r.config_set("activerehashing", "NO")
    r.config_set("maxmemory", "10MB")
    r.config_set("maxmemory-policy", "ALLKEYS-LRU")
    r.config_set("hash-max-ziplist-entries", "33")
    r.config_set("list-max-listpack-size", "-3")
    r.config_set("slowlog-log-slower-than", "-1")
    r.config_set("notify-keyspace-events", "KEA")
    r.config_set("save", "100 1 50 5")
    r.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 10 normal 1 2 3")
    r.config_set("maxmemory-clients", "5%")
    r.config_set("ignore-warnings", "some text")
    r.config_set("shutdown-on-sigint", "save now")
    r.config_set("latency-tracking-info-percentiles", "99.99 50")
    r.config_set("oom-score-adj-values", "1 300 900")
    assert cget(r, "activerehashing", "maxmemory", "maxmemory-policy", "hash-max-listpack-entries",
                "list-max-ziplist-size", "slowlog-log-slower-than", "notify-keyspace-events", "save",
                "client-output-buffer-limit", "maxmemory-clients", "ignore-warnings", "shutdown-on-sigint",
                "latency-tracking-info-percentiles", "oom-score-adj-values") == {
        "activerehashing": "no", "maxmemory": "10485760", "maxmemory-policy": "allkeys-lru",
        "hash-max-listpack-entries": "33", "list-max-ziplist-size": "-3", "slowlog-log-slower-than": "-1",
        "notify-keyspace-events": "AKE", "save": "100 1 50 5",
        "client-output-buffer-limit": "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 524288 10",
        "maxmemory-clients": "5%", "ignore-warnings": "some text", "shutdown-on-sigint": "save now",
        "latency-tracking-info-percentiles": "99.99 50", "oom-score-adj-values": "1 300 900"}
    r.config_set("save", "")
    r.config_set("notify-keyspace-events", "")
    r.config_set("latency-tracking-info-percentiles", "")
    assert cget(r, "save", "notify-keyspace-events", "latency-tracking-info-percentiles") == {
        "save": "", "notify-keyspace-events": "", "latency-tracking-info-percentiles": ""}


def test_config_set_multiple_pairs(spawn):
    r = spawn().client()
    assert r.execute_command("CONFIG", "SET", "maxmemory", "1mb", "hz", "50", "timeout", "30") == b"OK"
    assert cget(r, "maxmemory", "hz", "timeout") == {"maxmemory": "1048576", "hz": "50", "timeout": "30"}


def test_config_set_hz_is_clamped(spawn):
    r = spawn().client()
    r.config_set("hz", "1000")
    assert cget(r, "hz") == {"hz": "500"}
    r.config_set("hz", "0")
    assert cget(r, "hz") == {"hz": "1"}


def test_config_set_errors(spawn):
    r = spawn().client()
    assert set_err(r, "foo", "bar") == "Unknown option or number of arguments for CONFIG SET - 'foo'"
    assert set_err(r, "maxmemory", "abc") == \
        "CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
    assert set_err(r, "daemonize", "yes") == \
        "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
    assert set_err(r, "appendonly", "maybe") == \
        "CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"
    assert set_err(r, "hz", "-1") == \
        "CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive"
    assert set_err(r, "maxmemory-samples", "0") == \
        "CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument must be between 1 and 64 inclusive"
    assert set_err(r, "timeout", "1.5") == \
        "CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"
    assert set_err(r, "maxmemory-policy", "lru") == \
        "CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the " \
        "following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, " \
        "allkeys-random, noeviction"
    assert set_err(r, "maxmemory", "1", "maxmemory", "2") == \
        "CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"
    assert set_err(r, "dir", "/tmp") == \
        "CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"
    assert set_err(r, "replicaof", "127.0.0.1 1") == \
        "CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"
    assert set_err(r, "slaveof", "127.0.0.1 1") == \
        "CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"
    assert set_err(r, "save", "100") == \
        "CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
    assert set_err(r, "maxmemory-clients", "200%") == \
        "CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"
    assert set_err(r, "maxmemory") == "wrong number of arguments for 'config|set' command"
    assert set_err(r, "maxmemory", "1", "hz") == "syntax error"


def test_config_set_is_atomic(spawn):
    r = spawn().client()
    r.config_set("maxmemory", "1mb")
    r.config_set("save", "10 1")
    msg = set_err(r, "maxmemory", "2mb", "save", "20 2", "maxmemory-samples", "0")
    assert msg == "CONFIG SET failed (possibly related to argument 'maxmemory-samples') - " \
                  "argument must be between 1 and 64 inclusive"
    assert cget(r, "maxmemory", "save", "maxmemory-samples") == {
        "maxmemory": "1048576", "save": "10 1", "maxmemory-samples": "5"}
    # an unknown name anywhere refuses the whole command before anything changes
    assert set_err(r, "maxmemory", "3mb", "nope", "1") == \
        "Unknown option or number of arguments for CONFIG SET - 'nope'"
    assert cget(r, "maxmemory") == {"maxmemory": "1048576"}


def test_config_set_protected_when_enabled(spawn, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    r = spawn(None, "--enable-protected-configs", "yes").client()
    r.config_set("dir", str(sub))
    assert cget(r, "dir") == {"dir": str(sub)}
    r.config_set("dbfilename", "x.rdb")
    assert cget(r, "dbfilename") == {"dbfilename": "x.rdb"}
    assert set_err(r, "dbfilename", "a/b") == \
        "CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"
    assert set_err(r, "dir", str(tmp_path / "missing")) == \
        "CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"


def test_config_set_port_rebinds(spawn):
    s = spawn()
    r = s.client()
    new_port = free_port()
    r.config_set("port", str(new_port))
    r2 = s.client(port=new_port)
    assert r2.ping()
    assert cget(r2, "port") == {"port": str(new_port)}


# ---------------------------------------------------------------- REWRITE / RESETSTAT / HELP

def test_config_rewrite_round_trip(spawn):
    s = spawn("# my comment\nmaxmemory 1mb\nhz 10\nsave 100 1\nsave 200 2\n")
    r = s.client()
    r.config_set("maxmemory", "3mb")
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.config_set("hz", "10")
    r.config_set("save", "300 3")
    assert r.config_rewrite() == b"OK"
    text = s.conf.read_text()
    lines = text.splitlines()
    assert lines[0] == "# my comment"
    assert lines[1] == "maxmemory 3mb"
    assert lines[2] == "hz 10"          # present in the file: kept even at default
    assert lines[3] == "save 300 3"     # the second save line is blanked
    assert "# Generated by CONFIG REWRITE" in lines
    assert "maxmemory-policy allkeys-lfu" in lines
    assert lines.count("save 300 3") == 1
    # the port/bind/dir given on the command line are also persisted
    s.stop()
    s2 = spawn(text, port=s.port)
    assert cget(s2.client(), "maxmemory", "maxmemory-policy", "save") == {
        "maxmemory": "3145728", "maxmemory-policy": "allkeys-lfu", "save": "300 3"}


def test_config_rewrite_without_file(spawn):
    r = spawn().client()
    with pytest.raises(redis.ResponseError) as e:
        r.config_rewrite()
    assert str(e.value) == "The server is running without a config file"


def test_config_resetstat_and_help(spawn):
    r = spawn().client()
    assert r.execute_command("CONFIG", "RESETSTAT") == b"OK"
    help_lines = r.execute_command("CONFIG", "HELP")
    assert help_lines[0].startswith(b"CONFIG <subcommand>")
    assert b"GET <pattern>" in help_lines
    assert b"REWRITE" in help_lines
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG", "NOPE")
    assert "unknown subcommand" in str(e.value).lower()


def test_config_set_redacts_sensitive_values_in_slowlog(spawn):
    r = spawn().client()
    r.config_set("slowlog-log-slower-than", "0")
    r.execute_command("CONFIG", "SET", "masterauth", "s3cret", "maxmemory", "1mb")
    entry = r.execute_command("SLOWLOG", "GET", "1")[0]
    assert [a.lower() for a in entry[3][:2]] + entry[3][2:] == [b"config", b"set", b"masterauth", b"(redacted)", b"maxmemory", b"1mb"]
    assert cget(r, "masterauth") == {"masterauth": "s3cret"}
