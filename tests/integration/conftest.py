"""Fixtures that start real valkey-server processes on free loopback ports.

start_server(args=[...], config={...}, wait=True) starts a server in its own
temporary directory (so dump.rdb and logs stay there) and returns a handle:
  .port .pid .dir .logfile
  .client(**kw)  -> redis.Redis (decode_responses=False by default)
  .raw(bytes)    -> bytes read back from a raw socket (protocol edge cases)
  .stop(sig)     -> stop by pid; .restart() starts it again on the same port
Every server still running at the end of a test is stopped by pid; a server
that died of a signal (a crash) fails the test.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER_BIN = os.environ.get("VALKEY_SERVER_BIN", os.path.join(ROOT, "src", "valkey-server"))
CLI_BIN = os.environ.get("VALKEY_CLI_BIN", os.path.join(ROOT, "src", "valkey-cli"))
BENCH_BIN = os.environ.get("VALKEY_BENCHMARK_BIN", os.path.join(ROOT, "src", "valkey-benchmark"))

# Only read by sanitizer builds (make SANITIZE=address): abort on the first error so
# the test sees a crash, check for leaks at exit, print UBSan stacks.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")


def free_port():
    """A loopback port nobody listens on now (bind to 0 and release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerHandle:
    def __init__(self, args=None, config=None, binary=None, port=None, workdir=None):
        self.binary = binary or SERVER_BIN
        self.args = list(args or [])
        self.config = dict(config or {})
        self.port = port or free_port()
        self.dir = workdir or tempfile.mkdtemp(prefix="valkey-test-")
        self.logfile = os.path.join(self.dir, "server.log")
        self.proc = None
        self.crashed = False

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command_line(self):
        cmd = [self.binary]
        if self.args and not self.args[0].startswith("--"):
            cmd.append(self.args[0])
            rest = self.args[1:]
        else:
            rest = self.args
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--logfile", self.logfile, "--save", "", "--enable-debug-command", "yes"]
        for k, v in self.config.items():
            cmd.append("--" + k)
            if isinstance(v, (list, tuple)):
                cmd += [str(x) for x in v]
            else:
                cmd.append(str(v))
        cmd += rest
        return cmd

    def start(self, wait=True, timeout=10):
        # stderr goes into the log file, so a crash or sanitizer report (ASan/UBSan
        # write to stderr) shows up in the log tail a failing test prints.
        with open(self.logfile, "ab") as err:
            self.proc = subprocess.Popen(self.command_line(), cwd=self.dir, stdout=subprocess.DEVNULL,
                                         stderr=err)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s:\n%s" % (self.proc.returncode, self.log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    data = s.recv(64)
                    if data.startswith((b"+PONG", b"-LOADING", b"-NOAUTH", b"-MASTERDOWN")):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("server did not become ready on port %d\n%s" % (self.port, self.log()))

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def client(self, **kw):
        kw.setdefault("decode_responses", False)
        kw.setdefault("socket_timeout", 30)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def raw(self, data, wait=0.2, read_until_close=False):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(data)
            time.sleep(wait)
            s.settimeout(0.5)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
                if not read_until_close and len(chunk) < 65536:
                    s.settimeout(0.1)
            return out

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        rc = self.proc.returncode
        if rc is not None and rc < 0 and -rc not in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT):
            self.crashed = True
        return rc

    def restart(self, wait=True):
        self.stop()
        return self.start(wait)


@pytest.fixture
def start_server():
    servers = []

    def factory(args=None, config=None, wait=True, binary=None, port=None, workdir=None):
        h = ServerHandle(args=args, config=config, binary=binary, port=port, workdir=workdir)
        servers.append(h)
        return h.start(wait)

    yield factory
    crashed = []
    for h in servers:
        if h.proc is not None and h.proc.poll() is not None and h.proc.returncode < 0 and \
                -h.proc.returncode not in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT):
            crashed.append(h)
        h.stop()
        if h.crashed:
            crashed.append(h)
    if crashed:
        pytest.fail("server crashed (signal %d); log tail:\n%s" % (-crashed[0].proc.returncode, crashed[0].log()[-3000:]))
    for h in servers:
        report = sanitizer_report(h.log())
        if report:
            pytest.fail("sanitizer report in server log:\n%s" % report[:6000])


def sanitizer_report(log):
    """The first ASan/LSan/UBSan report in a server log, or '' (UBSan goes on after one)."""
    for marker in ("==ERROR: ", "runtime error: "):
        i = log.find(marker)
        if i >= 0:
            return log[max(0, log.rfind("\n", 0, i) + 1):]
    return ""


@pytest.fixture
def server(start_server):
    return start_server()


@pytest.fixture
def r(server):
    c = server.client()
    yield c
    c.close()
