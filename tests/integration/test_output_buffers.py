"""Reply streams under back-pressure: a client that pipelines far more than
the socket buffers hold and reads nothing until it has sent everything must
get every reply byte exactly once, in order, whatever mix of the static
reply buffer and the block list the server went through (regression: a
partially sent static buffer once made the server drop the head block and
resend the buffer from its start)."""
import socket
import threading

import pytest

from kvutil import DEBUG_CONFIG


@pytest.fixture
def srv(start_server):
    return start_server(config=DEBUG_CONFIG)


def _pipeline_exact(port, commands, expected, chunk=6000, read_while_sending=False):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(60)
    req = b"".join(commands)
    want = b"".join(expected)
    got = bytearray()

    def reader():
        while len(got) < len(want):
            data = s.recv(1 << 20)
            if not data:
                break
            got.extend(data)

    t = threading.Thread(target=reader) if read_while_sending else None
    if t:
        t.start()
    for i in range(0, len(req), chunk):
        s.sendall(req[i:i + chunk])
    if t:
        t.join(60)
    else:
        reader()
    s.close()
    if bytes(got) != want:
        diff = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
        raise AssertionError("reply stream differs at byte %d of %d: got %r, want %r" %
                             (diff, len(want), bytes(got[diff - 20:diff + 40]), want[diff - 20:diff + 40]))


def _echo(i, width):
    payload = (b"%d:" % i) * (width // 4 + 1)
    payload = payload[: (i % width) + 1]
    cmd = b"*2\r\n$4\r\nECHO\r\n$%d\r\n%s\r\n" % (len(payload), payload)
    return cmd, b"$%d\r\n%s\r\n" % (len(payload), payload)


def test_unread_pipeline_gets_every_byte_once(srv):
    # about 12 MB of replies, three times the loopback socket buffers, with
    # lengths that vary so a dropped or repeated span cannot line up
    cmds, exp = [], []
    for i in range(1_000_000):
        a = b"%d" % i
        cmds.append(b"*2\r\n$4\r\nECHO\r\n$%d\r\n%s\r\n" % (len(a), a))
        exp.append(b"$%d\r\n%s\r\n" % (len(a), a))
    for _ in range(2):  # the old fault hit 3 runs in 4
        _pipeline_exact(srv.port, cmds, exp)


@pytest.mark.parametrize("width", [90, 600])
def test_unread_pipeline_long_replies(srv, width):
    n = 12_000_000 // (width // 2 + 14)
    pairs = [_echo(i, width) for i in range(n)]
    _pipeline_exact(srv.port, [p[0] for p in pairs], [p[1] for p in pairs])


def test_pipeline_read_concurrently(srv):
    pairs = [_echo(i, 50) for i in range(200_000)]
    _pipeline_exact(srv.port, [p[0] for p in pairs], [p[1] for p in pairs], read_while_sending=True)


def test_mixed_reply_types_under_backpressure(srv):
    c = socket.create_connection(("127.0.0.1", srv.port))
    c.sendall(b"RPUSH l a bb ccc dddd\r\n")
    assert c.recv(100) == b":4\r\n"
    c.close()
    cmds, exp = [], []
    for i in range(150_000):
        k = i % 3
        if k == 0:
            cmds.append(b"*4\r\n$6\r\nLRANGE\r\n$1\r\nl\r\n$1\r\n0\r\n$2\r\n-1\r\n")
            exp.append(b"*4\r\n$1\r\na\r\n$2\r\nbb\r\n$3\r\nccc\r\n$4\r\ndddd\r\n")
        elif k == 1:
            cmds.append(b"*2\r\n$4\r\nPING\r\n$%d\r\n%d\r\n" % (len(b"%d" % i), i))
            exp.append(b"$%d\r\n%d\r\n" % (len(b"%d" % i), i))
        else:
            cmds.append(b"*1\r\n$4\r\nPING\r\n")
            exp.append(b"+PONG\r\n")
    _pipeline_exact(srv.port, cmds, exp)
