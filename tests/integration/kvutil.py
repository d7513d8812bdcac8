"""Tiny exact RESP client for the keyspace/string/expire suites: replies come
back as Python values with errors as RespError (returned, not raised), so a
test can assert the exact error text including its code."""
import socket
import time


class RespError:
    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RespError) and other.text == self.text

    def __repr__(self):
        return "RespError(%r)" % self.text


def err(text):
    return RespError(text)


class Push(list):
    """A RESP3 push frame ('>'): compares equal to a list with the same items,
    and isinstance(x, Push) tells it apart from an array reply."""

    def __repr__(self):
        return "Push(%s)" % list.__repr__(self)


def _enc(a):
    if isinstance(a, bytes):
        return a
    return str(a).encode()


class Conn:
    """A RESP connection: Conn(port)("SET", "k", "v") -> "OK"."""

    def __init__(self, port, resp=2):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.settimeout(30)
        self.f = self.sock.makefile("rb")
        if resp == 3:
            self("HELLO", "3")

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = _enc(a)
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def __call__(self, *args):
        self.send(*args)
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read() for _ in range(n)]
            return Push(items) if t == b">" else items
        if t == b"%":
            n = int(rest)
            return {self._key(self.read()): self.read() for _ in range(n)}
        if t == b"_":
            return None
        if t == b",":
            return float(rest)
        if t == b"#":
            return rest == b"t"
        if t == b"(":
            return int(rest)
        raise ValueError("bad reply type %r" % line)

    @staticmethod
    def _key(k):
        return k if not isinstance(k, list) else tuple(k)

    def close(self):
        # The reader holds the descriptor too: close both, or the server
        # never sees the connection go.
        self.f.close()
        self.sock.close()


def wait_for(pred, timeout=5.0, interval=0.02):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(interval)
    return pred()


DEBUG_CONFIG = {"enable-debug-command": "yes"}
