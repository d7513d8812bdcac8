"""Client-side caching (CLIENT TRACKING): invalidation pushes in the default,
OPTIN/OPTOUT, BCAST and NOLOOP modes, RESP2 redirection through pub/sub,
broken redirects, flushes, expiry, eviction, tracking-table-max-keys, the
introspection commands and Valkey 8's error texts.

Ordering is checked without sleeps: a client's pushes that were produced
before one of its later commands arrive before that command's reply, so
`drain(c)` (PING, then everything up to PONG) collects exactly the pushes
sent so far."""
import socket
import time

import pytest

from kvutil import Conn, Push, err, wait_for, DEBUG_CONFIG

SYNTAX = err("ERR syntax error")
CHANNEL = b"__redis__:invalidate"


@pytest.fixture
def srv(start_server):
    return start_server(config=DEBUG_CONFIG)


@pytest.fixture
def conns(srv):
    opened = []

    def make(resp=2):
        c = Conn(srv.port, resp=resp)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def drain(c):
    """Pushes received before a fresh PING's reply."""
    c.send("PING")
    pushes = []
    while True:
        x = c.read()
        if x == "PONG":
            return pushes
        assert isinstance(x, Push), x
        pushes.append(x)


def inval(*keys):
    return Push([b"invalidate", [k.encode() if isinstance(k, str) else k for k in keys]])


def info_field(c, section, name):
    text = c("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise KeyError(name)


def tracking_info(c):
    r = c("CLIENT", "TRACKINGINFO")
    if isinstance(r, list):  # RESP2 map: flat array
        r = dict(zip(r[::2], r[1::2]))
    return {"flags": set(f.decode() for f in r[b"flags"]), "redirect": r[b"redirect"],
            "prefixes": list(r[b"prefixes"])}


# ---------------------------------------------------------------- errors

def test_tracking_option_errors(conns):
    c = conns()
    cases = [
        (("ON", "OPTIN", "OPTOUT"), "ERR You can't specify both OPTIN mode and OPTOUT mode"),
        (("ON", "PREFIX", "a"), "ERR PREFIX option requires BCAST mode to be enabled"),
        (("ON", "BCAST", "OPTIN"), "ERR OPTIN and OPTOUT are not compatible with BCAST"),
        (("ON", "BCAST", "OPTOUT"), "ERR OPTIN and OPTOUT are not compatible with BCAST"),
        (("ON", "REDIRECT", "999999"), "ERR The client ID you want redirect to does not exist"),
        (("ON", "REDIRECT", "0"), "ERR The client ID you want redirect to does not exist"),
        (("ON", "REDIRECT", "-3"), "ERR The client ID you want redirect to does not exist"),
        (("ON", "REDIRECT", "abc"), "ERR value is not an integer or out of range"),
        (("OFF", "REDIRECT", "999999"), "ERR The client ID you want redirect to does not exist"),
        (("ON", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
         "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap."),
        (("ON", "BCAST", "PREFIX", "x", "PREFIX", "x"),
         "ERR Prefix 'x' overlaps with another provided prefix 'x'. Prefixes for a single client must not overlap."),
        (("ON", "REDIRECT"), "ERR syntax error"),
        (("ON", "PREFIX"), "ERR syntax error"),
        (("ON", "FOO"), "ERR syntax error"),
        (("MAYBE",), "ERR syntax error"),
    ]
    for args, text in cases:
        assert c("CLIENT", "TRACKING", *args) == err(text), args
        assert c("CLIENT", "GETREDIR") == -1, args  # nothing was enabled
    me = c("CLIENT", "ID")
    assert c("CLIENT", "TRACKING", "ON", "REDIRECT", me, "REDIRECT", me) == \
        err("ERR A client can only redirect to a single other client")
    assert c("CLIENT", "TRACKING") == err("ERR wrong number of arguments for 'client|tracking' command")


def test_tracking_mode_switch_errors(conns):
    c = conns()
    assert c("CLIENT", "TRACKING", "ON", "OPTIN") == "OK"
    assert c("CLIENT", "TRACKING", "ON", "OPTOUT") == err(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
        "and then re-enabling it with a different mode.")
    assert c("CLIENT", "TRACKING", "ON", "BCAST") == err(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
        "and then re-enabling it with a different mode.")
    assert c("CLIENT", "TRACKING", "OFF") == "OK"
    assert c("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab") == "OK"
    assert c("CLIENT", "TRACKING", "ON") == err(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
        "and then re-enabling it with a different mode.")
    assert c("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a") == err(
        "ERR Prefix 'a' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap.")
    assert c("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "abc") == err(
        "ERR Prefix 'abc' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap.")
    # A later ON adds prefixes; a rejected one leaves them alone (one reply each).
    assert c("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b", "PREFIX", "c", "PREFIX", "cd") == err(
        "ERR Prefix 'c' overlaps with another provided prefix 'cd'. Prefixes for a single client must not overlap.")
    assert c("PING") == "PONG"
    assert c("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b") == "OK"
    assert tracking_info(c)["prefixes"] == [b"ab", b"b"]


def test_caching_errors(conns):
    c = conns()
    not_tracking = err("ERR CLIENT CACHING can be called only when the client is in tracking mode "
                       "with OPTIN or OPTOUT mode enabled")
    assert c("CLIENT", "CACHING", "yes") == not_tracking
    assert c("CLIENT", "CACHING", "maybe") == not_tracking
    c("CLIENT", "TRACKING", "ON")
    assert c("CLIENT", "CACHING", "yes") == err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
    assert c("CLIENT", "CACHING", "no") == err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
    assert c("CLIENT", "CACHING", "maybe") == SYNTAX
    c("CLIENT", "TRACKING", "OFF")
    c("CLIENT", "TRACKING", "ON", "OPTIN")
    assert c("CLIENT", "CACHING", "no") == err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
    assert c("CLIENT", "CACHING", "YES") == "OK"
    assert c("CLIENT", "CACHING", "yes", "x") == err("ERR wrong number of arguments for 'client|caching' command")


# ---------------------------------------------------------------- default mode

def test_default_mode_exact_push_bytes(srv, conns):
    w = conns()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(5)
    s.sendall(b"HELLO 3\r\nCLIENT TRACKING on\r\nGET key1\r\n")
    buf = b""
    while not buf.endswith(b"+OK\r\n_\r\n"):
        buf += s.recv(4096)
    assert w("SET", "key1", "v") == "OK"
    want = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nkey1\r\n"
    got = b""
    while len(got) < len(want):
        got += s.recv(4096)
    assert got == want
    s.close()


def test_default_mode_invalidates_once_per_read(conns):
    t, w = conns(3), conns()
    assert t("CLIENT", "TRACKING", "ON") == "OK"
    assert t("GET", "a") is None
    assert t("MGET", "b", "c") == [None, None]
    w("SET", "a", "1")
    w("SET", "a", "2")  # no second message: the entry went with the first
    w("MSET", "c", "1", "b", "1")
    assert drain(t) == [inval("a"), inval("c"), inval("b")]
    w("SET", "b", "2")
    assert drain(t) == []
    # Keys are global: a write to the same name in another database counts.
    t("GET", "a")
    w("SELECT", "5")
    w("SET", "a", "x")
    assert drain(t) == [inval("a")]


def test_own_write_after_reply(conns):
    t = conns(3)
    t("CLIENT", "TRACKING", "ON")
    t("GET", "k")
    t.send("SET", "k", "v")
    assert t.read() == "OK"
    assert t.read() == inval("k")
    t("GET", "k")
    t.send("DEL", "k")
    assert t.read() == 1
    assert t.read() == inval("k")


def test_write_commands_are_not_tracked(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    t("SET", "k", "v")
    t("INCR", "n")
    w("SET", "k", "x")
    w("SET", "n", "1")
    assert drain(t) == []
    assert info_field(t, "stats", "tracking_total_keys") == 0


def test_multi_exec_order_and_other_clients(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    t("GET", "x")
    t("GET", "y")
    assert t("MULTI") == "OK"
    assert t("GET", "z") == "QUEUED"
    assert t("SET", "x", "1") == "QUEUED"
    t.send("EXEC")
    assert t.read() == [None, "OK"]
    assert t.read() == inval("x")
    # z was read inside the transaction: tracked too.
    w("MULTI")
    w("SET", "y", "1")
    w("SET", "z", "1")
    assert w("EXEC") == ["OK", "OK"]
    assert drain(t) == [inval("y"), inval("z")]


def test_lua_reads_and_writes(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    assert t("EVAL_RO", "return redis.call('get', KEYS[1])", 1, "rk") is None
    assert t("EVAL", "return redis.call('get', KEYS[1])", 1, "ek") is None
    assert w("EVAL", "redis.call('set', KEYS[1], 'a'); redis.call('set', KEYS[2], 'b')", 2, "rk", "ek") is None
    assert drain(t) == [inval("rk"), inval("ek")]
    # A script of the tracking client itself: the invalidation follows the reply.
    t("GET", "own")
    t.send("EVAL", "return redis.call('set', KEYS[1], 'x')", 1, "own")
    assert t.read() == "OK"
    assert t.read() == inval("own")


def test_noloop(conns):
    t, w = conns(3), conns()
    assert t("CLIENT", "TRACKING", "ON", "NOLOOP") == "OK"
    t("MGET", "a", "b")
    assert t("SET", "a", "mine") == "OK"
    assert t("EVAL", "return redis.call('set', KEYS[1], 'x')", 1, "b") == "OK"
    assert drain(t) == []
    assert tracking_info(t)["flags"] == {"on", "noloop"}
    t("GET", "a")
    w("SET", "a", "theirs")
    assert drain(t) == [inval("a")]


def test_optin(conns):
    t, w = conns(3), conns()
    assert t("CLIENT", "TRACKING", "ON", "OPTIN") == "OK"
    t("GET", "plain")
    assert t("CLIENT", "CACHING", "yes") == "OK"
    assert tracking_info(t)["flags"] == {"on", "optin", "caching-yes"}  # CLIENT keeps the flag
    t("GET", "cached")
    assert tracking_info(t)["flags"] == {"on", "optin"}
    t("GET", "again")  # the flag covered one command only
    # ... or one whole transaction.
    t("CLIENT", "CACHING", "yes")
    t("MULTI")
    t("GET", "tx1")
    t("GET", "tx2")
    t("EXEC")
    w("MSET", "plain", 1, "cached", 1, "again", 1, "tx1", 1, "tx2", 1)
    assert drain(t) == [inval("cached"), inval("tx1"), inval("tx2")]


def test_optout(conns):
    t, w = conns(3), conns()
    assert t("CLIENT", "TRACKING", "ON", "OPTOUT") == "OK"
    t("GET", "a")
    assert t("CLIENT", "CACHING", "no") == "OK"
    assert tracking_info(t)["flags"] == {"on", "optout", "caching-no"}
    t("GET", "b")
    t("GET", "c")
    w("MSET", "a", 1, "b", 1, "c", 1)
    assert drain(t) == [inval("a"), inval("c")]


def test_flush_sends_null(conns):
    t, t2, w = conns(3), conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    t2("CLIENT", "TRACKING", "ON", "BCAST")
    t("GET", "a")
    assert info_field(w, "stats", "tracking_total_keys") == 1
    assert w("FLUSHALL") == "OK"
    null = Push([b"invalidate", None])
    assert drain(t) == [null]
    assert drain(t2) == [null]
    assert info_field(w, "stats", "tracking_total_keys") == 0
    w("SELECT", 3)
    assert w("FLUSHDB", "ASYNC") == "OK"
    assert drain(t) == [null]
    # The flushing client's own null follows its reply, NOLOOP or not.
    t.send("FLUSHDB")
    assert t.read() == "OK"
    assert t.read() == null
    assert drain(t2)[-1] == null


# ---------------------------------------------------------------- BCAST

def test_bcast_prefixes_batched_and_sorted(conns):
    t, all_keys, w = conns(3), conns(3), conns()
    assert t("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj:") == "OK"
    assert all_keys("CLIENT", "TRACKING", "ON", "BCAST") == "OK"
    assert tracking_info(all_keys)["prefixes"] == [b""]
    # One command, one event-loop pass: one batch per prefix, keys sorted and once each.
    w("MSET", "user:2", 1, "other", 1, "user:1", 1, "obj:9", 1, "user:2", 2)
    assert drain(t) == [Push([b"invalidate", [b"obj:9"]]), Push([b"invalidate", [b"user:1", b"user:2"]])]
    assert drain(all_keys) == [Push([b"invalidate", [b"obj:9", b"other", b"user:1", b"user:2"]])]
    # Nothing is remembered per read in BCAST mode.
    t("GET", "user:1")
    assert info_field(w, "stats", "tracking_total_keys") == 0
    assert info_field(w, "stats", "tracking_total_prefixes") == 3
    w("SET", "nomatch", 1)
    assert drain(t) == []


def test_bcast_noloop_skips_own_writes(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP", "PREFIX", "k")
    t("SET", "k1", "mine")
    assert drain(t) == []
    w("SET", "k2", "theirs")
    assert drain(t) == [inval("k2")]


def test_bcast_client_removed_on_close(srv, conns):
    w = conns()
    t = Conn(srv.port, resp=3)
    t("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "b")
    t2 = conns(3)
    t2("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a")
    assert info_field(w, "stats", "tracking_total_prefixes") == 2
    assert info_field(w, "clients", "tracking_clients") == 2
    t.close()
    assert wait_for(lambda: info_field(w, "clients", "tracking_clients") == 1)
    assert info_field(w, "stats", "tracking_total_prefixes") == 1
    w("SET", "a1", 1)
    w("SET", "b1", 1)
    assert drain(t2) == [inval("a1")]
    t2("CLIENT", "TRACKING", "OFF")
    assert info_field(w, "stats", "tracking_total_prefixes") == 0


# ---------------------------------------------------------------- redirection

def test_redirect_to_resp2_subscriber(conns):
    t, w, sub = conns(), conns(), conns()
    sid = sub("CLIENT", "ID")
    assert sub("SUBSCRIBE", "__redis__:invalidate") == [b"subscribe", CHANNEL, 1]
    assert t("CLIENT", "TRACKING", "ON", "REDIRECT", sid) == "OK"
    assert t("CLIENT", "GETREDIR") == sid
    assert t("GET", "k") is None
    w("SET", "k", "v")
    assert sub.read() == [b"message", CHANNEL, [b"k"]]
    w("FLUSHALL")
    assert sub.read() == [b"message", CHANNEL, None]
    # The tracking connection itself hears nothing.
    assert t("PING") == "PONG"


def test_redirect_to_resp3_client_and_broken_redirect(srv, conns):
    t, w = conns(3), conns()
    target = Conn(srv.port, resp=3)
    tid = target("CLIENT", "ID")
    t("CLIENT", "TRACKING", "ON", "REDIRECT", tid)
    t("GET", "k")
    w("SET", "k", "1")
    assert drain(target) == [inval("k")]
    assert drain(t) == []
    target.close()
    assert wait_for(lambda: w("CLIENT", "LIST", "ID", tid) == b"")
    t("GET", "k")
    w("SET", "k", "2")
    assert drain(t) == [Push([b"tracking-redir-broken", tid])]
    info = tracking_info(t)
    assert info["flags"] == {"on", "broken_redirect"}
    assert info["redirect"] == tid
    line = t("CLIENT", "INFO").decode()
    assert " flags=tR " in line and (" redir=%d " % tid) in line
    # Turning tracking on again clears the broken flag.
    t("CLIENT", "TRACKING", "ON")
    assert tracking_info(t)["flags"] == {"on"}


def test_resp2_without_redirect_is_silent(conns):
    t, w = conns(), conns()
    assert t("CLIENT", "TRACKING", "ON") == "OK"
    assert t("GET", "k") is None
    w("SET", "k", "1")
    assert t("PING") == "PONG"
    assert tracking_info(t)["flags"] == {"on"}


def test_push_survives_client_reply_off(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    t("GET", "k")
    t.send("CLIENT", "REPLY", "OFF")
    w("SET", "k", "1")
    assert t.read() == inval("k")
    assert t("CLIENT", "REPLY", "ON") == "OK"


# ---------------------------------------------------------------- deletions by the server

def test_active_expiry_invalidates(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    w("SET", "k", "v", "PX", 30)
    t("GET", "k")
    assert wait_for(lambda: w("DBSIZE") == 0)
    assert drain(t) == [inval("k")]


def test_lazy_expiry_invalidates(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    assert w("DEBUG", "SET-ACTIVE-EXPIRE", 0) == "OK"
    w("SET", "k", "v", "PX", 20)
    t("GET", "k")
    time.sleep(0.05)
    assert w("GET", "k") is None  # the read deletes it
    assert drain(t) == [inval("k")]
    w("DEBUG", "SET-ACTIVE-EXPIRE", 1)


def test_eviction_invalidates(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    w("SET", "victim", "x" * 100)
    t("GET", "victim")
    used = info_field(w, "memory", "used_memory")
    w("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
    w("CONFIG", "SET", "maxmemory", used + 200000)
    n = 0
    while w("EXISTS", "victim") and n < 100000:
        w("SET", "filler:%d" % n, "y" * 200)
        n += 1
    assert w("EXISTS", "victim") == 0
    assert inval("victim") in drain(t)
    w("CONFIG", "SET", "maxmemory", 0)


def test_tracking_table_max_keys(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON")
    w("CONFIG", "SET", "tracking-table-max-keys", 2)
    for k in ("k1", "k2", "k3"):
        t("GET", k)
    assert info_field(w, "stats", "tracking_total_keys") == 2  # trimmed after the third read
    pushes = drain(t)
    assert len(pushes) == 1 and pushes[0][1][0] in (b"k1", b"k2", b"k3")
    evicted = pushes[0][1][0]
    w("MSET", "k1", 1, "k2", 1, "k3", 1)
    left = sorted({b"k1", b"k2", b"k3"} - {evicted})
    assert sorted(p[1][0] for p in drain(t)) == left
    # Lowered while idle: the cron trims too.
    w("CONFIG", "SET", "tracking-table-max-keys", 0)
    t("MGET", "a", "b", "c")
    w("CONFIG", "SET", "tracking-table-max-keys", 1)
    assert wait_for(lambda: info_field(w, "stats", "tracking_total_keys") == 1)
    assert len(drain(t)) == 2


# ---------------------------------------------------------------- introspection

def test_getredir_trackinginfo_and_client_list(conns):
    t, other = conns(3), conns()
    oid = other("CLIENT", "ID")
    assert t("CLIENT", "GETREDIR") == -1
    assert tracking_info(t) == {"flags": {"off"}, "redirect": -1, "prefixes": []}
    t("CLIENT", "TRACKING", "ON")
    assert t("CLIENT", "GETREDIR") == 0
    assert " flags=t " in t("CLIENT", "INFO").decode()
    assert " redir=0 " in t("CLIENT", "INFO").decode()
    t("CLIENT", "TRACKING", "ON", "REDIRECT", oid, "OPTIN", "NOLOOP")
    assert t("CLIENT", "GETREDIR") == oid
    assert tracking_info(t) == {"flags": {"on", "optin", "noloop"}, "redirect": oid, "prefixes": []}
    t("CLIENT", "TRACKING", "OFF")
    t("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b", "PREFIX", "a")
    assert tracking_info(t) == {"flags": {"on", "bcast"}, "redirect": 0, "prefixes": [b"a", b"b"]}
    assert " flags=tB " in t("CLIENT", "INFO").decode()
    # RESP2 shape of TRACKINGINFO: a flat array with an array of flags.
    assert other("CLIENT", "TRACKINGINFO") == [b"flags", [b"off"], b"redirect", -1, b"prefixes", []]
    t("CLIENT", "TRACKING", "OFF")
    assert t("CLIENT", "GETREDIR") == -1
    assert " redir=-1 " in t("CLIENT", "INFO").decode()


def test_info_counters(conns):
    t, t2, w = conns(3), conns(3), conns()
    assert info_field(w, "clients", "tracking_clients") == 0
    t("CLIENT", "TRACKING", "ON")
    t2("CLIENT", "TRACKING", "ON")
    t("MGET", "a", "b")
    t2("GET", "a")
    assert info_field(w, "clients", "tracking_clients") == 2
    assert info_field(w, "stats", "tracking_total_keys") == 2
    assert info_field(w, "stats", "tracking_total_items") == 3
    w("SET", "a", 1)
    assert info_field(w, "stats", "tracking_total_keys") == 1
    assert info_field(w, "stats", "tracking_total_items") == 1
    assert drain(t) == [inval("a")]
    assert drain(t2) == [inval("a")]
    assert t("CLIENT", "TRACKING", "OFF") == "OK"
    assert info_field(w, "clients", "tracking_clients") == 1


def test_reset_turns_tracking_off_hello2_does_not(conns):
    t, w = conns(3), conns()
    t("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p")
    assert t("HELLO", "2")[5] == 2  # proto
    assert t("CLIENT", "GETREDIR") == 0  # Valkey keeps tracking on across HELLO
    assert t("RESET") == "RESET"
    assert t("CLIENT", "GETREDIR") == -1
    assert tracking_info(t) == {"flags": {"off"}, "redirect": -1, "prefixes": []}
    assert info_field(w, "clients", "tracking_clients") == 0
    assert info_field(w, "stats", "tracking_total_prefixes") == 0


def test_disconnected_tracker_is_skipped(srv, conns):
    w, t2 = conns(), conns(3)
    t = Conn(srv.port, resp=3)
    t("CLIENT", "TRACKING", "ON")
    t2("CLIENT", "TRACKING", "ON")
    t("GET", "k")
    t2("GET", "k")
    t.close()
    assert wait_for(lambda: info_field(w, "clients", "tracking_clients") == 1)
    # The stale id stays until the key is written (as in Valkey), then goes.
    assert info_field(w, "stats", "tracking_total_items") == 2
    w("SET", "k", 1)
    assert drain(t2) == [inval("k")]
    assert info_field(w, "stats", "tracking_total_keys") == 0
    # Once nobody tracks, the table is emptied at once.
    t2("GET", "j")
    assert info_field(w, "stats", "tracking_total_keys") == 1
    t2("CLIENT", "TRACKING", "OFF")
    assert info_field(w, "stats", "tracking_total_keys") == 0
    assert info_field(w, "stats", "tracking_total_items") == 0


# ---------------------------------------------------------------- redis-py

def test_redis_py_redirect_through_pubsub(srv):
    r = srv.client()
    ps = r.pubsub()
    ps.subscribe("__redis__:invalidate")
    msg = ps.get_message(timeout=5)
    assert msg["type"] == "subscribe"
    sub_id = int(r.client_list(_type="pubsub")[0]["id"])
    tracker = srv.client(single_connection_client=True)
    assert tracker.client_tracking_on(clientid=sub_id) in (True, b"OK")
    assert tracker.get("cached") is None
    r.set("cached", "v")
    msg = ps.get_message(timeout=5)
    assert msg["type"] == "message" and msg["channel"] == CHANNEL and msg["data"] == [b"cached"]
    ps.close()
    tracker.close()
    r.close()


# ---------------------------------------------------------------- replicas

def call_collect(c, pushes, *args):
    """A command's reply, with the pushes that came before it appended to pushes."""
    c.send(*args)
    while True:
        x = c.read()
        if not isinstance(x, Push):
            return x
        pushes.append(x)


def test_tracking_on_a_replica(start_server):
    primary = start_server(config=DEBUG_CONFIG)
    replica = start_server(config=dict(DEBUG_CONFIG, replicaof="127.0.0.1 %d" % primary.port))
    p = Conn(primary.port)
    t = Conn(replica.port, resp=3)
    pushes = []
    try:
        assert wait_for(lambda: b"master_link_status:up" in t("INFO", "replication"), timeout=10)
        t("CLIENT", "TRACKING", "ON")
        assert call_collect(t, pushes, "GET", "k") is None
        p("SET", "k", "v")
        assert wait_for(lambda: call_collect(t, pushes, "GET", "k") == b"v")
        assert pushes == [inval("k")]  # the primary's write, applied by the replica
        p("FLUSHALL")
        assert wait_for(lambda: call_collect(t, pushes, "DBSIZE") == 0)
        assert pushes[1:] == [Push([b"invalidate", None])]
    finally:
        p.close()
        t.close()


def test_tracking_off_inside_transaction_still_delivers(conns):
    """An invalidation queued by the transaction's own write is delivered after
    EXEC even though the same transaction turned tracking off."""
    t = conns(3)
    t("CLIENT", "TRACKING", "ON")
    t("GET", "k")
    t("MULTI")
    t("SET", "k", "v")
    t("CLIENT", "TRACKING", "OFF")
    t.send("EXEC")
    assert t.read() == ["OK", "OK"]
    assert t.read() == inval("k")
    assert drain(t) == []
    assert info_field(t, "clients", "tracking_clients") == 0
