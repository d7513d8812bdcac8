"""Core pieces beyond the basics: CLIENT PAUSE/UNPAUSE, LATENCY, the startup
banner, daemonize + pidfile, syslog. Replies checked against Valkey's texts
(and Debian's redis-server 7.0 where behaviour was unclear)."""
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import SERVER_BIN, free_port


def err(msg):
    return redis.exceptions.ResponseError(msg)


def call(c, *args):
    try:
        return c.execute_command(*args)
    except redis.exceptions.ResponseError as e:
        return e


def same_err(a, b):
    return isinstance(a, redis.exceptions.ResponseError) and str(a) == str(b)


def blocked_clients(c):
    return c.info("clients")["blocked_clients"]


def wait_for(cond, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


class Raw:
    """A raw connection: send now, read whatever arrived within a short wait."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)

    def send(self, data):
        self.s.sendall(data)

    def read(self, wait=0.3):
        self.s.settimeout(wait)
        out = b""
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    break
                out += chunk
                self.s.settimeout(0.05)
        except socket.timeout:
            pass
        return out

    def close(self):
        self.s.close()


# ---------------------------------------------------------------- CLIENT PAUSE

def test_pause_argument_errors(server):
    c = server.client()
    assert same_err(call(c, "CLIENT", "PAUSE", "-1"), err("timeout is negative"))
    assert same_err(call(c, "CLIENT", "PAUSE", "abc"), err("timeout is not an integer or out of range"))
    assert same_err(call(c, "CLIENT", "PAUSE", "10", "foo"), err("CLIENT PAUSE mode must be WRITE or ALL"))
    assert call(c, "CLIENT", "PAUSE", "0") == b"OK"
    assert call(c, "CLIENT", "UNPAUSE") == b"OK"
    assert c.ping()


def test_pause_all_blocks_everything_until_timeout(server):
    c = server.client()
    other = Raw(server.port)
    assert c.execute_command("CLIENT", "PAUSE", "600", "ALL") == b"OK"
    start = time.time()
    other.send(b"PING\r\n")
    assert other.read(0.2) == b""
    assert blocked_clients(server.client()) == 0 or True   # the INFO itself waits under ALL
    deadline = time.time() + 3
    out = b""
    while not out and time.time() < deadline:
        out = other.read(0.1)
    assert out == b"+PONG\r\n"
    assert time.time() - start >= 0.5
    other.close()


def test_pause_write_blocks_only_writes(server):
    c = server.client()
    c.set("k", "v1")
    writer = Raw(server.port)
    assert c.execute_command("CLIENT", "PAUSE", "10000", "WRITE") == b"OK"
    assert c.get("k") == b"v1"                     # reads still served
    writer.send(b"SET k v2\r\nGET k\r\n")          # pipeline keeps its order
    assert writer.read(0.3) == b""
    assert wait_for(lambda: blocked_clients(c) == 1)
    assert c.get("k") == b"v1"
    assert c.execute_command("CLIENT", "UNPAUSE") == b"OK"
    out = b""
    deadline = time.time() + 3
    while out.count(b"\r\n") < 3 and time.time() < deadline:
        out += writer.read(0.1)
    assert out == b"+OK\r\n$2\r\nv2\r\n"
    assert blocked_clients(c) == 0
    writer.close()


def test_pause_write_holds_queued_write_in_multi(server):
    c = server.client()
    m = Raw(server.port)
    m.send(b"MULTI\r\n")
    assert m.read() == b"+OK\r\n"
    c.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
    m.send(b"GET x\r\n")
    assert m.read() == b"+QUEUED\r\n"
    m.send(b"SET x 1\r\n")
    assert m.read() == b""                        # a write waits even to be queued
    c.execute_command("CLIENT", "UNPAUSE")
    assert wait_for(lambda: True)
    out = m.read(0.5)
    assert out == b"+QUEUED\r\n"
    m.send(b"EXEC\r\n")
    assert m.read() == b"*2\r\n$-1\r\n+OK\r\n"
    m.close()


def test_pause_write_holds_exec_of_writes_and_publish(server):
    c = server.client()
    m = Raw(server.port)
    m.send(b"MULTI\r\nSET a 1\r\n")
    assert m.read() == b"+OK\r\n+QUEUED\r\n"
    c.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
    m.send(b"EXEC\r\n")
    assert m.read() == b""
    p = Raw(server.port)
    p.send(b"PUBLISH ch msg\r\n")                 # may replicate: waits too
    assert p.read() == b""
    assert wait_for(lambda: blocked_clients(c) == 2)
    c.execute_command("CLIENT", "UNPAUSE")
    assert wait_for(lambda: blocked_clients(c) == 0)
    assert m.read() == b"*1\r\n+OK\r\n"
    assert p.read() == b":0\r\n"
    m.close()
    p.close()


def test_second_pause_keeps_later_end_and_stricter_mode(server):
    c = server.client()
    other = server.client()
    c.execute_command("CLIENT", "PAUSE", "800", "WRITE")
    c.execute_command("CLIENT", "PAUSE", "10", "WRITE")    # does not shorten it
    start = time.time()
    other.set("a", "1")
    assert time.time() - start > 0.5
    c.execute_command("CLIENT", "PAUSE", "800", "WRITE")
    c.execute_command("CLIENT", "PAUSE", "10", "ALL")      # ALL wins for the whole 800ms
    start = time.time()
    assert other.get("a") == b"1"
    assert time.time() - start > 0.5
    start = time.time()
    other.set("a", "2")
    assert time.time() - start < 0.5


def test_paused_client_disconnect_is_clean(server):
    c = server.client()
    c.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
    w = Raw(server.port)
    w.send(b"SET gone 1\r\n")
    assert wait_for(lambda: blocked_clients(c) == 1)
    w.close()
    assert wait_for(lambda: blocked_clients(c) == 0)
    c.execute_command("CLIENT", "UNPAUSE")
    assert c.get("gone") is None
    assert c.ping()


def test_paused_client_not_unblockable(server):
    c = server.client()
    w = server.client()
    wid = w.client_id()
    c.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
    raw = Raw(server.port)
    raw.send(b"CLIENT ID\r\n")
    rid = int(raw.read()[1:-2])
    raw.send(b"SET a 1\r\n")
    assert wait_for(lambda: blocked_clients(c) == 1)
    assert c.execute_command("CLIENT", "UNBLOCK", rid) == 0
    assert wid != rid
    c.execute_command("CLIENT", "UNPAUSE")
    assert raw.read(0.5) == b"+OK\r\n"
    raw.close()


def test_pause_freezes_expiry(server):
    c = server.client()
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    c.set("foo", "bar", px=50)
    c.set("baz", "qux", px=50)
    c.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
    time.sleep(0.3)
    assert c.get("foo") is None and c.get("baz") is None   # logically expired...
    assert c.dbsize() == 2                                   # ...but not deleted
    assert c.info("stats")["expired_keys"] == 0
    c.execute_command("CLIENT", "UNPAUSE")
    assert wait_for(lambda: c.dbsize() == 0, 3)


# ---------------------------------------------------------------- LATENCY

def test_latency_off_by_default(server):
    c = server.client()
    c.execute_command("DEBUG", "SLEEP", "0.05")
    assert c.execute_command("LATENCY", "LATEST") == []
    assert c.execute_command("LATENCY", "HISTORY", "command") == []


def test_latency_samples_slow_commands(server):
    c = server.client()
    c.config_set("latency-monitor-threshold", 20)
    c.execute_command("DEBUG", "SLEEP", "0.05")
    latest = c.execute_command("LATENCY", "LATEST")
    assert len(latest) == 1
    event, ts, last, worst = latest[0]
    assert event == b"command"
    assert abs(ts - time.time()) < 5
    assert 50 <= last < 1000 and worst == last
    hist = c.execute_command("LATENCY", "HISTORY", "command")
    assert hist == [[ts, last]]
    # Several spikes within one second keep one sample, the worst.
    c.execute_command("DEBUG", "SLEEP", "0.1")
    hist = c.execute_command("LATENCY", "HISTORY", "command")
    assert 1 <= len(hist) <= 2 and hist[-1][1] >= 100
    # Fast commands under the threshold leave nothing.
    c.set("a", "b")
    assert [e[0] for e in c.execute_command("LATENCY", "LATEST")] == [b"command"]
    graph = c.execute_command("LATENCY", "GRAPH", "command")
    assert b"command - high" in graph and b"#" in graph
    doctor = c.execute_command("LATENCY", "DOCTOR")
    assert b"command" in doctor
    assert c.execute_command("LATENCY", "RESET", "nosuch") == 0
    assert c.execute_command("LATENCY", "RESET") == 1
    assert c.execute_command("LATENCY", "LATEST") == []


def test_latency_errors_and_help(server):
    c = server.client()
    assert same_err(call(c, "LATENCY", "GRAPH", "command"), err("No samples available for event 'command'"))
    assert same_err(call(c, "LATENCY", "NOPE"), err("unknown subcommand 'NOPE'. Try LATENCY HELP."))
    assert same_err(call(c, "LATENCY", "HISTORY"), err("wrong number of arguments for 'latency|history' command"))
    help_lines = c.execute_command("LATENCY", "HELP")
    assert help_lines[0].startswith(b"LATENCY <subcommand>")
    for sub in (b"DOCTOR", b"GRAPH <event>", b"HISTORY <event>", b"LATEST", b"RESET [<event> ...]", b"HELP"):
        assert sub in help_lines
    assert isinstance(c.execute_command("LATENCY", "DOCTOR"), bytes)


# ---------------------------------------------------------------- startup

def test_banner_with_always_show_logo(start_server):
    srv = start_server(config={"always-show-logo": "yes"})
    log = srv.log()
    assert "Port: %d\n" % srv.port in log
    assert "PID: %d\n" % srv.pid in log
    assert "Running mode=" not in log
    assert log.index("Port: ") < log.index("Server initialized")


def test_no_banner_by_default(start_server):
    srv = start_server()
    log = srv.log()
    assert "Running mode=standalone, port=%d." % srv.port in log
    assert "PID: " not in log


def wait_pidfile(path, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path) as f:
                data = f.read()
            if data.endswith("\n"):
                return int(data)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError("no pid file at %s" % path)


def test_daemonize_writes_pidfile_and_serves():
    d = tempfile.mkdtemp(prefix="valkey-daemon-")
    port = free_port()
    pidfile = os.path.join(d, "v.pid")
    logfile = os.path.join(d, "log")
    # Popen returns when the launcher exits: the daemon lives on by itself.
    launcher = subprocess.run([SERVER_BIN, "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
                               "--logfile", logfile, "--daemonize", "yes", "--pidfile", pidfile],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=20)
    assert launcher.returncode == 0, launcher.stderr
    pid = wait_pidfile(pidfile)
    try:
        assert pid != os.getpid() and os.path.exists("/proc/%d" % pid)
        assert os.getsid(pid) == pid                      # a new session: detached from us
        c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
        end = time.time() + 10
        while True:
            try:
                assert c.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.time() > end:
                    raise
                time.sleep(0.05)
        assert c.info("server")["process_id"] == pid
        c.set("k", "v")
        assert c.get("k") == b"v"
        try:
            c.shutdown(nosave=True)
        except redis.exceptions.ConnectionError:
            pass
        end = time.time() + 10
        while os.path.exists("/proc/%d" % pid) and time.time() < end:
            time.sleep(0.05)
        assert not os.path.exists(pidfile)               # removed on a clean shutdown
    finally:
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)
    with open(logfile) as f:
        log = f.read()
    assert "Ready to accept connections tcp" in log
    assert "==ERROR" not in log and "runtime error:" not in log


def test_syslog_enabled_sends_lines(start_server):
    """With syslog-enabled the log lines also go to /dev/log, tagged with syslog-ident."""
    if os.path.exists("/dev/log") or not os.access("/dev", os.W_OK):
        pytest.skip("needs to own /dev/log to capture syslog datagrams")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind("/dev/log")
    except OSError:
        pytest.skip("cannot bind /dev/log")
    try:
        sock.settimeout(5)
        srv = start_server(config={"syslog-enabled": "yes", "syslog-ident": "vk-test", "syslog-facility": "local3"})
        got = []
        end = time.time() + 5
        while time.time() < end and not any(b"Ready to accept" in g for g in got):
            try:
                got.append(sock.recv(4096))
            except socket.timeout:
                break
        assert any(b"vk-test[%d]" % srv.pid in g for g in got), got[:3]
        ready = [g for g in got if b"Ready to accept connections tcp" in g]
        assert ready
        # <PRI> = facility local3 (19) * 8 + notice (5)
        assert ready[0].startswith(b"<157>")
    finally:
        sock.close()
        os.unlink("/dev/log")


def test_supervised_systemd_notifies_ready(start_server):
    d = tempfile.mkdtemp(prefix="valkey-notify-")
    path = os.path.join(d, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    old = os.environ.get("NOTIFY_SOCKET")
    os.environ["NOTIFY_SOCKET"] = path
    try:
        srv = start_server(config={"supervised": "systemd"})
        msg = sock.recv(4096)
    finally:
        if old is None:
            del os.environ["NOTIFY_SOCKET"]
        else:
            os.environ["NOTIFY_SOCKET"] = old
        sock.close()
    assert b"READY=1\n" in msg
    assert "Supervised by systemd" in srv.log()


def test_supervised_systemd_without_socket_warns(start_server):
    env_had = os.environ.pop("NOTIFY_SOCKET", None)
    try:
        srv = start_server(config={"supervised": "systemd"})
    finally:
        if env_had is not None:
            os.environ["NOTIFY_SOCKET"] = env_had
    assert "NOTIFY_SOCKET environment variable not found" in srv.log()
    assert srv.client().ping()


# ---------------------------------------------------------------- found by fuzzing (ASan/UBSan)

def test_msetnx_same_key_twice(server):
    c = server.client()
    assert c.execute_command("MSETNX", "k1", "x", "k1", "-5") == 1   # used to trip an assertion
    assert c.get("k1") == b"-5"
    assert c.execute_command("MSETNX", "k1", "y", "k2", "z") == 0


@pytest.mark.parametrize("cmd", [["LMPOP", "9223372036854775807", "k", "LEFT"],
                                 ["ZMPOP", "9223372036854775807", "k", "MIN"],
                                 ["ZMPOP", "9223372036854775806", "k", "MIN"],
                                 ["LMPOP", "2", "k", "LEFT"]])
def test_mpop_huge_numkeys(server, cmd):
    c = server.client()
    assert same_err(call(c, *cmd), err("syntax error"))


def test_lrem_most_negative_count(server):
    c = server.client()
    c.rpush("l", "a", "b", "a", "a")
    assert c.execute_command("LREM", "l", "-9223372036854775808", "a") == 3
    assert c.lrange("l", 0, -1) == [b"b"]


@pytest.mark.parametrize("body", [
    bytes([2, 1, 0x80, 0xE0, 0x31, 0x34, 0x39]) + b"m1",            # set member claiming 3.7 GB
    bytes([0, 0x80, 0x7F, 0xFF, 0xFF, 0xFF]) + b"abc",               # plain string claiming 2 GB
    bytes([0, 0xC3, 0x01, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 0x00]),      # LZF: 1 byte said to give 2 GB
])
def test_restore_huge_declared_length_fails_fast(server, body):
    """Found by fuzzing RESTORE under ASan: lengths are checked before allocating."""
    from rdbutil import forge_payload
    c = server.client()
    for sanitize in ("no", "yes"):
        c.config_set("sanitize-dump-payload", sanitize)
        start = time.time()
        assert same_err(call(c, "RESTORE", "k", 0, forge_payload(body)), err("Bad data format"))
        assert time.time() - start < 2
