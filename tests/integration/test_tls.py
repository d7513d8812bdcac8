"""TLS for client connections (tls-port, tls-* settings).

The TLS tests run only against a server built with BUILD_TLS=yes; a plain build
must instead refuse to start when tls-port is set, which the last test checks.
Certificates come from utils/gen-test-certs.sh, generated once per session.
"""
import os
import socket
import ssl
import subprocess
import time

import pytest
import redis

from conftest import ROOT, SERVER_BIN, free_port

NOT_BUILT_MSG = b"built without TLS support"


def _probe_tls_build():
    """Start the binary with a bare tls-port: a plain build exits naming the missing
    support, a TLS build exits complaining about the missing certificate."""
    try:
        out = subprocess.run([SERVER_BIN, "--port", "0", "--tls-port", str(free_port()), "--save", ""],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10,
                             cwd="/tmp").stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return NOT_BUILT_MSG not in out


TLS_BUILD = _probe_tls_build()
needs_tls = pytest.mark.skipif(not TLS_BUILD, reason="valkey-server was built without BUILD_TLS=yes")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["sh", os.path.join(ROOT, "utils", "gen-test-certs.sh"), str(d)], check=True,
                   stdout=subprocess.DEVNULL)
    return str(d)


def tls_config(certs, **extra):
    cfg = {"tls-port": free_port(), "tls-cert-file": os.path.join(certs, "server.crt"),
           "tls-key-file": os.path.join(certs, "server.key"),
           "tls-ca-cert-file": os.path.join(certs, "ca.crt")}
    cfg.update(extra)
    return cfg


def tls_client(port, certs, cert="client", **kw):
    kw.setdefault("socket_timeout", 10)
    if cert:
        kw["ssl_certfile"] = os.path.join(certs, cert + ".crt")
        kw["ssl_keyfile"] = os.path.join(certs, cert + ".key")
    return redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=os.path.join(certs, "ca.crt"),
                       ssl_check_hostname=False, **kw)


def ssl_context(certs, cert="client", **versions):
    ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.crt"))
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(os.path.join(certs, cert + ".crt"), os.path.join(certs, cert + ".key"))
    for k, v in versions.items():
        setattr(ctx, k, v)
    return ctx


def tls_raw(port, ctx, data, expect_len=None):
    """One TLS connection: send data, read until expect_len bytes or a pause."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(data)
            out = b""
            s.settimeout(2 if expect_len else 0.5)
            while expect_len is None or len(out) < expect_len:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
            return out, s.getpeercert()


@needs_tls
def test_tls_basic_commands_next_to_plain_port(start_server, certs):
    srv = start_server(config=tls_config(certs))
    t = tls_client(srv.config["tls-port"], certs)
    assert t.ping() is True
    assert t.set("k", "v") is True
    # The plain port keeps serving the same keyspace.
    assert srv.client().get("k") == b"v"
    assert t.execute_command("CONFIG", "GET", "tls-port") == [b"tls-port", str(srv.config["tls-port"]).encode()]
    assert b"Ready to accept connections tls" in open(srv.logfile, "rb").read()


@needs_tls
def test_tls_large_values_and_pipelines(start_server, certs):
    srv = start_server(config=tls_config(certs))
    t = tls_client(srv.config["tls-port"], certs)
    big = os.urandom(3 * 1024 * 1024)
    # A big argument is read in exact-length slices, so the PING behind it stays
    # decrypted inside OpenSSL: it must still be answered without more input.
    p = t.pipeline(transaction=False)
    p.set("big", big)
    p.ping()
    assert p.execute() == [True, True]
    assert t.get("big") == big
    p = t.pipeline(transaction=False)
    for i in range(3000):
        p.set("k%d" % i, "v" * (i % 200))
    assert all(p.execute())
    p = t.pipeline(transaction=False)
    for i in range(3000):
        p.get("k%d" % i)
    assert p.execute() == [b"v" * (i % 200) for i in range(3000)]


@needs_tls
def test_tls_pending_plaintext_after_big_arg_raw(start_server, certs):
    srv = start_server(config=tls_config(certs))
    val = b"x" * (200 * 1024)
    cmd = b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n" % (len(val), val) + b"*1\r\n$4\r\nPING\r\n"
    out, _ = tls_raw(srv.config["tls-port"], ssl_context(certs), cmd, expect_len=len(b"+OK\r\n+PONG\r\n"))
    assert out == b"+OK\r\n+PONG\r\n"


@needs_tls
def test_tls_auth_clients_yes_requires_certificate(start_server, certs):
    srv = start_server(config=tls_config(certs))
    with pytest.raises(redis.exceptions.ConnectionError):
        tls_client(srv.config["tls-port"], certs, cert=None).ping()
    # A refused handshake leaves the server healthy.
    assert tls_client(srv.config["tls-port"], certs).ping() is True
    assert srv.client().ping() is True


@pytest.mark.parametrize("mode", ["no", "optional"])
@needs_tls
def test_tls_auth_clients_no_and_optional(start_server, certs, mode):
    srv = start_server(config=tls_config(certs, **{"tls-auth-clients": mode}))
    assert tls_client(srv.config["tls-port"], certs, cert=None).ping() is True
    assert tls_client(srv.config["tls-port"], certs).ping() is True


@needs_tls
def test_tls_untrusted_client_certificate_refused(start_server, certs, tmp_path):
    other = tmp_path / "other"
    subprocess.run(["sh", os.path.join(ROOT, "utils", "gen-test-certs.sh"), str(other)], check=True,
                   stdout=subprocess.DEVNULL)
    srv = start_server(config=tls_config(certs, **{"tls-auth-clients": "optional"}))
    ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.crt"))
    ctx.check_hostname = False
    ctx.load_cert_chain(str(other / "client.crt"), str(other / "client.key"))
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        out, _ = tls_raw(srv.config["tls-port"], ctx, b"PING\r\n", expect_len=7)
        assert out == b"+PONG\r\n"   # only reached if the handshake was wrongly accepted
        raise AssertionError("handshake with an untrusted certificate succeeded")


@needs_tls
def test_tls_ca_cert_dir_and_encrypted_key(start_server, certs):
    cfg = tls_config(certs, **{"tls-key-file": os.path.join(certs, "server-enc.key"),
                              "tls-key-file-pass": "testpass",
                              "tls-ca-cert-dir": os.path.join(certs, "ca-dir")})
    del cfg["tls-ca-cert-file"]
    srv = start_server(config=cfg)
    assert tls_client(srv.config["tls-port"], certs).ping() is True
    assert srv.client().config_get("tls-key-file-pass") == {"tls-key-file-pass": "testpass"}


@needs_tls
def test_tls_protocols_restrict_versions(start_server, certs):
    srv = start_server(config=tls_config(certs, **{"tls-protocols": "TLSv1.3"}))
    port = srv.config["tls-port"]
    out, _ = tls_raw(port, ssl_context(certs, minimum_version=ssl.TLSVersion.TLSv1_3), b"PING\r\n", 7)
    assert out == b"+PONG\r\n"
    with pytest.raises(ssl.SSLError):
        tls_raw(port, ssl_context(certs, maximum_version=ssl.TLSVersion.TLSv1_2), b"PING\r\n", 7)
    assert srv.client().ping() is True


@needs_tls
def test_tls_plaintext_on_tls_port_is_dropped(start_server, certs):
    srv = start_server(config=tls_config(certs))
    with socket.create_connection(("127.0.0.1", srv.config["tls-port"]), timeout=5) as s:
        s.sendall(b"PING\r\n")
        s.settimeout(5)
        try:
            data = s.recv(100)
        except ConnectionResetError:
            data = b""
        assert b"PONG" not in data
    # A half-open handshake must not block anyone else.
    half = socket.create_connection(("127.0.0.1", srv.config["tls-port"]), timeout=5)
    try:
        assert tls_client(srv.config["tls-port"], certs).ping() is True
    finally:
        half.close()
    assert srv.client().ping() is True


@needs_tls
def test_tls_config_set_reloads_certificate(start_server, certs):
    srv = start_server(config=tls_config(certs))
    port = srv.config["tls-port"]
    plain = srv.client()
    _, cert = tls_raw(port, ssl_context(certs), b"PING\r\n", 7)
    assert dict(x[0] for x in cert["subject"])["commonName"] == "Server-only"
    with pytest.raises(redis.exceptions.ResponseError) as e:
        plain.config_set("tls-cert-file", "/nonexistent/cert.pem")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'tls-cert-file') - "
                            "Unable to update TLS configuration. Check server logs.")
    assert plain.config_get("tls-cert-file")["tls-cert-file"] == os.path.join(certs, "server.crt")
    # Cert and key change together in one CONFIG SET; new sessions get the new identity.
    plain.execute_command("CONFIG", "SET", "tls-cert-file", os.path.join(certs, "valkey.crt"),
                          "tls-key-file", os.path.join(certs, "valkey.key"))
    out, cert = tls_raw(port, ssl_context(certs), b"PING\r\n", 7)
    assert out == b"+PONG\r\n"
    assert dict(x[0] for x in cert["subject"])["commonName"] == "Generic-cert"
    # Turning client authentication off is also live.
    plain.config_set("tls-auth-clients", "no")
    assert tls_client(port, certs, cert=None).ping() is True


@needs_tls
def test_tls_config_set_port(start_server, certs):
    cfg = tls_config(certs)
    del cfg["tls-port"]
    srv = start_server(config=cfg)
    plain = srv.client()
    port = free_port()
    assert plain.config_set("tls-port", port) is True
    assert tls_client(port, certs).ping() is True
    port2 = free_port()
    assert plain.config_set("tls-port", port2) is True
    assert tls_client(port2, certs).ping() is True
    with pytest.raises(redis.exceptions.ConnectionError):
        tls_client(port, certs, socket_connect_timeout=2).ping()
    assert plain.config_set("tls-port", 0) is True
    with pytest.raises(redis.exceptions.ConnectionError):
        tls_client(port2, certs, socket_connect_timeout=2).ping()


@needs_tls
def test_tls_bad_certificate_fails_startup(start_server, certs):
    cfg = tls_config(certs, **{"tls-cert-file": "/nonexistent/server.crt"})
    srv = start_server(config=cfg, wait=False)
    srv.proc.wait(10)
    assert srv.proc.returncode == 1
    log = open(srv.logfile, "rb").read()
    assert b"Failed to load certificate: /nonexistent/server.crt" in log
    assert b"Failed to configure TLS" in log


@needs_tls
def test_tls_client_list_and_many_connections(start_server, certs):
    srv = start_server(config=tls_config(certs))
    clients = [tls_client(srv.config["tls-port"], certs) for _ in range(20)]
    for i, c in enumerate(clients):
        assert c.incr("counter") == i + 1
    assert srv.client().info("clients")["connected_clients"] >= 21
    for c in clients:
        c.close()


@pytest.mark.skipif(TLS_BUILD is not False, reason="checks the plain (non-TLS) build only")
def test_plain_build_refuses_tls_port(start_server):
    srv = start_server(config={"tls-port": free_port()}, wait=False)
    srv.proc.wait(10)
    assert srv.proc.returncode == 1
    assert NOT_BUILT_MSG in open(srv.logfile, "rb").read()
    # At runtime the same setting is refused, leaving tls-port at 0.
    ok = start_server()
    c = ok.client()
    with pytest.raises(redis.exceptions.ResponseError) as e:
        c.config_set("tls-port", free_port())
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'tls-port') - "
                            "Unable to listen on this port. Check server logs.")
    assert c.config_get("tls-port") == {"tls-port": "0"}
    # The other tls-* settings are only stored.
    assert c.config_set("tls-ciphers", "DEFAULT") is True


@needs_tls
def test_tls_cli_flags(start_server, certs):
    from conftest import CLI_BIN
    srv = start_server(config=tls_config(certs))
    port = str(srv.config["tls-port"])
    auth = ["--cacert", os.path.join(certs, "ca.crt"), "--cert", os.path.join(certs, "client.crt"),
            "--key", os.path.join(certs, "client.key")]

    def cli(*args):
        return subprocess.run([CLI_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)

    out = cli("-p", port, "--tls", *auth, "SET", "k", "v")
    assert out.stdout == b"OK\n", out.stderr
    assert cli("-p", port, "--tls", *auth, "GET", "k").stdout == b"v\n"
    assert cli("-u", "valkeys://127.0.0.1:" + port, *auth, "PING").stdout == b"PONG\n"
    assert cli("-p", port, "--tls", "--insecure", "--sni", "localhost", *auth[2:], "PING").stdout == b"PONG\n"
    # Without a trusted CA the server's certificate is refused.
    bad = cli("-p", port, "--tls", *auth[2:], "PING")
    assert bad.returncode == 1
    assert b"Could not negotiate a TLS connection" in bad.stderr


@needs_tls
def test_tls_sync_gets_the_snapshot(start_server, certs):
    """SYNC on a TLS connection (as valkey-cli --rdb sends it) is answered with
    the payload through the session; test_tls_replication.py covers replicas."""
    srv = start_server(config=tls_config(certs, **{"repl-diskless-sync-delay": 0}))
    srv.client().set("k", "v")
    out, _ = tls_raw(srv.config["tls-port"], ssl_context(certs), b"SYNC\r\n", 40)
    out = out.lstrip(b"\n")   # keep-alives while the snapshot is written
    assert out.startswith(b"$") and b"\r\nREDIS00" in out


@needs_tls
def test_tls_config_set_same_port_and_failed_set_keeps_listener(start_server, certs):
    srv = start_server(config=tls_config(certs))
    port = srv.config["tls-port"]
    plain = srv.client()
    assert plain.config_set("tls-port", port) is True
    # A CONFIG SET that fails as a whole leaves the old port serving.
    other = free_port()
    with pytest.raises(redis.exceptions.ResponseError):
        plain.execute_command("CONFIG", "SET", "tls-port", other, "tls-ciphers", "NO-SUCH-CIPHER")
    assert plain.config_get("tls-port") == {"tls-port": str(port)}
    assert tls_client(port, certs).ping() is True


@needs_tls
def test_tls_pubsub_blocking_and_resp3(start_server, certs):
    srv = start_server(config=tls_config(certs))
    port = srv.config["tls-port"]
    sub = tls_client(port, certs).pubsub()
    sub.subscribe("ch")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    assert srv.client().publish("ch", "hello") == 1
    msg = sub.get_message(timeout=5)
    assert msg["type"] == "message" and msg["data"] == b"hello"
    sub.close()
    # A client blocked on a TLS connection is woken by a write from the plain port.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ssl_context(certs).wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"HELLO 3\r\n")
            s.settimeout(5)
            hello = b""
            while b"modules" not in hello:
                hello += s.recv(65536)
            assert hello.startswith(b"%")
            s.sendall(b"BLPOP q 10\r\n")
            time.sleep(0.2)
            assert srv.client().rpush("q", "item") == 1
            got = b""
            while not got.endswith(b"item\r\n"):
                got += s.recv(65536)
            assert got == b"*2\r\n$1\r\nq\r\n$4\r\nitem\r\n"


@needs_tls
def test_tls_slow_reader_gets_intact_large_replies(start_server, certs):
    srv = start_server(config=tls_config(certs))
    big = os.urandom(8 * 1024 * 1024)
    srv.client().set("big", big)
    req = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 3
    header = b"$%d\r\n" % len(big)
    want = (header + big + b"\r\n") * 3
    with socket.create_connection(("127.0.0.1", srv.config["tls-port"]), timeout=10) as raw:
        with ssl_context(certs).wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(req)
            got = bytearray()
            # 24 MB overflow the socket buffers: SSL_write hits EAGAIN and resumes many times.
            time.sleep(0.3)
            for _ in range(20):
                got += s.recv(1024)
                time.sleep(0.01)
            while len(got) < len(want):
                chunk = s.recv(1 << 20)
                assert chunk
                got += chunk
    assert bytes(got) == want
    assert srv.client().ping() is True


@needs_tls
def test_tls_concurrent_pipelining_clients(start_server, certs):
    import threading
    srv = start_server(config=tls_config(certs))
    port = srv.config["tls-port"]
    errors = []

    def worker(n):
        try:
            c = tls_client(port, certs)
            for round_ in range(5):
                p = c.pipeline(transaction=False)
                for i in range(500):
                    p.set("w%d:%d" % (n, i), ("%d-%d" % (round_, i)) * (1 + i % 50))
                    p.get("w%d:%d" % (n, i))
                res = p.execute()
                for i in range(500):
                    assert res[2 * i] is True
                    assert res[2 * i + 1] == (("%d-%d" % (round_, i)) * (1 + i % 50)).encode()
            c.close()
        except Exception as e:  # reported below, from the main thread
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert srv.client().dbsize() == 8 * 500
