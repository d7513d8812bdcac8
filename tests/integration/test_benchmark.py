"""valkey-benchmark: the commands each test sends, -n/-c/-P accounting, the
report formats (quiet, CSV, full) and robustness against misbehaving servers.

Command accounting runs against our server and against Debian's redis-server
(when installed) through INFO commandstats; exact argument bytes and failure
modes use a small fake server written here, so they do not depend on what
either real server implements.
"""
import csv
import io
import os
import re
import socket
import subprocess
import threading
import time

import pytest

from conftest import BENCH_BIN

REF_SERVER = "/usr/bin/redis-server"
BINARIES = ["own"] + (["redis"] if os.path.exists(REF_SERVER) else [])

# -t name -> {command stat name: calls per request}
TEST_COMMANDS = {
    "ping_inline": {"ping": 1},
    "ping_mbulk": {"ping": 1},
    "set": {"set": 1},
    "get": {"get": 1},
    "incr": {"incr": 1},
    "lpush": {"lpush": 1},
    "rpush": {"rpush": 1},
    "lpop": {"lpop": 1},
    "rpop": {"rpop": 1},
    "sadd": {"sadd": 1},
    "hset": {"hset": 1},
    "spop": {"spop": 1},
    "zadd": {"zadd": 1},
    "zpopmin": {"zpopmin": 1},
    "lrange_100": {"lpush": 1, "lrange": 1},
    "lrange_300": {"lpush": 1, "lrange": 1},
    "lrange_500": {"lpush": 1, "lrange": 1},
    "lrange_600": {"lpush": 1, "lrange": 1},
    "mset": {"mset": 1},
    "xadd": {"xadd": 1},
}

DEFAULT_TITLES = [
    "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD",
    "HSET", "SPOP", "ZADD", "ZPOPMIN", "LPUSH (needed to benchmark LRANGE)",
    "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
    "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)", "MSET (10 keys)", "XADD",
]

CSV_HEADER = ["test", "rps", "avg_latency_ms", "min_latency_ms", "p50_latency_ms",
              "p95_latency_ms", "p99_latency_ms", "max_latency_ms"]


def bench(port, *args, timeout=60, stdin=None, host_args=None):
    cmd = [BENCH_BIN] + (host_args if host_args is not None else ["-h", "127.0.0.1", "-p", str(port)])
    cmd += [str(a) for a in args]
    return subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


@pytest.fixture(params=BINARIES)
def srv(request, start_server):
    if request.param == "redis":
        return start_server(binary=REF_SERVER)
    return start_server()


def commandstats(r):
    return {k[len("cmdstat_"):] if k.startswith("cmdstat_") else k: v["calls"]
            for k, v in r.info("commandstats").items()}


def supports(r, name):
    try:
        res = r.execute_command("COMMAND", "INFO", name)
    except Exception:
        return False
    if isinstance(res, dict):
        return bool(res.get(name) or res.get(name.encode()))
    return bool(res) and res[0] is not None


# ------------------------------------------------------------ accounting


@pytest.mark.parametrize("test", sorted(TEST_COMMANDS))
def test_each_test_sends_its_commands(srv, test):
    r = srv.client()
    for cmd in TEST_COMMANDS[test]:
        if not supports(r, cmd):
            pytest.skip("server lacks %s" % cmd)
    r.config_resetstat()
    p = bench(srv.port, "-n", 37, "-c", 3, "-q", "-t", test)
    assert p.returncode == 0, p.stderr
    stats = commandstats(r)
    for cmd, per in TEST_COMMANDS[test].items():
        assert stats.get(cmd) == 37 * per
    # Nothing else than the commands of the test and the CONFIG GETs of the report header.
    extra = set(stats) - set(TEST_COMMANDS[test]) - {"config|get", "config|resetstat", "command|info", "config", "command"}
    assert not extra, extra


def test_groups_and_default_order(srv):
    r = srv.client()
    p = bench(srv.port, "-n", 20, "-c", 2, "-q", "-t", "ping,lrange")
    assert p.returncode == 0, p.stderr
    titles = [line.split(":")[0] for line in p.stdout.decode().splitlines() if line]
    assert titles == ["PING_INLINE", "PING_MBULK", "LPUSH (needed to benchmark LRANGE)",
                      "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
                      "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)"]


@pytest.mark.parametrize("n,c,P", [(1000, 7, 16), (999, 50, 1), (10, 20, 4), (5003, 4, 100)])
def test_requests_are_exact(srv, n, c, P):
    r = srv.client()
    r.config_resetstat()
    p = bench(srv.port, "-n", n, "-c", c, "-P", P, "-q", "-t", "incr")
    assert p.returncode == 0, p.stderr
    assert commandstats(r)["incr"] == n
    total = sum(int(v) for v in r.mget(r.keys("counter:*")))
    assert total == n


def test_threads_share_the_budget(srv):
    r = srv.client()
    r.config_resetstat()
    p = bench(srv.port, "-n", 20000, "-c", 8, "--threads", 2, "-P", 8, "-t", "set")
    assert p.returncode == 0, p.stderr
    assert commandstats(r)["set"] == 20000
    out = p.stdout.decode()
    assert "  multi-thread: yes\n  threads: 2\n" in out
    assert "  20000 requests completed in " in out


def test_clients_are_opened(srv):
    r = srv.client()
    proc = subprocess.Popen([BENCH_BIN, "-p", str(srv.port), "-c", "7", "-I"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while time.time() < deadline and r.info("clients")["connected_clients"] < 8:
            time.sleep(0.05)
        assert r.info("clients")["connected_clients"] == 8
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
    assert proc.stdout.read().decode().startswith("Creating 7 idle connections and waiting forever")


def test_keepalive_zero_reconnects(srv):
    r = srv.client()
    before = r.info("stats")["total_connections_received"]
    p = bench(srv.port, "-n", 200, "-c", 4, "-k", 0, "-q", "-t", "get")
    assert p.returncode == 0, p.stderr
    assert r.info("stats")["total_connections_received"] - before >= 200


def test_random_keys_and_seed(srv):
    r = srv.client()
    p = bench(srv.port, "-n", 3000, "-r", 50, "-c", 5, "-q", "-t", "set")
    assert p.returncode == 0, p.stderr
    keys = r.keys("*")
    assert 0 < len(keys) <= 50
    assert all(re.fullmatch(rb"key:\d{12}", k) for k in keys)
    assert all(int(k[4:]) < 50 for k in keys)


def test_custom_command_rand_dbnum_and_auth(srv):
    r = srv.client()
    r.config_set("requirepass", "s3cret")
    r = srv.client(password="s3cret")
    p = bench(srv.port, "-a", "s3cret", "--dbnum", 3, "-n", 500, "-r", 100000, "-q",
              "rpush", "my_list", "__rand_int__")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().startswith("rpush my_list __rand_int__: ")
    r.execute_command("SELECT", 3)
    items = r.lrange("my_list", 0, -1)
    assert len(items) == 500
    assert all(re.fullmatch(rb"\d{12}", x) for x in items)
    assert len(set(items)) > 400


def test_stdin_last_argument(srv):
    r = srv.client()
    p = bench(srv.port, "-n", 10, "-c", 2, "-q", "-x", "set", "fromstdin", stdin=b"a\x00b value\n")
    assert p.returncode == 0, p.stderr
    assert r.get("fromstdin") == b"a\x00b value\n"


def test_datasize(srv):
    r = srv.client()
    p = bench(srv.port, "-n", 10, "-c", 1, "-d", 1000, "-q", "-t", "set")
    assert p.returncode == 0, p.stderr
    assert r.strlen("key:__rand_int__") == 1000


# --------------------------------------------------------------- formats


def test_csv_is_well_formed(srv):
    p = bench(srv.port, "-n", 300, "-c", 5, "--csv", "-t", "ping,set,get,mset")
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout.decode())))
    assert rows[0] == CSV_HEADER
    assert [row[0] for row in rows[1:]] == ["PING_INLINE", "PING_MBULK", "SET", "GET", "MSET (10 keys)"]
    for row in rows[1:]:
        assert len(row) == 8
        rps, avg, mn, p50, p95, p99, mx = (float(x) for x in row[1:])
        assert rps > 0
        assert mn <= p50 <= p95 <= p99 <= mx + 0.0005
        assert mn <= avg <= mx
        assert re.fullmatch(r"\d+\.\d{2}", row[1])
        assert all(re.fullmatch(r"\d+\.\d{3}", x) for x in row[2:])
    assert p.stdout.decode().count("\n") == len(rows)


def test_quiet_line(srv):
    p = bench(srv.port, "-n", 200, "-q", "-t", "set,get")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().split("\n")
    assert re.fullmatch(r"SET: \d+\.\d\d requests per second, p50=\d+\.\d{3} msec", lines[0])
    assert re.fullmatch(r"GET: \d+\.\d\d requests per second, p50=\d+\.\d{3} msec", lines[1])
    assert lines[2:] == ["", ""]


def test_full_report_layout(srv):
    p = bench(srv.port, "-n", 1000, "-c", 10, "-t", "set")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    head = re.match(
        r"====== SET ======\n"
        r"  1000 requests completed in \d+\.\d\d seconds\n"
        r"  10 parallel clients\n"
        r"  3 bytes payload\n"
        r"  keep alive: 1\n"
        r"  host configuration \"save\": .*\n"
        r"  host configuration \"appendonly\": no\n"
        r"  multi-thread: no\n\n"
        r"Latency by percentile distribution:\n", out)
    assert head, out
    pct_block, rest = out[head.end():].split("\n\n", 1)
    pct_lines = pct_block.split("\n")
    line_re = re.compile(r"(\d+\.\d{3})% <= (\d+\.\d{3}) milliseconds \(cumulative count (\d+)\)")
    parsed = [line_re.fullmatch(x).groups() for x in pct_lines]
    assert parsed[0][0] == "0.000" and parsed[-1][0] == "100.000" and parsed[-1][2] == "1000"
    assert [float(x[1]) for x in parsed] == sorted(float(x[1]) for x in parsed)
    assert rest.startswith("Cumulative distribution of latencies:\n")
    cum_block, summary = rest.split("\n\n", 1)
    cum = [line_re.fullmatch(x).groups() for x in cum_block.split("\n")[1:]]
    assert cum[-1][0] == "100.000" and cum[-1][2] == "1000"
    first_ms = [x[1] for x in cum[:3]]
    assert all(x.endswith("03") or x.endswith("07") for x in first_ms)
    assert re.fullmatch(
        r"Summary:\n"
        r"  throughput summary: \d+\.\d\d requests per second\n"
        r"  latency summary \(msec\):\n"
        r"          avg       min       p50       p95       p99       max\n"
        r"    ( +\d+\.\d{3}){6}\n\n", summary), summary


def test_help_and_bad_option():
    p = subprocess.run([BENCH_BIN, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    assert p.returncode == 0
    assert p.stdout.startswith(b"Usage: valkey-benchmark [OPTIONS] [COMMAND ARGS...]")
    p = subprocess.run([BENCH_BIN, "--nope"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    assert p.returncode == 1
    assert b"Unrecognized option or bad number of args for: '--nope'" in p.stderr


# ---------------------------------------------------- fake server and faults


class FakeServer:
    """Speaks just enough RESP: records every command; `reply(args, conn_state)`
    returns the bytes to send (None closes the connection)."""

    def __init__(self, reply, delay=0.0):
        self.reply = reply
        self.delay = delay
        self.commands = []
        self.chunks = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _parse(buf):
        """Complete commands at the front of buf -> (list of argv, rest)."""
        out = []
        while buf:
            if buf[:1] != b"*":
                end = buf.find(b"\r\n")
                if end < 0:
                    break
                out.append(buf[:end].split())
                buf = buf[end + 2:]
                continue
            end = buf.find(b"\r\n")
            if end < 0:
                break
            n, pos, args = int(buf[1:end]), end + 2, []
            for _ in range(n):
                e = buf.find(b"\r\n", pos)
                if e < 0:
                    return out, buf
                ln = int(buf[pos + 1:e])
                if len(buf) < e + 2 + ln + 2:
                    return out, buf
                args.append(buf[e + 2:e + 2 + ln])
                pos = e + 2 + ln + 2
            out.append(args)
            buf = buf[pos:]
        return out, buf

    def _serve(self, conn):
        buf = b""
        state = {}
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                cmds, buf = self._parse(buf + data)
                with self.lock:
                    self.commands.extend(cmds)
                    if cmds:
                        self.chunks.append(len(cmds))
                out = b""
                for c in cmds:
                    rep = self.reply(c, state)
                    if rep is None:
                        if out:
                            conn.sendall(out)
                        return
                    out += rep
                if self.delay:
                    time.sleep(self.delay)
                try:
                    conn.sendall(out)
                except OSError:
                    return

    def close(self):
        self.stopped = True
        self.sock.close()


def ok_reply(args, state):
    if args and args[0].upper() == b"CONFIG":
        name = args[2]
        value = b"" if name == b"save" else b"no"
        return b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(name), name, len(value), value)
    return b"+OK\r\n"


@pytest.fixture
def fake():
    servers = []

    def make(reply=ok_reply, delay=0.0):
        s = FakeServer(reply, delay)
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.close()


def test_exact_command_bytes(fake):
    s = fake()
    p = bench(s.port, "-n", 2, "-c", 1, "-q")
    assert p.returncode == 0, p.stderr
    cmds = [c for c in s.commands if c[0] != b"CONFIG"]
    data = b"VXK"
    key = b"key:__rand_int__"
    expected = [
        [b"PING"], [b"PING"], [b"SET", key, data], [b"GET", key], [b"INCR", b"counter:__rand_int__"],
        [b"LPUSH", b"mylist", data], [b"RPUSH", b"mylist", data], [b"LPOP", b"mylist"],
        [b"RPOP", b"mylist"], [b"SADD", b"myset", b"element:__rand_int__"],
        [b"HSET", b"myhash", b"element:__rand_int__", data], [b"SPOP", b"myset"],
        [b"ZADD", b"myzset", b"0", b"element:__rand_int__"], [b"ZPOPMIN", b"myzset"],
        [b"LPUSH", b"mylist", data], [b"LRANGE", b"mylist", b"0", b"99"],
        [b"LRANGE", b"mylist", b"0", b"299"], [b"LRANGE", b"mylist", b"0", b"499"],
        [b"LRANGE", b"mylist", b"0", b"599"], [b"MSET"] + [key, data] * 10,
        [b"XADD", b"mystream", b"*", b"myfield", data],
    ]
    assert cmds == [c for c in expected for _ in range(2)]
    assert p.stdout.decode().count("requests per second") == len(DEFAULT_TITLES)


def test_random_placeholders_in_every_argument(fake):
    s = fake()
    p = bench(s.port, "-n", 50, "-c", 2, "-r", 1000, "-P", 5, "-q", "-t", "zadd,mset")
    assert p.returncode == 0, p.stderr
    cmds = [c for c in s.commands if c[0] != b"CONFIG"]
    assert len(cmds) == 100
    for c in cmds[:50]:
        assert c[0] == b"ZADD" and re.fullmatch(rb"\d{12}", c[2]) and re.fullmatch(rb"element:\d{12}", c[3])
        assert int(c[2]) < 1000
    for c in cmds[50:]:
        assert c[0] == b"MSET" and all(re.fullmatch(rb"key:\d{12}", k) for k in c[1::2])


def test_pipeline_batches(fake):
    s = fake()
    p = bench(s.port, "-n", 100, "-c", 1, "-P", 10, "-q", "-t", "get")
    assert p.returncode == 0, p.stderr
    with s.lock:
        chunks = list(s.chunks)
    # One CONFIG GET pair, then every batch of ten requests in one write.
    assert sum(chunks) == 102
    assert max(chunks) == 10
    assert chunks.count(10) >= 9


def test_prefix_commands(fake):
    s = fake()
    p = bench(s.port, "-n", 4, "-c", 2, "-a", "pw", "--user", "u", "--dbnum", 5, "-q", "-t", "get")
    assert p.returncode == 0, p.stderr
    cmds = s.commands
    assert cmds.count([b"AUTH", b"u", b"pw"]) == 3
    assert cmds.count([b"SELECT", b"5"]) == 3
    assert cmds.count([b"GET", b"key:__rand_int__"]) == 4


def test_error_reply_exits_nonzero(fake):
    def reply(args, state):
        if args[0] == b"GET":
            return b"-ERR something broke\r\n"
        return ok_reply(args, state)
    s = fake(reply)
    p = bench(s.port, "-n", 100, "-q", "-t", "set,get", timeout=20)
    assert p.returncode == 1
    assert b"Error from server: ERR something broke" in p.stderr
    assert p.stdout.decode().startswith("SET: ")


def test_server_closing_connections(fake):
    def reply(args, state):
        state["n"] = state.get("n", 0) + 1
        if state["n"] > 5 and args[0] != b"CONFIG":
            return None
        return ok_reply(args, state)
    s = fake(reply)
    p = bench(s.port, "-n", 1000, "-c", 3, "-q", "-t", "set", timeout=20)
    assert p.returncode == 1
    assert b"Server closed the connection" in p.stderr


def test_slow_server_completes(fake):
    s = fake(delay=0.02)
    p = bench(s.port, "-n", 60, "-c", 3, "-q", "-t", "get", timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"GET: ")


def test_garbage_reply_is_a_protocol_error(fake):
    def reply(args, state):
        if args[0] == b"GET":
            return b"?what\r\n"
        return ok_reply(args, state)
    s = fake(reply)
    p = bench(s.port, "-n", 10, "-q", "-t", "get", timeout=20)
    assert p.returncode == 1
    assert b"Protocol error" in p.stderr


def test_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        p = bench(port, "-n", 10, "-q", "-t", "set", timeout=20)
    assert p.returncode == 1
    assert b"Could not connect to server at 127.0.0.1:%d: Connection refused" % port in p.stderr


def test_unix_socket(start_server, tmp_path):
    sock = str(tmp_path / "s.sock")
    s = start_server(config={"unixsocket": sock})
    r = s.client()
    r.config_resetstat()
    p = bench(0, "-n", 300, "-c", 3, "-q", "-t", "incr", host_args=["-s", sock])
    assert p.returncode == 0, p.stderr
    assert commandstats(r)["incr"] == 300


def test_seed_makes_keys_reproducible(fake):
    runs = []
    for _ in range(2):
        s = fake()
        p = bench(s.port, "-n", 30, "-c", 1, "-r", 1000000, "--seed", 42, "-q", "-t", "get")
        assert p.returncode == 0, p.stderr
        runs.append([c[1] for c in s.commands if c[0] == b"GET"])
    assert runs[0] == runs[1] and len(set(runs[0])) > 20


def test_loop_mode_repeats(fake):
    s = fake()
    proc = subprocess.Popen([BENCH_BIN, "-p", str(s.port), "-n", "50", "-c", "2", "-l", "-q", "-t", "ping_mbulk"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    proc.kill()
    out = proc.communicate()[0].decode()
    assert out.count("PING_MBULK: ") >= 2
