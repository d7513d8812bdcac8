"""valkey-cli: output formats, flags, tool modes and the interactive prompt.

Formatting is checked byte for byte against canned replies from a tiny fake
server (so every RESP type and nesting is covered whatever the real server
implements); flags and tool modes run against a real server; the REPL runs in
a real terminal through tmux. The expected texts are what valkey-cli prints.
"""
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("VALKEY_CLI_BIN", os.path.join(ROOT, "src", "valkey-cli"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --------------------------------------------------------------- servers


class _OwnServer:
    """Fallback when conftest's start_server is not available (or when
    CLI_TEST_SERVER names another binary, e.g. /usr/bin/redis-server)."""

    def __init__(self, binary, tmpdir):
        self.port = free_port()
        self.dir = tmpdir
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--dir", str(tmpdir), "--enable-debug-command", "yes",
             "--repl-diskless-sync-delay", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def srv(request, tmp_path):
    forced = os.environ.get("CLI_TEST_SERVER")
    if not forced:
        try:
            factory = request.getfixturevalue("start_server")
            return factory(config={"enable-debug-command": "yes", "repl-diskless-sync-delay": "0"})
        except pytest.FixtureLookupError:
            pass
    s = _OwnServer(forced or "/usr/bin/redis-server", tmp_path)
    request.addfinalizer(s.stop)
    return s


class FakeServer:
    """Answers `CANNED <name>` with canned RESP bytes; HELLO/PING/SELECT/AUTH
    get plausible replies so the CLI's handshake works."""

    def __init__(self, canned):
        self.canned = canned
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    @staticmethod
    def _read_cmd(f):
        line = f.readline()
        if not line:
            return None
        n = int(line[1:-2])
        args = []
        for _ in range(n):
            ln = int(f.readline()[1:-2])
            args.append(f.read(ln + 2)[:-2])
        return args

    def _serve(self, c):
        f = c.makefile("rb")
        while True:
            args = self._read_cmd(f)
            if args is None:
                return
            self.seen.append(args)
            name = args[0].upper()
            if name == b"CANNED":
                c.sendall(self.canned[args[1].decode()])
            elif name == b"HELLO":
                c.sendall(b"%1\r\n+proto\r\n:3\r\n")
            elif name == b"COMMAND":
                c.sendall(b"*0\r\n")
            else:
                c.sendall(b"+OK\r\n")

    def close(self):
        self.sock.close()


CANNED = {
    "int": b":42\r\n",
    "neg": b":-7\r\n",
    "bulk": b"$3\r\nbar\r\n",
    "binary": b"$8\r\na\x00b\"\\\n\x01\xff\r\n",
    "nil": b"$-1\r\n",
    "status": b"+PONG\r\n",
    "error": b"-ERR unknown command 'foo', with args beginning with: \r\n",
    "empty": b"*0\r\n",
    "nested": b"*3\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n$1\r\na\r\n*0\r\n",
    "wide": b"*11\r\n" + b"".join(b":%d\r\n" % i for i in range(1, 11)) + b"*2\r\n:11\r\n*1\r\n:12\r\n",
    "map": b"%2\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nk2\r\n*2\r\n:1\r\n%1\r\n$1\r\na\r\n#t\r\n",
    "emptymap": b"%0\r\n",
    "set": b"~2\r\n$1\r\nx\r\n$1\r\ny\r\n",
    "emptyset": b"~0\r\n",
    "double": b",3.141\r\n",
    "true": b"#t\r\n",
    "false": b"#f\r\n",
    "null": b"_\r\n",
    "verbatim": b"=29\r\ntxt:This is a verbatim\nstring\r\n",
    "bignum": b"(1234567999999999999999999999999999999\r\n",
    "mapofmaps": b"%1\r\n$3\r\nget\r\n%2\r\n$7\r\nsummary\r\n$3\r\nGet\r\n$9\r\narguments\r\n*1\r\n%1\r\n$4\r\nname\r\n$3\r\nkey\r\n",
    "attr": b"|1\r\n+ttl\r\n:3\r\n$5\r\nafter\r\n",
}


@pytest.fixture(scope="module")
def fake():
    s = FakeServer(CANNED)
    yield s
    s.close()


def run(args, input=None, port=None, timeout=60, check_rc=None):
    cmd = [CLI]
    if port is not None:
        cmd += ["-p", str(port)]
    p = subprocess.run(cmd + list(args), input=input, capture_output=True, timeout=timeout)
    if check_rc is not None:
        assert p.returncode == check_rc, (p.returncode, p.stdout, p.stderr)
    return p


def out(fake, *args):
    return run(list(args), port=fake.port).stdout


# --------------------------------------------------------- formatting


@pytest.mark.parametrize("name,expected", [
    ("int", b"(integer) 42\n"),
    ("neg", b"(integer) -7\n"),
    ("bulk", b'"bar"\n'),
    ("binary", b'"a\\x00b\\"\\\\\\n\\x01\\xff"\n'),
    ("nil", b"(nil)\n"),
    ("status", b"PONG\n"),
    ("error", b"(error) ERR unknown command 'foo', with args beginning with: \n"),
    ("empty", b"(empty array)\n"),
    ("nested", b"1) (integer) 1\n2) 1) (integer) 2\n   2) 1) (integer) 3\n      2) \"a\"\n3) (empty array)\n"),
    ("wide", b"".join(b"%2d) (integer) %d\n" % (i, i) for i in range(1, 11)) +
     b"11) 1) (integer) 11\n    2) 1) (integer) 12\n"),
    ("map", b'1# "k" => "v"\n2# "k2" => \n   1) (integer) 1\n   2) 1# "a" => (true)\n'),
    ("emptymap", b"(empty hash)\n"),
    ("set", b'1~ "x"\n2~ "y"\n'),
    ("emptyset", b"(empty set)\n"),
    ("double", b"(double) 3.141\n"),
    ("true", b"(true)\n"),
    ("false", b"(false)\n"),
    ("null", b"(nil)\n"),
    ("verbatim", b"This is a verbatim\nstring\n"),
    ("bignum", b"(big number) 1234567999999999999999999999999999999\n"),
    ("mapofmaps", b'1# "get" => \n   1# "summary" => "Get"\n   2# "arguments" => \n'
                  b'      1) 1# "name" => "key"\n'),
    ("attr", b'"after"\n'),
])
def test_tty_format(fake, name, expected):
    assert out(fake, "--no-raw", "canned", name) == expected


@pytest.mark.parametrize("name,expected", [
    ("int", b"42\n"),
    ("bulk", b"bar\n"),
    ("binary", b"a\x00b\"\\\n\x01\xff\n"),
    ("nil", b"\n"),
    ("status", b"PONG\n"),
    ("error", b"ERR unknown command 'foo', with args beginning with: \n\n"),
    ("empty", b"\n"),
    ("nested", b"1\n2\n3\na\n\n"),
    ("map", b"k v\nk2 1\na (true)\n"),
    ("double", b"3.141\n"),
    ("true", b"(true)\n"),
    ("verbatim", b"This is a verbatim\nstring\n"),
])
def test_raw_format(fake, name, expected):
    # stdout is a pipe here, so raw is the default; --raw must agree.
    assert out(fake, "canned", name) == expected
    assert out(fake, "--raw", "canned", name) == expected


@pytest.mark.parametrize("name,expected", [
    ("int", b"42\n"),
    ("bulk", b'"bar"\n'),
    ("binary", b'"a\\x00b\\"\\\\\\n\\x01\\xff"\n'),
    ("nil", b"NULL\n"),
    ("status", b'"PONG"\n'),
    ("error", b"ERROR,\"ERR unknown command 'foo', with args beginning with: \"\n"),
    ("empty", b"\n"),
    ("nested", b'1,2,3,"a",\n'),
    ("map", b'"k","v","k2",1,"a",true\n'),
    ("double", b"3.141\n"),
    ("false", b"false\n"),
    ("verbatim", b'"This is a verbatim\\nstring"\n'),
])
def test_csv_format(fake, name, expected):
    assert out(fake, "--csv", "canned", name) == expected


@pytest.mark.parametrize("name,expected,quoted", [
    ("int", b"42\n", None),
    ("bulk", b'"bar"\n', None),
    ("binary", b'"a\\u0000b\\"\\\\\\n\\u0001\xff"\n', b'"a\\\\x00b\\\\"\\\\\\\\\\\\n\\\\x01\\\\xff"\n'),
    ("nil", b"null\n", None),
    ("status", b'"PONG"\n', None),
    ("error", b"error:\"ERR unknown command 'foo', with args beginning with: \"\n", None),
    ("empty", b"[]\n", None),
    ("nested", b'[1,[2,[3,"a"]],[]]\n', None),
    ("map", b'{"k":"v","k2":[1,{"a":true}]}\n', None),
    ("emptymap", b"{}\n", None),
    ("set", b'["x","y"]\n', None),
    ("double", b"3.141\n", None),
    ("true", b"true\n", None),
])
def test_json_format(fake, name, expected, quoted):
    assert out(fake, "--json", "canned", name) == expected
    if quoted is not None:
        assert out(fake, "--quoted-json", "canned", name) == quoted


def test_json_switches_to_resp3_unless_2(fake):
    fake.seen.clear()
    out(fake, "--json", "canned", "int")
    assert [b"HELLO", b"3"] in fake.seen
    fake.seen.clear()
    out(fake, "-2", "--json", "canned", "int")
    assert not any(a[0] == b"HELLO" for a in fake.seen)


def test_delimiters(fake):
    assert out(fake, "-d", ",", "canned", "nested") == b"1,2,3,a,\n"
    assert out(fake, "-D", "|", "canned", "int") == b"42|"


# --------------------------------------------------------- flags


def test_basic_commands_and_db(srv):
    run(["set", "foo", "bar"], port=srv.port, check_rc=0)
    assert run(["--no-raw", "get", "foo"], port=srv.port).stdout == b'"bar"\n'
    assert run(["get", "foo"], port=srv.port).stdout == b"bar\n"
    assert run(["-n", "2", "set", "foo", "two"], port=srv.port).stdout == b"OK\n"
    assert run(["-n", "2", "get", "foo"], port=srv.port).stdout == b"two\n"
    assert run(["get", "foo"], port=srv.port).stdout == b"bar\n"
    p = run(["-n", "99", "ping"], port=srv.port)
    assert p.stderr == b"SELECT 99 failed: ERR DB index is out of range\n"
    assert p.stdout == b"PONG\n"


def test_quoted_args_and_escapes(srv):
    # The command line is taken verbatim; escapes are only parsed at the prompt.
    run(["set", "k", "a\\x00b"], port=srv.port, check_rc=0)
    assert run(["--no-raw", "get", "k"], port=srv.port).stdout == b'"a\\\\x00b"\n'
    p = run([], input=b'set k "a\\x00b \\"q\\""\nset k2 \'it\\\'s\'\nget k\nget k2\n', port=srv.port)
    assert p.stdout == b'OK\nOK\na\x00b "q"\nit\'s\n'
    p = run(["--no-raw"], input=b'echo "unbalanced\n', port=srv.port)
    assert p.stdout == b"Invalid argument(s)\n"


def test_exit_code_with_e(srv):
    p = run(["nosuchcmd"], port=srv.port)
    assert p.returncode == 0
    assert p.stdout.startswith(b"ERR unknown command 'nosuchcmd'")
    p = run(["-e", "nosuchcmd"], port=srv.port)
    assert p.returncode == 1
    assert p.stderr.startswith(b"ERR unknown command 'nosuchcmd'")
    assert run(["-e", "ping"], port=srv.port).returncode == 0


def test_stdin_last_arg_and_repeat(srv):
    run(["-x", "set", "xk"], input=b"from\nstdin", port=srv.port, check_rc=0)
    assert run(["--no-raw", "get", "xk"], port=srv.port).stdout == b'"from\\nstdin"\n'
    assert run(["-r", "3", "incr", "cnt"], port=srv.port).stdout == b"1\n2\n3\n"
    t = time.time()
    assert run(["-r", "3", "-i", "0.2", "incr", "cnt"], port=srv.port).stdout == b"4\n5\n6\n"
    assert time.time() - t >= 0.35


def test_piped_commands(srv):
    p = run([], input=b"set a b\nget a\nfoo\nrpush l x y\nlrange l 0 -1\n", port=srv.port)
    assert p.stdout == (b"OK\nb\nERR unknown command 'foo', with args beginning with: \n\n"
                        b"2\nx\ny\n")
    p = run(["--no-raw"], input=b"get a\n", port=srv.port)
    assert p.stdout == b'"b"\n'


def test_uri_and_auth_warning(srv):
    p = run(["-u", "valkey://127.0.0.1:%d/3" % srv.port, "set", "u", "1"])
    assert p.stdout == b"OK\n" and p.stderr == b""
    assert run(["-n", "3", "get", "u"], port=srv.port).stdout == b"1\n"
    p = run(["-u", "redis://127.0.0.1:%d/3" % srv.port, "get", "u"])
    assert p.stdout == b"1\n"
    p = run(["-a", "secret", "ping"], port=srv.port)
    assert p.stderr.startswith(
        b"Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n")
    assert p.stdout == b"PONG\n"
    p = run(["-a", "secret", "--no-auth-warning", "ping"], port=srv.port)
    assert b"Warning" not in p.stderr


def test_auth_with_user(srv):
    run(["config", "set", "requirepass", "pw"], port=srv.port, check_rc=0)
    try:
        p = run(["--no-auth-warning", "-a", "pw", "ping"], port=srv.port)
        assert p.stdout == b"PONG\n"
        p = run(["--no-auth-warning", "--user", "default", "--pass", "pw", "ping"], port=srv.port)
        assert p.stdout == b"PONG\n"
        p = run(["-u", "valkey://default:pw@127.0.0.1:%d" % srv.port, "--no-auth-warning", "ping"])
        assert p.stdout == b"PONG\n"
        p = run(["ping"], port=srv.port)
        assert p.stdout.startswith(b"NOAUTH Authentication required.")
        p = run(["--askpass", "ping"], port=srv.port, input=b"pw\n")
        assert p.stdout == b"PONG\n"
    finally:
        run(["--no-auth-warning", "-a", "pw", "config", "set", "requirepass", ""], port=srv.port)


def test_version_and_bad_option():
    p = run(["-v"])
    assert p.returncode == 0 and p.stdout.startswith(b"valkey-cli 8.")
    p = run(["--no-such-flag"])
    assert p.returncode == 1
    assert p.stderr == b"Unrecognized option or bad number of args for: '--no-such-flag'\n"


def test_connection_refused():
    port = free_port()
    p = run(["ping"], port=port)
    assert p.returncode == 1
    assert p.stderr == b"Could not connect to Valkey at 127.0.0.1:%d: Connection refused\n" % port


def test_resp3_against_server(srv):
    run(["hset", "h", "f", "v"], port=srv.port, check_rc=0)
    assert run(["-3", "--no-raw", "hgetall", "h"], port=srv.port).stdout == b'1# "f" => "v"\n'
    assert run(["--no-raw", "hgetall", "h"], port=srv.port).stdout == b'1) "f"\n2) "v"\n'
    assert run(["--json", "hgetall", "h"], port=srv.port).stdout == b'{"f":"v"}\n'


# --------------------------------------------------------- tool modes


def _resp(*args):
    o = b"*%d\r\n" % len(args)
    for a in args:
        o += b"$%d\r\n%s\r\n" % (len(a), a)
    return o


def test_pipe_counts_and_errors(srv):
    data = _resp(b"SET", b"a", b"1") + _resp(b"LPUSH", b"a", b"x") + _resp(b"INCR", b"n")
    p = run(["--pipe"], input=data, port=srv.port)
    assert p.stdout == (b"All data transferred. Waiting for the last reply...\n"
                        b"Last reply received from server.\nerrors: 1, replies: 3\n")
    assert p.stderr == b"WRONGTYPE Operation against a key holding the wrong kind of value\n"
    assert p.returncode == 1
    p = run(["--pipe"], input=_resp(b"SET", b"b", b"2"), port=srv.port)
    assert p.returncode == 0
    assert p.stdout.endswith(b"errors: 0, replies: 1\n")


def test_pipe_one_million_sets(srv):
    n = 1000000
    data = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\nk:%d\r\n$1\r\nv\r\n" % (len(b"k:%d" % i), i)
                    for i in range(n))
    t = time.time()
    p = run(["--pipe"], input=data, port=srv.port, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith(b"errors: 0, replies: %d\n" % n)
    assert run(["dbsize"], port=srv.port).stdout == b"%d\n" % n
    print("1M SETs via --pipe in %.2fs" % (time.time() - t))


def test_scan(srv):
    keys = [b"user:%d" % i for i in range(50)] + [b"other:%d" % i for i in range(10)] + [b"we*ird"]
    data = b"".join(_resp(b"SET", k, b"x") for k in keys)
    run(["--pipe"], input=data, port=srv.port, check_rc=0)
    p = run(["--scan"], port=srv.port)
    assert sorted(p.stdout.split()) == sorted(keys)
    p = run(["--scan", "--pattern", "user:*", "--count", "7"], port=srv.port)
    assert sorted(p.stdout.split()) == sorted(k for k in keys if k.startswith(b"user:"))
    p = run(["--scan", "--quoted-pattern", '"we\\x2aird"'], port=srv.port)
    assert p.stdout.split() == [b"we*ird"]


def test_bigkeys(srv):
    data = (_resp(b"SET", b"s1", b"abc") + _resp(b"SET", b"s2", b"abcdefgh") +
            _resp(b"RPUSH", b"l1", b"a", b"b", b"c", b"d") + _resp(b"HSET", b"h1", b"f", b"v", b"g", b"w") +
            _resp(b"SADD", b"set1", b"m") + _resp(b"ZADD", b"z1", b"1", b"a", b"2", b"b", b"3", b"c"))
    run(["--pipe"], input=data, port=srv.port, check_rc=0)
    p = run(["--bigkeys"], port=srv.port)
    text = p.stdout.decode()
    assert text.startswith("\n# Scanning the entire keyspace to find biggest keys as well as\n"
                           "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n"
                           "# per 100 SCAN commands (not usually needed).\n\n")
    assert "Biggest string found so far '\"s2\"' with 8 bytes" in text or \
        "Biggest string found so far '\"s1\"' with 3 bytes" in text
    assert "\n-------- summary -------\n\nSampled 6 keys in the keyspace!\n" in text
    assert "Total key length in bytes is 14 (avg len 2.33)\n" in text
    assert "Biggest string found '\"s2\"' has 8 bytes\n" in text
    assert "Biggest   list found '\"l1\"' has 4 items\n" in text
    assert "Biggest   hash found '\"h1\"' has 2 fields\n" in text
    assert "Biggest    set found '\"set1\"' has 1 members\n" in text
    assert "Biggest   zset found '\"z1\"' has 3 members\n" in text
    assert "2 strings with 11 bytes (33.33% of keys, avg size 5.50)\n" in text
    assert "1 lists with 4 items (16.67% of keys, avg size 4.00)\n" in text
    assert "0 streams with 0 entries (00.00% of keys, avg size 0.00)\n" in text


def test_memkeys(srv):
    run(["set", "m1", "x" * 1000], port=srv.port, check_rc=0)
    text = run(["--memkeys"], port=srv.port).stdout.decode()
    assert "Biggest string found '\"m1\"' has " in text
    assert "1 strings with " in text


def test_rdb_snapshot(srv, tmp_path):
    run(["set", "snap", "1"], port=srv.port, check_rc=0)
    target = tmp_path / "fetched.rdb"
    p = run(["--rdb", str(target)], port=srv.port, timeout=60)
    assert p.returncode == 0, p.stderr
    err = p.stderr.decode()
    assert err.startswith("sending REPLCONF capa eof\nsending REPLCONF rdb-only 1\n")
    size = target.stat().st_size
    assert err.endswith("Transfer finished with success after %d bytes\n" % size)
    data = target.read_bytes()
    assert data.startswith(b"REDIS0") or data.startswith(b"VALKEY")
    assert b"snap" in data


def test_replica_stream(srv):
    proc = subprocess.Popen([CLI, "-p", str(srv.port), "--replica"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        # Wait for the sync to finish before writing, then look for the command.
        got = b""
        run(["set", "rk", "rv"], port=srv.port, check_rc=0)
        os.set_blocking(proc.stdout.fileno(), False)
        while time.time() < deadline and b'"set","rk","rv"' not in got.lower():
            time.sleep(0.2)
            chunk = proc.stdout.read()
            if chunk:
                got += chunk
            else:
                run(["set", "rk", "rv"], port=srv.port)
        assert b'"set","rk","rv"' in got.lower()
    finally:
        proc.terminate()
        proc.wait(5)
    err = proc.stderr.read().decode()
    assert err.startswith("sending REPLCONF capa eof\nsending REPLCONF rdb-filter-only \n")
    assert "Logging commands from master.\n" in err


def test_latency_non_tty(srv):
    p = run(["--latency"], port=srv.port, timeout=10)
    fields = p.stdout.split()
    assert len(fields) == 4 and int(fields[3]) > 10
    p = run(["--latency", "--csv"], port=srv.port, timeout=10)
    assert len(p.stdout.strip().split(b",")) == 4


def test_stat(srv):
    proc = subprocess.Popen([CLI, "-p", str(srv.port), "--stat", "-i", "0.2"], stdout=subprocess.PIPE)
    time.sleep(1)
    proc.terminate()
    text = proc.communicate(timeout=5)[0].decode()
    lines = text.splitlines()
    assert lines[0] == "------- data ------ --------------------- load -------------------- - child -"
    assert lines[1].startswith("keys       mem      clients blocked requests            connections")
    assert len(lines) >= 4


def test_eval_file(srv, tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("return {KEYS[1], ARGV[1], #KEYS, #ARGV}")
    p = run(["--no-raw", "--eval", str(script), "k1", "k2", ",", "a1"], port=srv.port)
    assert p.stdout == b'1) "k1"\n2) "a1"\n3) (integer) 2\n4) (integer) 1\n'


# --------------------------------------------------------- interactive (tmux)

tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


class Term:
    def __init__(self, cmd, env):
        self.name = "clitest%d" % free_port()
        envs = " ".join("%s=%s" % kv for kv in env.items())
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "200", "-y", "60",
                        "env %s %s" % (envs, cmd)], check=True)

    def send(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name] + list(keys), check=True)

    def line(self, text):
        self.send(text, "Enter")

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, check=True).stdout.decode()

    def wait_for(self, text, timeout=5):
        # capture-pane drops trailing blanks, so compare with them stripped.
        text = "\n".join(l.rstrip(" ") for l in text.split("\n"))
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = "\n".join(l.rstrip(" ") for l in self.screen().split("\n"))
            if text in s:
                return s
            time.sleep(0.05)
        raise AssertionError("%r not on screen:\n%s" % (text, self.screen()))

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def term_factory(tmp_path):
    terms = []

    def make(port, extra=""):
        env = {"HOME": str(tmp_path), "TERM": "xterm"}
        t = Term("%s -p %d %s" % (CLI, port, extra), env)
        terms.append(t)
        return t
    yield make
    for t in terms:
        t.close()


@tmux
def test_repl_prompt_and_replies(srv, term_factory):
    t = term_factory(srv.port)
    p = "127.0.0.1:%d> " % srv.port
    t.wait_for(p)
    t.line("set foo bar")
    t.wait_for(p + "set foo bar\nOK\n")
    t.line("get foo")
    t.wait_for('get foo\n"bar"\n')
    t.line("rpush mylist a b")
    t.line("lrange mylist 0 -1")
    t.wait_for('lrange mylist 0 -1\n1) "a"\n2) "b"\n')
    t.line("get nokey")
    t.wait_for("get nokey\n(nil)\n")
    t.line("nosuchcmd")
    t.wait_for("nosuchcmd\n(error) ERR unknown command 'nosuchcmd'")
    t.line("select 2")
    t.wait_for("127.0.0.1:%d[2]> " % srv.port)
    t.line("multi")
    t.wait_for("127.0.0.1:%d[2](TX)> " % srv.port)
    t.line("exec")
    t.line('set q "a\\x00b"')
    t.line("get q")
    t.wait_for('get q\n"a\\x00b"\n')
    t.line("3 incr c")
    t.wait_for("3 incr c\n(integer) 1\n(integer) 2\n(integer) 3\n")


@tmux
def test_repl_help_from_server(srv, term_factory):
    t = term_factory(srv.port)
    t.wait_for("127.0.0.1:%d> " % srv.port)
    t.line("help get")
    s = t.wait_for("summary:")
    assert "\n  GET key\n  summary: " in s
    assert "  group: string\n" in s
    t.line("help")
    t.wait_for('"help @<group>" to get a list of commands in <group>')


@tmux
def test_repl_builtin_help_and_completion(fake, term_factory):
    # The fake server has no COMMAND DOCS, so the built-in table is used.
    t = term_factory(fake.port)
    p = "127.0.0.1:%d> " % fake.port
    t.wait_for(p)
    t.line("help @hyperloglog")
    s = t.wait_for("PFMERGE")
    assert "\n  PFADD key [element [element ...]]\n  summary: " in s
    assert "  since: 2.8.9\n" in s
    t.line("clear")
    t.line("help set")
    s = t.wait_for("group: string")
    assert "\n  SET key value [NX | XX] [GET] [EX seconds | PX milliseconds" in s
    t.line("clear")
    t.send("hgetal", "Tab")
    t.wait_for(p + "hgetall ")
    t.send("C-u")
    t.send("ZSCO", "Tab")
    t.wait_for(p + "ZSCORE ")


@tmux
def test_repl_history_file(srv, term_factory, tmp_path):
    hist = tmp_path / "hist"
    hist.write_text("echo from-history\n")
    t = Term("%s -p %d" % (CLI, srv.port), {"HOME": str(tmp_path), "VALKEYCLI_HISTFILE": str(hist)})
    try:
        t.wait_for("> ")
        t.send("Up")
        t.send("Enter")
        t.wait_for('"from-history"')
        t.line("auth secretpass")
        t.line("ping")
        t.wait_for("PONG")
        lines = hist.read_text().splitlines()
        assert lines == ["echo from-history", "echo from-history", "ping"]
    finally:
        t.close()
    # Default location when VALKEYCLI_HISTFILE is not set.
    t = Term("%s -p %d" % (CLI, srv.port), {"HOME": str(tmp_path)})
    try:
        t.wait_for("> ")
        t.line("ping")
        t.wait_for("PONG")
        assert (tmp_path / ".valkeycli_history").read_text() == "ping\n"
    finally:
        t.close()


@tmux
def test_repl_reconnect_and_connect(tmp_path, term_factory):
    server = os.environ.get("CLI_TEST_SERVER") or os.environ.get(
        "VALKEY_SERVER_BIN", os.path.join(ROOT, "src", "valkey-server"))
    if not os.path.exists(server):
        server = "/usr/bin/redis-server"
    a = _OwnServer(server, tmp_path)
    b = _OwnServer(server, tmp_path)
    try:
        t = term_factory(a.port)
        t.wait_for("127.0.0.1:%d> " % a.port)
        t.line("set k 1")
        t.wait_for("OK")
        a.stop()
        t.line("get k")
        t.wait_for("not connected> ")
        # Same port, new process: the next command reconnects by itself.
        a2 = _OwnServer.__new__(_OwnServer)
        a2.port = a.port
        a2.proc = subprocess.Popen([server, "--port", str(a.port), "--save", "", "--dir", str(tmp_path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        t.line("ping")
        t.wait_for("not connected> ping\nPONG\n127.0.0.1:%d> " % a.port)
        t.line("connect 127.0.0.1 %d" % b.port)
        t.wait_for("127.0.0.1:%d> " % b.port)
        a2.stop()
    finally:
        a.stop()
        b.stop()


def _last_line(t):
    lines = [l.rstrip(" ") for l in t.screen().split("\n") if l.strip()]
    return lines[-1] if lines else ""


def _wait_last_line(t, want, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _last_line(t) == want:
            return
        time.sleep(0.05)
    raise AssertionError("last line %r, wanted %r:\n%s" % (_last_line(t), want, t.screen()))


def _cursor_x(t):
    out = subprocess.run(["tmux", "display", "-p", "-t", t.name, "#{cursor_x}"],
                         capture_output=True, check=True).stdout
    return int(out)


SET_OPTS = ("[NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
            "PXAT unix-time-milliseconds | KEEPTTL]")


@tmux
def test_repl_hints_builtin(fake, term_factory):
    # The built-in table gives a known synopsis: SET key value [NX | XX] ...
    t = term_factory(fake.port)
    p = "127.0.0.1:%d> " % fake.port
    t.wait_for(p)
    t.send("set foo ")
    _wait_last_line(t, p + "set foo value " + SET_OPTS)
    # The hint sits right of the cursor; the cursor stays after the typed text.
    assert _cursor_x(t) == len(p + "set foo ")
    colored = subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", t.name],
                             capture_output=True, check=True).stdout.decode()
    assert "set foo \x1b[90mvalue [NX | XX]" in colored
    # Partial word: one synopsis word per argument is dropped, with a space
    # before the hint so it never touches what is being typed.
    t.send("ba")
    _wait_last_line(t, p + "set foo ba " + SET_OPTS)
    assert _cursor_x(t) == len(p + "set foo ba")
    # Optional parts stay once the required ones are typed.
    t.send("r ")
    _wait_last_line(t, p + "set foo bar " + SET_OPTS)
    t.send("C-u", "get ")
    _wait_last_line(t, p + "get key")
    # Complete line: the hint is gone.
    t.send("foo")
    _wait_last_line(t, p + "get foo")
    assert _cursor_x(t) == len(p + "get foo")
    t.send("C-u", "hgetal", "Tab")
    _wait_last_line(t, p + "hgetall key")
    assert _cursor_x(t) == len(p + "hgetall ")


@tmux
def test_repl_hints_server_docs_and_toggle(srv, term_factory):
    t = term_factory(srv.port)
    p = "127.0.0.1:%d> " % srv.port
    t.wait_for(p)
    t.send("set foo ")
    s = t.wait_for(p + "set foo value [")
    assert "[GET]" in s
    # Enter erases the hint before the reply is printed.
    t.send("bar", "Enter")
    t.wait_for(p + "set foo bar\nOK\n" + p)
    t.send("get foo")
    _wait_last_line(t, p + "get foo")
    t.send("Enter")
    t.wait_for(p + 'get foo\n"bar"\n' + p)
    t.line(":set nohints")
    t.wait_for(":set nohints\n" + p)
    t.send("set foo ")
    time.sleep(0.5)
    assert _last_line(t) == p + "set foo"
    t.send("C-u")
    t.line(":set hints")
    t.wait_for(":set hints\n" + p)
    t.send("set foo ")
    t.wait_for(p + "set foo value [")


@tmux
def test_repl_hints_narrow_terminal(fake, term_factory):
    # A hint never wraps: it is cut at the right margin, and long input that
    # wraps itself gets no hint, so the screen stays as libedit drew it.
    t = term_factory(fake.port)
    p = "127.0.0.1:%d> " % fake.port
    t.wait_for(p)
    subprocess.run(["tmux", "resize-window", "-t", t.name, "-x", "40"], check=True)
    time.sleep(0.3)
    t.send("set foo ")
    want = (p + "set foo value " + SET_OPTS)[:39]
    _wait_last_line(t, want)
    assert _cursor_x(t) == len(p + "set foo ")
    t.send("x" * 30)
    t.wait_for(p + "set foo " + "x" * 15 + "\n" + "x" * 15 + "\n")
    t.send("Enter")
    t.wait_for("OK\n" + p)
