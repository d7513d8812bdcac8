"""Helpers shared by the replication test files: INFO parsing, waiting for a
replica to catch up, and the leak checks every scenario ends with."""
import os
import subprocess
import time


def _flat(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, dict):   # redis-py splits "slaveN:ip=..,port=.." into a dict
        return ",".join("%s=%s" % (k, x) for k, x in v.items())
    return str(v)


def info(h, section="replication"):
    raw = h.client().execute_command("INFO", section)
    if isinstance(raw, dict):
        return {k: _flat(v) for k, v in raw.items()}
    out = {}
    for line in raw.decode().splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def wait_for(cond, timeout=20, interval=0.05, msg="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # server may be busy loading
            last = e
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last=%r)" % (msg, last))


def replica_of(replica, primary):
    replica.client().execute_command("REPLICAOF", "127.0.0.1", primary.port)


def in_sync(primary, replica):
    ri = info(replica)
    pi = info(primary)
    return ri.get("master_link_status") == "up" and ri["slave_repl_offset"] == pi["master_repl_offset"] \
        and ri["master_repl_offset"] == pi["master_repl_offset"]


def wait_sync(primary, replica, timeout=30):
    # a write makes sure the stream flows end to end, then offsets must meet
    wait_for(lambda: info(replica).get("master_link_status") == "up", timeout, msg="link up")
    wait_for(lambda: in_sync(primary, replica), timeout, msg="offsets equal")


def digest(h):
    return h.client().execute_command("DEBUG", "DIGEST")


def assert_same_data(primary, *replicas):
    d = digest(primary)
    for r in replicas:
        assert digest(r) == d
        assert r.client().dbsize() == primary.client().dbsize()


def children_of(pid):
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [int(x) for x in out.split()]


def assert_no_leaks(primary, connected, timeout=15):
    """No fork child left, replica count back to `connected`, nothing waiting."""
    wait_for(lambda: not children_of(primary.pid), timeout, msg="no child process")
    wait_for(lambda: int(info(primary)["connected_slaves"]) == connected, timeout, msg="connected_slaves")
    assert info(primary)["replicas_waiting_psync"] == "0"
    assert info(primary, "persistence")["rdb_bgsave_in_progress"] == "0"


def fill(c, n=200, prefix="k"):
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("%s:str:%d" % (prefix, i), "v%d" % i)
        if i % 10 == 0:
            p.rpush("%s:list:%d" % (prefix, i // 10), *[str(j) for j in range(20)])
            p.hset("%s:hash:%d" % (prefix, i // 10), mapping={"f%d" % j: j for j in range(10)})
            p.sadd("%s:set:%d" % (prefix, i // 10), *range(15))
            p.zadd("%s:zset:%d" % (prefix, i // 10), {"m%d" % j: j for j in range(12)})
    p.execute()


def stat(h, name):
    return int(info(h, "stats")[name])


class FaultProxy:
    """Loopback TCP proxy for fault injection. Each accepted connection i is
    forwarded to the target; the test can stall one direction of a
    connection, cut a connection now, or cut it after n bytes went
    downstream (server -> client)."""

    def __init__(self, target_port):
        import socket
        import threading
        self.target = target_port
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.conns = []          # [client_sock, server_sock]
        self.stalled = {}        # (i, "up"|"down") -> threading.Event set = flowing
        self.cut_after = {}      # i -> downstream byte budget
        self.down_bytes = {}
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading
        while not self.closed:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            s = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                i = len(self.conns)
                self.conns.append([c, s])
                self.down_bytes[i] = 0
                for d in ("up", "down"):
                    ev = self.stalled.setdefault((i, d), threading.Event())
                    if not getattr(ev, "held", False):
                        ev.set()
            threading.Thread(target=self._pump, args=(i, c, s, "up"), daemon=True).start()
            threading.Thread(target=self._pump, args=(i, s, c, "down"), daemon=True).start()

    def _pump(self, i, src, dst, d):
        import socket
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            self.stalled[(i, d)].wait()
            if d == "down" and i in self.cut_after:
                left = self.cut_after[i] - self.down_bytes[i]
                if len(data) >= left:
                    try:
                        dst.sendall(data[:max(left, 0)])
                    except OSError:
                        pass
                    self.cut(i)
                    return
                self.down_bytes[i] += len(data)
            try:
                dst.sendall(data)
            except OSError:
                break
        for x in (src, dst):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def hold(self, i, d):
        """Stall direction d of connection i (also for a connection not accepted yet)."""
        import threading
        ev = self.stalled.setdefault((i, d), threading.Event())
        ev.held = True
        ev.clear()

    def release(self, i, d):
        ev = self.stalled.get((i, d))
        if ev:
            ev.held = False
            ev.set()

    def cut(self, i):
        import socket
        for x in self.conns[i]:
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def count(self):
        return len(self.conns)

    def close(self):
        self.closed = True
        self.ls.close()
        for i in range(len(self.conns)):
            self.cut(i)
        for ev in self.stalled.values():
            ev.set()
