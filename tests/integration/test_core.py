"""Server core: the RESP protocol (inline, multibulk, pipelining, limits and
their exact error texts), dispatch errors, HELLO/RESP3, AUTH, SELECT, CLIENT,
MULTI/WATCH, pub/sub, keyspace events, COMMAND, INFO, SLOWLOG, MONITOR,
blocking infrastructure, idle timeout, maxclients, unix socket, shutdown."""
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import SERVER_BIN, free_port
from kvutil import Conn, err, wait_for


@pytest.fixture
def srv(start_server):
    return start_server()


@pytest.fixture
def c(srv):
    conn = Conn(srv.port)
    yield conn
    conn.close()


# ------------------------------------------------------------------ protocol
def test_inline_and_multibulk(srv):
    assert srv.raw(b"PING\r\n") == b"+PONG\r\n"
    assert srv.raw(b"PING\n") == b"+PONG\r\n"
    assert srv.raw(b'ECHO "a b\\x41"\r\n') == b"$4\r\na bA\r\n"
    assert srv.raw(b"*2\r\n$4\r\nECHO\r\n$3\r\nfoo\r\n") == b"$3\r\nfoo\r\n"


def test_pipelining_many_commands(srv):
    n = 1000
    out = srv.raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" * n + b"PING\r\n", wait=0.5)
    assert out == b"+OK\r\n" * n + b"+PONG\r\n"


def test_command_split_across_reads(srv):
    s = socket.create_connection(("127.0.0.1", srv.port))
    msg = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
    for i in range(len(msg)):
        s.sendall(msg[i:i + 1])
        time.sleep(0.001)
    s.settimeout(2)
    data = b""
    while len(data) < 16:
        data += s.recv(100)
    assert data == b"+OK\r\n$5\r\nvalue\r\n"
    s.close()


@pytest.mark.parametrize("payload,reply", [
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n"),
    (b"*1\r\n$abc\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b'SET "a b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
])
def test_protocol_errors_close_connection(srv, payload, reply):
    assert srv.raw(payload + b"PING\r\n", read_until_close=True) == reply
    assert srv.alive()


def test_big_inline_request_rejected(srv):
    out = srv.raw(b"A" * (70 * 1024), read_until_close=True)
    assert out == b"-ERR Protocol error: too big inline request\r\n"


def test_proto_max_bulk_len(start_server):
    s = start_server(config={"proto-max-bulk-len": "1mb"})
    out = s.raw(b"*2\r\n$3\r\nGET\r\n$2000000\r\n", read_until_close=True)
    assert out == b"-ERR Protocol error: invalid bulk length\r\n"


def test_query_buffer_limit_closes_client(start_server):
    s = start_server(config={"client-query-buffer-limit": "1mb"})
    sock = socket.create_connection(("127.0.0.1", s.port))
    try:
        sock.sendall(b"*2\r\n$3\r\nSET\r\n$10000000\r\n" + b"x" * (3 * 1024 * 1024))
    except OSError:
        pass
    sock.settimeout(5)
    try:
        assert sock.recv(100) == b""
    except ConnectionResetError:
        pass
    assert Conn(s.port)("INFO", "stats").count(b"client_query_buffer_limit_disconnections:1") == 1


def test_unknown_command_and_arity(c):
    assert c("FOO", "bar", "baz") == err("ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' ")
    assert c("GET") == err("ERR wrong number of arguments for 'get' command")
    assert c("CONFIG", "NOPE") == err("ERR unknown subcommand 'NOPE'. Try CONFIG HELP.")
    assert c("CLIENT", "NOPE") == err("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")


def test_ping_echo(c):
    assert c("PING") == "PONG"
    assert c("PING", "hi") == b"hi"
    assert c("PING", "a", "b") == err("ERR wrong number of arguments for 'ping' command")
    assert c("ECHO", b"\x00\xff") == b"\x00\xff"


# ------------------------------------------------------------------ RESP3
def test_hello_resp3(srv):
    c = Conn(srv.port)
    info = c("HELLO", "3")
    assert info[b"server"] == b"valkey"
    assert info[b"proto"] == 3
    assert info[b"mode"] == b"standalone"
    assert info[b"role"] == b"master"
    assert c("HELLO", "4") == err("NOPROTO unsupported protocol version")
    assert c("HELLO", "x") == err("ERR Protocol version is not an integer or out of range")
    assert c("HELLO", "3", "FOO") == err("ERR Syntax error in HELLO option 'FOO'")


def test_resp3_types_on_the_wire(srv):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"HELLO 3\r\n")
    time.sleep(0.2)
    s.recv(4096)
    s.sendall(b"GET nokey\r\nZADD z 1.5 a\r\nZSCORE z a\r\nHSET h f v\r\nHGETALL h\r\n")
    time.sleep(0.3)
    data = s.recv(4096)
    assert data == b"_\r\n:1\r\n,1.5\r\n:1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
    s.close()


def test_resp2_nulls(srv):
    assert srv.raw(b"GET nokey\r\nLPOP nolist 2\r\n") == b"$-1\r\n*-1\r\n"


# ------------------------------------------------------------------ auth / select
def test_requirepass(start_server):
    s = start_server(config={"requirepass": "secret"})
    c = Conn(s.port)
    assert c("GET", "x") == err("NOAUTH Authentication required.")
    assert c("AUTH", "wrong") == err("WRONGPASS invalid username-password pair or user is disabled.")
    assert c("AUTH", "secret") == "OK"
    assert c("GET", "x") is None
    c2 = Conn(s.port)
    assert c2("HELLO", "3", "AUTH", "default", "secret")[b"proto"] == 3
    assert c2("PING") == "PONG"


def test_auth_without_password(c):
    assert c("AUTH", "x") == err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")


def test_select(c):
    assert c("SELECT", "1") == "OK"
    assert c("SET", "a", "1") == "OK"
    assert c("SELECT", "0") == "OK"
    assert c("GET", "a") is None
    assert c("SELECT", "16") == err("ERR DB index is out of range")
    assert c("SELECT", "abc") == err("ERR value is not an integer or out of range")


# ------------------------------------------------------------------ CLIENT
def test_client_commands(srv):
    c = Conn(srv.port)
    cid = c("CLIENT", "ID")
    assert isinstance(cid, int) and cid > 0
    assert c("CLIENT", "GETNAME") is None
    assert c("CLIENT", "SETNAME", "worker") == "OK"
    assert c("CLIENT", "GETNAME") == b"worker"
    assert c("CLIENT", "SETNAME", "a b") == err("ERR Client names cannot contain spaces, newlines or special characters.")
    info = c("CLIENT", "INFO")
    assert info.startswith(b"id=%d addr=127.0.0.1:" % cid) and b" name=worker " in info
    lst = c("CLIENT", "LIST")
    assert b"name=worker" in lst and lst.endswith(b"\n")
    assert c("CLIENT", "LIST", "TYPE", "foo") == err("ERR Unknown client type 'foo'")
    assert c("CLIENT", "SETINFO", "LIB-NAME", "mylib") == "OK"
    assert b"lib-name=mylib" in c("CLIENT", "INFO")


def test_client_kill(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    bid = b("CLIENT", "ID")
    assert a("CLIENT", "KILL", "ID", str(bid)) == 1
    assert a("CLIENT", "KILL", "ID", "999999") == 0
    with pytest.raises((ConnectionError, OSError)):
        b("PING")
    assert a("CLIENT", "KILL", "127.0.0.1:1") == err("ERR No such client")


def test_client_reply_off_skip(srv):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\nPING\r\nCLIENT REPLY SKIP\r\nPING\r\nPING\r\n")
    time.sleep(0.3)
    assert s.recv(100) == b"+OK\r\n+PONG\r\n+PONG\r\n"
    s.close()


def test_client_unblock(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    bid = b("CLIENT", "ID")
    b.send("BLPOP", "nolist", "0")
    assert wait_for(lambda: b"blocked_clients:1" in a("INFO", "clients"))
    assert a("CLIENT", "UNBLOCK", str(bid)) == 1
    assert b.read() is None
    b.send("BLPOP", "nolist", "0")
    assert wait_for(lambda: b"blocked_clients:1" in a("INFO", "clients"))
    assert a("CLIENT", "UNBLOCK", str(bid), "ERROR") == 1
    assert b.read() == err("UNBLOCKED client unblocked via CLIENT UNBLOCK")
    assert a("CLIENT", "UNBLOCK", str(bid)) == 0


def test_blocking_timeout_and_pipeline_after_unblock(srv):
    c = Conn(srv.port)
    t0 = time.time()
    assert c("BLPOP", "nolist", "0.2") is None
    assert 0.15 < time.time() - t0 < 2
    b = Conn(srv.port)
    b.send("BLPOP", "q", "0")
    b.send("PING")
    assert wait_for(lambda: b"blocked_clients:1" in c("INFO", "clients"))
    assert c("RPUSH", "q", "x") == 1
    assert b.read() == [b"q", b"x"]
    assert b.read() == "PONG"


def test_blocking_inside_multi_does_not_block(c):
    assert c("MULTI") == "OK"
    assert c("BLPOP", "nolist", "0") == "QUEUED"
    assert c("EXEC") == [None]


# ------------------------------------------------------------------ MULTI/WATCH
def test_multi_exec(c):
    assert c("MULTI") == "OK"
    assert c("SET", "a", "1") == "QUEUED"
    assert c("INCR", "a") == "QUEUED"
    assert c("EXEC") == ["OK", 2]
    assert c("EXEC") == err("ERR EXEC without MULTI")
    assert c("DISCARD") == err("ERR DISCARD without MULTI")
    assert c("MULTI") == "OK"
    assert c("MULTI") == err("ERR MULTI calls can not be nested")
    assert c("DISCARD") == "OK"


def test_execabort_on_queue_error(c):
    assert c("MULTI") == "OK"
    assert c("SET", "a") == err("ERR wrong number of arguments for 'set' command")
    assert c("SET", "a", "1") == "QUEUED"
    assert c("EXEC") == err("EXECABORT Transaction discarded because of previous errors.")
    assert c("GET", "a") is None


def test_exec_runtime_error_keeps_others(c):
    c("SET", "s", "x")
    assert c("MULTI") == "OK"
    c("INCR", "s")
    c("SET", "t", "1")
    res = c("EXEC")
    assert res[0] == err("ERR value is not an integer or out of range") and res[1] == "OK"


def test_watch(srv):
    a, b = Conn(srv.port), Conn(srv.port)
    assert a("WATCH", "k") == "OK"
    b("SET", "k", "changed")
    a("MULTI")
    a("SET", "k", "mine")
    assert a("EXEC") is None
    assert a("GET", "k") == b"changed"
    assert a("WATCH", "k") == "OK"
    assert a("UNWATCH") == "OK"
    b("SET", "k", "again")
    a("MULTI")
    a("SET", "k", "mine")
    assert a("EXEC") == ["OK"]
    a("MULTI")
    assert a("WATCH", "x") == err("ERR WATCH inside MULTI is not allowed")
    a("DISCARD")


def test_watch_flushall_touches(srv):
    a = Conn(srv.port)
    a("SET", "k", "1")
    a("WATCH", "k")
    Conn(srv.port)("FLUSHALL")
    a("MULTI")
    a("PING")
    assert a("EXEC") is None


# ------------------------------------------------------------------ pub/sub
def test_pubsub(srv):
    sub, pub = Conn(srv.port), Conn(srv.port)
    assert sub("SUBSCRIBE", "ch") == [b"subscribe", b"ch", 1]
    assert sub("PSUBSCRIBE", "c*") == [b"psubscribe", b"c*", 2]
    assert pub("PUBLISH", "ch", "hello") == 2
    assert sub.read() == [b"message", b"ch", b"hello"]
    assert sub.read() == [b"pmessage", b"c*", b"ch", b"hello"]
    assert sub("GET", "x") == err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    assert sub("PING") == [b"pong", b""]
    assert pub("PUBSUB", "NUMSUB", "ch", "other") == [b"ch", 1, b"other", 0]
    assert pub("PUBSUB", "NUMPAT") == 1
    assert pub("PUBSUB", "CHANNELS") == [b"ch"]
    assert sub("UNSUBSCRIBE", "ch") == [b"unsubscribe", b"ch", 1]
    assert sub("PUNSUBSCRIBE") == [b"punsubscribe", b"c*", 0]
    assert sub("GET", "x") is None


def test_keyspace_notifications(srv):
    c = Conn(srv.port)
    assert c("CONFIG", "SET", "notify-keyspace-events", "KEA") == "OK"
    sub = Conn(srv.port)
    sub("PSUBSCRIBE", "__key*__:*")
    c("SET", "foo", "bar")
    got = {tuple(sub.read()[2:]) for _ in range(2)}
    assert got == {(b"__keyspace@0__:foo", b"set"), (b"__keyevent@0__:set", b"foo")}
    c("SET", "tmp", "1", "PX", "50")
    time.sleep(0.3)
    c("GET", "tmp")
    events = [tuple(sub.read()[2:]) for _ in range(6)]
    assert (b"__keyevent@0__:expired", b"tmp") in events


# ------------------------------------------------------------------ COMMAND / INFO
def test_command_introspection(c):
    assert c("COMMAND", "COUNT") > 150
    info = c("COMMAND", "INFO", "get", "nosuch")
    assert info[0][:6] == [b"get", 2, ["readonly", "fast"], 1, 1, 1]
    assert info[1] is None
    assert c("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert c("COMMAND", "GETKEYS", "PING") == err("ERR The command has no key arguments")
    assert c("COMMAND", "GETKEYS", "NOSUCH") == err("ERR Invalid command specified")
    names = c("COMMAND", "LIST")
    assert b"set" in names and b"config|get" in names
    assert c("COMMAND", "LIST", "FILTERBY", "PATTERN", "zrange*") .__len__() >= 3
    docs = c("COMMAND", "DOCS", "get")
    assert docs[0] == b"get" and b"summary" in docs[1]


def test_info_sections(c):
    full = c("INFO")
    for section in (b"# Server", b"# Clients", b"# Memory", b"# Persistence", b"# Stats", b"# Replication",
                    b"# CPU", b"# Keyspace"):
        assert section in full
    assert b"# Commandstats" not in full
    everything = c("INFO", "everything")
    assert b"# Commandstats" in everything and b"cmdstat_info:calls=" in everything
    mem = c("INFO", "memory")
    assert mem.startswith(b"# Memory\r\nused_memory:")
    assert b"mem_allocator:" in mem
    c("SET", "k", "v")
    c("EXPIRE", "k", "100")
    assert b"db0:keys=1,expires=1," in c("INFO", "keyspace")
    c("FOO")
    assert b"errorstat_ERR:count=1" in c("INFO", "errorstats")
    stats = c("INFO", "commandstats")
    assert b"cmdstat_set:calls=1," in stats
    assert c("INFO", "nosuchsection") == b""


def test_slowlog(c):
    assert c("CONFIG", "SET", "slowlog-log-slower-than", "0") == "OK"
    c("SET", "a", "b")
    entries = c("SLOWLOG", "GET", "5")
    assert any(e[3] == [b"SET", b"a", b"b"] for e in entries)
    assert c("SLOWLOG", "LEN") >= 1
    assert c("SLOWLOG", "RESET") == "OK"
    assert c("SLOWLOG", "LEN") <= 1


def test_monitor(srv):
    m = Conn(srv.port)
    assert m("MONITOR") == "OK"
    Conn(srv.port)("SET", "mk", "a b")
    line = m.read()
    assert line.endswith('"SET" "mk" "a b"') and "[0 127.0.0.1:" in line


def test_time(c):
    t = c("TIME")
    assert abs(int(t[0]) - time.time()) < 5 and 0 <= int(t[1]) < 1000000


# ------------------------------------------------------------------ connections
def test_idle_timeout(start_server):
    s = start_server(config={"timeout": "1"})
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.settimeout(5)
    assert sock.recv(10) == b""
    sock.close()


def test_maxclients(start_server):
    s = start_server(config={"maxclients": "3"})
    conns = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(3)]
    for x in conns:
        x.sendall(b"PING\r\n")
        x.settimeout(2)
        assert x.recv(10) == b"+PONG\r\n"
    extra = socket.create_connection(("127.0.0.1", s.port))
    extra.settimeout(2)
    assert extra.recv(100) == b"-ERR max number of clients reached\r\n"
    for x in conns:
        x.close()


def test_unix_socket(start_server, tmp_path):
    path = str(tmp_path / "v.sock")
    s = start_server(config={"unixsocket": path, "unixsocketperm": "700"})
    u = socket.socket(socket.AF_UNIX)
    u.connect(path)
    u.sendall(b"PING\r\n")
    u.settimeout(2)
    assert u.recv(10) == b"+PONG\r\n"
    assert oct(os.stat(path).st_mode & 0o777) == "0o700"
    u.close()


def test_shutdown_nosave_exits(start_server):
    s = start_server()
    c = Conn(s.port)
    c.send("SHUTDOWN", "NOSAVE")
    assert s.proc.wait(10) == 0
    assert "ready to exit, bye bye" in s.log()


def test_shutdown_abort_without_shutdown(start_server):
    s = start_server()
    c = Conn(s.port)
    assert c("SHUTDOWN", "ABORT") == err("ERR No shutdown in progress.")
    assert c("SHUTDOWN", "ABORT", "NOW") == err("ERR syntax error")
    assert c("SHUTDOWN", "NOSAVE", "ABORT") == err("ERR syntax error")
    assert c("SHUTDOWN", "SAVE", "NOSAVE") == err("ERR syntax error")
    assert c("SHUTDOWN", "BOGUS") == err("ERR syntax error")
    assert c("PING") == "PONG"  # still running
    assert s.proc.poll() is None


def test_sigterm_graceful(start_server):
    s = start_server()
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(10) == 0
    assert "Received SIGTERM scheduling shutdown" in s.log()


def test_port_in_use_fails(start_server):
    s = start_server()
    p = subprocess.run([SERVER_BIN, "--port", str(s.port), "--bind", "127.0.0.1", "--save", ""],
                       capture_output=True, timeout=10)
    assert p.returncode != 0
    assert b"Failed listening on port %d (tcp), aborting." % s.port in p.stdout + p.stderr


def test_startup_log_lines(srv):
    log = srv.log()
    assert "Server initialized" in log and "Ready to accept connections tcp" in log
    assert "Valkey version=" in log


def test_many_clients_random_garbage_never_crash(srv):
    import random
    rnd = random.Random(7)
    for _ in range(200):
        blob = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300)))
        if rnd.random() < 0.5:
            blob = b"*" + blob
        try:
            srv.raw(blob, wait=0)
        except OSError:
            pass
    assert Conn(srv.port)("PING") == "PONG"
