"""COMMAND DOCS: the argument trees parsed from each command row's synopsis
(commands/cmddocs.c), exact for a few commands, well-formed for all of them,
identical in RESP2 and RESP3, and shaped like Debian's redis-server 7.0 for
commands whose syntax did not change between Redis 7.0 and Valkey 8."""
import os

import pytest

from kvutil import Conn

REDIS_BIN = "/usr/bin/redis-server"
CONTAINERS = {"acl", "client", "command", "config", "function", "latency", "memory", "object", "pubsub",
              "script", "slowlog", "xgroup", "xinfo", "cluster"}


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


def _map(v, resp):
    """A RESP3 map or a RESP2 flat list as a dict with str keys."""
    if resp == 3:
        assert isinstance(v, dict), v
        return {_text(k): x for k, x in v.items()}
    assert isinstance(v, list) and len(v) % 2 == 0, v
    return {_text(v[i]): v[i + 1] for i in range(0, len(v), 2)}


def _args(lst, resp):
    out = []
    for a in lst:
        m = _map(a, resp)
        d = {}
        for k, v in m.items():
            if k == "arguments":
                d[k] = _args(v, resp)
            elif k == "flags":
                d[k] = sorted(_text(f) for f in v)
            else:
                d[k] = _text(v)
        out.append(d)
    return out


def _doc(v, resp):
    m = _map(v, resp)
    d = {k: _text(x) for k, x in m.items() if k not in ("arguments", "subcommands", "history")}
    if "arguments" in m:
        d["arguments"] = _args(m["arguments"], resp)
    if "subcommands" in m:
        subs = _map(m["subcommands"], resp)
        d["subcommands"] = {k: _doc(x, resp) for k, x in subs.items()}
    return d


def docs(c, *names, resp=2):
    return {k: _doc(v, resp) for k, v in _map(c("COMMAND", "DOCS", *names), resp).items()}


def arg(name, type, **kw):
    a = {"name": name, "type": type}
    if type not in ("oneof", "block"):
        a["display_text"] = kw.pop("display_text", name)
    for k in ("key_spec_index", "token", "flags", "arguments"):
        if k in kw:
            a[k] = sorted(kw[k]) if k == "flags" else kw[k]
    return a


def tok(t, **kw):
    return arg(t.lower(), "pure-token", token=t, **kw)


OPT = ["optional"]

SET_ARGS = [
    arg("key", "key", key_spec_index=0),
    arg("value", "string"),
    arg("condition", "oneof", flags=OPT, arguments=[tok("NX"), tok("XX")]),
    tok("GET", flags=OPT),
    arg("expiration", "oneof", flags=OPT, arguments=[
        arg("seconds", "integer", token="EX"),
        arg("milliseconds", "integer", token="PX"),
        arg("unix-time-seconds", "unix-time", token="EXAT"),
        arg("unix-time-milliseconds", "unix-time", token="PXAT"),
        tok("KEEPTTL")]),
]

ZADD_ARGS = [
    arg("key", "key", key_spec_index=0),
    arg("condition", "oneof", flags=OPT, arguments=[tok("NX"), tok("XX")]),
    arg("comparison", "oneof", flags=OPT, arguments=[tok("GT"), tok("LT")]),
    arg("change", "pure-token", token="CH", flags=OPT),
    arg("increment", "pure-token", token="INCR", flags=OPT),
    arg("data", "block", flags=["multiple"], arguments=[arg("score", "double"), arg("member", "string")]),
]

XADD_ARGS = [
    arg("key", "key", key_spec_index=0),
    tok("NOMKSTREAM", flags=OPT),
    arg("trim", "block", flags=OPT, arguments=[
        arg("strategy", "oneof", arguments=[tok("MAXLEN"), tok("MINID")]),
        arg("operator", "oneof", flags=OPT, arguments=[
            arg("equal", "pure-token", token="="), arg("approximately", "pure-token", token="~")]),
        arg("threshold", "string"),
        arg("count", "integer", token="LIMIT", flags=OPT)]),
    arg("id-selector", "oneof", arguments=[arg("auto-id", "pure-token", token="*"), arg("id", "string")]),
    arg("data", "block", flags=["multiple"], arguments=[arg("field", "string"), arg("value", "string")]),
]

EXPIRE_ARGS = [
    arg("key", "key", key_spec_index=0),
    arg("seconds", "integer"),
    arg("condition", "oneof", flags=OPT, arguments=[tok("NX"), tok("XX"), tok("GT"), tok("LT")]),
]

LPOS_ARGS = [
    arg("key", "key", key_spec_index=0),
    arg("element", "string"),
    arg("rank", "integer", token="RANK", flags=OPT),
    arg("num-matches", "integer", token="COUNT", flags=OPT),
    arg("len", "integer", token="MAXLEN", flags=OPT),
]

_KILL_FILTERS = [
    arg("client-id", "integer", token="ID", flags=OPT),
    arg("client-type", "oneof", token="TYPE", flags=OPT, arguments=[
        tok("NORMAL"), tok("MASTER"), tok("PRIMARY"), tok("SLAVE"), tok("REPLICA"), tok("PUBSUB")]),
    arg("username", "string", token="USER", flags=OPT),
    arg("addr", "string", token="ADDR", display_text="ip:port", flags=OPT),
    arg("laddr", "string", token="LADDR", display_text="ip:port", flags=OPT),
    arg("skipme", "oneof", token="SKIPME", flags=OPT, arguments=[tok("YES"), tok("NO")]),
    arg("maxage", "integer", token="MAXAGE", flags=OPT),
]

CLIENT_KILL_ARGS = [
    arg("filter", "oneof", arguments=[
        arg("old-format", "string", display_text="ip:port"),
        arg("new-format", "oneof", flags=["multiple"], arguments=_KILL_FILTERS)]),
]

EXACT = {"set": SET_ARGS, "get": [arg("key", "key", key_spec_index=0)], "zadd": ZADD_ARGS, "xadd": XADD_ARGS,
         "expire": EXPIRE_ARGS, "lpos": LPOS_ARGS}


@pytest.fixture
def srv(start_server):
    return start_server()


@pytest.mark.parametrize("resp", [2, 3])
def test_exact_trees(srv, resp):
    c = Conn(srv.port, resp=resp)
    d = docs(c, *EXACT, resp=resp)
    for name, want in EXACT.items():
        assert d[name]["arguments"] == want, name


@pytest.mark.parametrize("resp", [2, 3])
def test_client_kill_is_a_subcommand_with_its_tree(srv, resp):
    c = Conn(srv.port, resp=resp)
    d = docs(c, "client|kill", resp=resp)
    assert list(d) == ["client|kill"]
    assert d["client|kill"]["arguments"] == CLIENT_KILL_ARGS
    # The container lists it among its subcommands, with the same tree, and has no arguments itself.
    parent = docs(c, "client", resp=resp)["client"]
    assert "arguments" not in parent
    assert parent["subcommands"]["client|kill"]["arguments"] == CLIENT_KILL_ARGS


def test_reply_fields_and_order_resp2(srv):
    c = Conn(srv.port)
    raw = c("COMMAND", "DOCS", "get")
    assert raw[0] == b"get"
    fields = raw[1]
    assert fields[0::2] == [b"summary", b"since", b"group", b"complexity", b"arguments"]
    assert _text(fields[3]) == "1.0.0" and _text(fields[5]) == "string"
    # An argument map: name, type, display_text, key_spec_index, in that order.
    assert fields[9] == [[b"name", b"key", b"type", b"key", b"display_text", b"key", b"key_spec_index", 0]]
    # Flags are a set of status replies.
    srv2 = c("COMMAND", "DOCS", "lpush")[1]
    elem = srv2[srv2.index(b"arguments") + 1][1]
    assert elem[-2:] == [b"flags", ["multiple"]]


def test_resp3_types(srv):
    c = Conn(srv.port, resp=3)
    c.send("COMMAND", "DOCS", "lpush")
    # Read the raw bytes: a map of maps, arguments an array, flags a set of simple strings.
    data = b""
    c.sock.settimeout(2)
    while not data.endswith(b"+multiple\r\n"):
        chunk = c.f.read1(65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"%1\r\n$5\r\nlpush\r\n%")
    assert b"$9\r\narguments\r\n*2\r\n%4\r\n" in data
    assert data.endswith(b"$5\r\nflags\r\n~1\r\n+multiple\r\n")


def test_unknown_names_are_skipped(srv):
    c = Conn(srv.port)
    assert c("COMMAND", "DOCS", "nosuchcommand") == []
    d = docs(c, "nosuchcommand", "get", "client|nosuch")
    assert list(d) == ["get"]


def test_docs_keep_summary_since_group_complexity(srv):
    c = Conn(srv.port, resp=3)
    d = docs(c, "set", "client", "config|get", resp=3)
    for name in d:
        assert d[name]["summary"] and d[name]["since"] and d[name]["group"]
    assert d["set"]["group"] == "string" and d["set"]["complexity"] == "O(1)"
    assert "client|kill" in d["client"]["subcommands"]
    assert d["config|get"]["group"] == "server"


def _check_tree(cmd, args, path=""):
    names = set()
    for a in args:
        where = "%s %s%s" % (cmd, path, a.get("name"))
        assert a.get("name") and a.get("type"), where
        assert a["name"] not in names, "duplicate name " + where
        names.add(a["name"])
        t = a["type"]
        assert t in ("string", "integer", "double", "key", "pattern", "unix-time", "pure-token", "oneof",
                     "block"), where
        assert set(a.get("flags", [])) <= {"optional", "multiple", "multiple_token"}, where
        if "multiple_token" in a.get("flags", []):
            assert "multiple" in a["flags"] and a.get("token"), where
        if t in ("oneof", "block"):
            assert a.get("arguments"), where
            assert len(a["arguments"]) >= 2 or a.get("token"), where
            assert "display_text" not in a, where
            _check_tree(cmd, a["arguments"], path + a["name"] + ".")
        else:
            assert "arguments" not in a, where
            assert a.get("display_text"), where
        if t == "pure-token":
            assert a.get("token"), where
        if t == "key":
            assert isinstance(a.get("key_spec_index"), int) and a["key_spec_index"] >= 0, where
        if a.get("token"):
            assert " " not in a["token"] and a["token"] == a["token"].upper(), where


@pytest.mark.parametrize("resp", [2, 3])
def test_every_command_has_a_well_formed_tree(srv, resp):
    c = Conn(srv.port, resp=resp)
    d = docs(c, resp=resp)
    assert len(d) == c("COMMAND", "COUNT")
    seen = 0
    for name, doc in d.items():
        assert doc.get("summary") is not None and doc.get("group"), name
        for full, sub in [(name, doc)] + list(doc.get("subcommands", {}).items()):
            if full in CONTAINERS or sub.get("subcommands"):
                assert "arguments" not in sub, full
            if "arguments" in sub:
                _check_tree(full, sub["arguments"])
                seen += 1
    assert seen > 200


def test_rendering_matches_the_row_synopsis(srv):
    """Rendered back the way valkey-cli shows it, a tree reads like its synopsis."""
    def render(args, sep=" "):
        parts = []
        for a in args:
            one = a.get("token", "")
            if a["type"] in ("oneof", "block"):
                inner = render(a["arguments"], " | " if a["type"] == "oneof" else " ")
                if a["type"] == "oneof" and "optional" not in a.get("flags", []):
                    inner = "<%s>" % inner
                one = (one + " " + inner) if one else inner
            elif a["type"] != "pure-token":
                one = (one + " " if one else "") + a["display_text"]
            full = one
            if "multiple" in a.get("flags", []):
                rep = one if ("multiple_token" in a.get("flags", []) or not a.get("token")) \
                    else one[len(a["token"]) + 1:]
                full = "%s [%s ...]" % (one, rep)
            parts.append("[%s]" % full if "optional" in a.get("flags", []) else full)
        return sep.join(parts)

    c = Conn(srv.port, resp=3)
    d = docs(c, "set", "zadd", "lpos", "zunionstore", "sort", "client|list", "hello", "georadius", resp=3)
    assert render(d["set"]["arguments"]) == (
        "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
        "PXAT unix-time-milliseconds | KEEPTTL]")
    assert render(d["zadd"]["arguments"]) == "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]"
    assert render(d["zunionstore"]["arguments"]) == (
        "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]")
    assert render(d["sort"]["arguments"]) == (
        "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] "
        "[STORE destination]")
    assert render(d["client|list"]["arguments"]) == (
        "[TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]]")
    assert render(d["hello"]["arguments"]) == "[protover [AUTH username password] [SETNAME clientname]]"
    assert render(d["georadius"]["arguments"]) == (
        "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] "
        "[COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]")


# Commands whose syntax (and argument names) is the same in Redis 7.0 and Valkey 8,
# so Redis 7.0's tree is the expected one (minus display_text/since, which 7.0
# does not publish per argument, and history, which we do not keep).
SAME_AS_REDIS70 = [
    "set", "get", "getex", "getdel", "append", "expire", "expireat", "pexpire", "pexpireat", "lpos",
    "lpush", "rpush", "lrange", "linsert", "lmove", "blmove", "blpop", "lmpop", "blmpop", "incrbyfloat",
    "mget", "del", "hmget", "hincrby", "smove", "sintercard", "zcount", "zunionstore", "zinterstore",
    "zmpop", "copy", "restore", "failover", "eval", "fcall", "wait", "xrange", "xread", "xpending",
    "memory|usage", "client|pause", "client|tracking", "function|restore", "setbit", "scan",
    "hscan", "xtrim", "replicaof", "expiretime",
]


# Where Valkey 8's docs give another version than Redis 7.0's.
SINCE_IN_VALKEY = {"client|pause": "3.0.0"}


def _norm(args):
    out = []
    for a in args or []:
        n = {k: a[k] for k in ("name", "type", "token", "key_spec_index") if k in a}
        if "flags" in a:
            n["flags"] = sorted(a["flags"])
        if "arguments" in a:
            n["arguments"] = _norm(a["arguments"])
        out.append(n)
    return out


@pytest.mark.skipif(not os.path.exists(REDIS_BIN), reason="needs /usr/bin/redis-server 7.0")
@pytest.mark.parametrize("resp", [2, 3])
def test_same_trees_as_redis70(srv, start_server, resp):
    ref = start_server(binary=REDIS_BIN, config={"save": "", "appendonly": "no"})
    ours = docs(Conn(srv.port, resp=resp), *SAME_AS_REDIS70, resp=resp)
    theirs = docs(Conn(ref.port, resp=resp), *SAME_AS_REDIS70, resp=resp)
    hscan_extra = {"name": "novalues", "type": "pure-token", "token": "NOVALUES", "flags": ["optional"]}
    for name in SAME_AS_REDIS70:
        mine = _norm(ours[name].get("arguments"))
        if name == "hscan":
            # NOVALUES came with Valkey 8.
            assert mine[-1] == hscan_extra
            mine = mine[:-1]
        assert mine == _norm(theirs[name].get("arguments")), name
        assert ours[name]["group"] == theirs[name]["group"], name
        assert ours[name]["since"] == SINCE_IN_VALKEY.get(name, theirs[name]["since"]), name
