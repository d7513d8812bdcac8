"""ACL: users, SETUSER rule parsing and its exact error texts, the ACL LIST /
GETUSER descriptions, NOPERM enforcement, AUTH/HELLO through users, ACL LOG,
DRYRUN, CAT/GENPASS/USERS/DELUSER, config `user` lines and the ACL file.

Texts were compared with Debian's redis-server 7.0. Valkey 8 differs from 7.0
in a few documented ways, and these tests expect the Valkey 8 form:
  * users carry the `sanitize-payload` flag from creation (7.0: only after reset);
  * NOPERM replies: "User <u> has no permissions to run the '<cmd>' command",
    "No permissions to access a key" / "... a channel" (7.0: "this user has no
    permissions to ...", "... access one of the keys used as arguments");
  * ACL DRYRUN denial: "No permissions to access the '<k>' key" (7.0: "This
    user has no permissions to access the '<k>' key");
  * ACL LOG entries have entry-id / timestamp-created / timestamp-last-updated
    and the auth object is "AUTH";
  * ACL SAVE/LOAD without aclfile: "This instance is not configured ..." (7.0
    says "This Redis instance ...").
"""
import os
import socket
import time

import pytest

from kvutil import Conn, err, wait_for

BOB_HASH = "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"  # sha256("pw")


@pytest.fixture
def c(server):
    conn = Conn(server.port)
    yield conn
    conn.close()


def acl_list(c):
    return [x.decode() for x in c("ACL", "LIST")]


def user_line(c, name):
    lines = [l for l in acl_list(c) if l.startswith("user %s " % name)]
    return lines[0] if lines else None


def as_user(server, user, password):
    conn = Conn(server.port)
    assert conn("AUTH", user, password) == "OK"
    return conn


def closed(conn):
    try:
        conn.sock.settimeout(2)
        conn.send("PING")
        return conn.read() is None
    except (ConnectionError, OSError):
        return True


# ------------------------------------------------------------------ descriptions
def test_default_user(c):
    assert acl_list(c) == ["user default on nopass sanitize-payload ~* &* +@all"]
    assert c("ACL", "GETUSER", "default") == [
        b"flags", [b"on", b"nopass", b"sanitize-payload"], b"passwords", [], b"commands", b"+@all",
        b"keys", b"~*", b"channels", b"&*", b"selectors", []]
    assert c("ACL", "WHOAMI") == b"default"
    assert c("ACL", "USERS") == [b"default"]
    assert c("ACL", "GETUSER", "nobody") is None


def test_new_user_is_off_with_no_permissions(c):
    assert c("ACL", "SETUSER", "alice") == "OK"
    assert acl_list(c)[0] == "user alice off sanitize-payload resetchannels -@all"
    assert c("ACL", "GETUSER", "alice") == [
        b"flags", [b"off", b"sanitize-payload"], b"passwords", [], b"commands", b"-@all",
        b"keys", b"", b"channels", b"", b"selectors", []]


def test_setuser_full_description(c):
    assert c("ACL", "SETUSER", "bob", "on", ">pw", "%R~foo*", "~bar", "&ch*", "+get", "-@all", "+@string",
             "-set", "+config|get", "(~x +set)") == "OK"
    assert "user bob on sanitize-payload #%s %%R~foo* ~bar resetchannels &ch* -@all +@string -set " \
           "+config|get (~x resetchannels -@all +set)" % BOB_HASH in acl_list(c)
    assert c("ACL", "GETUSER", "bob") == [
        b"flags", [b"on", b"sanitize-payload"], b"passwords", [BOB_HASH.encode()],
        b"commands", b"-@all +@string -set +config|get", b"keys", b"%R~foo* ~bar", b"channels", b"&ch*",
        b"selectors", [[b"commands", b"-@all +set", b"keys", b"~x", b"channels", b""]]]


def test_setuser_merges_and_dedups(c):
    assert c("ACL", "SETUSER", "t2", "%R~foo", "%W~foo", "~bar", "%R~bar", "&a", "&a", "&b",
             ">p", ">p", ">q", "<p") == "OK"
    assert user_line(c, "t2") == ("user t2 off sanitize-payload "
                              "#8e35c2cd3bf6641bdb0e2050b76932cbb2e6034a0ddacc1d9bea82a6ba57f7cf "
                              "~foo ~bar resetchannels &a &b -@all")
    assert c("ACL", "SETUSER", "t3", "~foo", "~*", "&x", "&*", "allkeys") == "OK"
    assert "user t3 off sanitize-payload ~* &* -@all" in acl_list(c)


def test_rules_display_is_compacted(c):
    c("ACL", "SETUSER", "r", "+@all", "-get", "+get", "-set", "-config|get", "-config")
    assert c("ACL", "GETUSER", "r")[5] == b"+@all +get -set -config"
    c("ACL", "SETUSER", "r", "nocommands", "+GET", "+select|0")
    assert c("ACL", "GETUSER", "r")[5] == b"-@all +get +select|0"


@pytest.mark.parametrize("op,listed", [
    ("%RW~*", "user t1 off sanitize-payload ~* resetchannels -@all"),
    ("%R~*", "user t1 off sanitize-payload %R~* resetchannels -@all"),
    ("~", "user t1 off sanitize-payload ~ resetchannels -@all"),
    ("&", "user t1 off sanitize-payload resetchannels & -@all"),
    ("&*", "user t1 off sanitize-payload &* -@all"),
    ("allcommands", "user t1 off sanitize-payload resetchannels +@all"),
    ("ON", "user t1 on sanitize-payload resetchannels -@all"),
    ("nopass", "user t1 off nopass sanitize-payload resetchannels -@all"),
    ("skip-sanitize-payload", "user t1 off skip-sanitize-payload resetchannels -@all"),
    (">", "user t1 off sanitize-payload "
          "#e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 resetchannels -@all"),
    ("+get|x", "user t1 off sanitize-payload resetchannels -@all +get|x"),
])
def test_setuser_single_rule(c, op, listed):
    assert c("ACL", "SETUSER", "t1", "reset", op) == "OK"
    assert user_line(c, "t1") == listed


SETUSER_ERRORS = [
    ("+nosuch", "Unknown command or category name in ACL"),
    ("+@nosuch", "Unknown command or category name in ACL"),
    ("-get|x", "Unknown command or category name in ACL"),
    ("-config|nosuch", "Unknown command or category name in ACL"),
    ("+config|nosuch", "Unknown command or category name in ACL"),
    ("(~x +nosuch)", "Unknown command or category name in ACL"),
    ("%~x", "Syntax error"),
    ("%X~a", "Syntax error"),
    ("%W~a b", "Syntax error"),
    ("+config|", "Syntax error"),
    ("bogus", "Syntax error"),
    ("+config|get|x", "Allowing first-arg of a subcommand is not supported"),
    ("#abc", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
    ("!", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
    ("<nope", "The password you are trying to remove from the user does not exist"),
]


@pytest.mark.parametrize("op,text", SETUSER_ERRORS)
def test_setuser_errors(c, op, text):
    assert c("ACL", "SETUSER", "x", op) == err("ERR Error in ACL SETUSER modifier '%s': %s" % (op, text))
    assert c("ACL", "GETUSER", "x") is None   # a failed SETUSER creates nothing


def test_setuser_error_keeps_user_unchanged(c):
    c("ACL", "SETUSER", "x", "on", "~a")
    assert c("ACL", "SETUSER", "x", "off", "~b", "allkeys", "~c") == err(
        "ERR Error in ACL SETUSER modifier '~c': Adding a pattern after the * pattern (or the 'allkeys' flag) "
        "is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
    assert c("ACL", "SETUSER", "x", "&*", "&c") == err(
        "ERR Error in ACL SETUSER modifier '&c': Adding a pattern after the * pattern (or the 'allchannels' flag) "
        "is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
    assert user_line(c, "x") == "user x on sanitize-payload ~a resetchannels -@all"


def test_setuser_username_and_parenthesis(c):
    assert c("ACL", "SETUSER", "a b") == err("ERR Usernames can't contain spaces or null characters")
    assert c("ACL", "SETUSER", "x", "(~x") == err("ERR Unmatched parenthesis in acl selector starting at '(~x'.")
    assert c("ACL", "SETUSER", "x", "(~x", "+get)", "(%R~y", "+@read", ")") == "OK"
    assert user_line(c, "x") == ("user x off sanitize-payload resetchannels -@all "
                              "(~x resetchannels -@all +get) (%R~y resetchannels -@all +@read)")
    assert c("ACL", "SETUSER", "x", "clearselectors") == "OK"
    assert user_line(c, "x") == "user x off sanitize-payload resetchannels -@all"
    assert c("ACL", "SETUSER") == err("ERR wrong number of arguments for 'acl|setuser' command")


# ------------------------------------------------------------------ enforcement
def test_noperm_command_key_channel(server, c):
    c("ACL", "SETUSER", "bob", "on", ">pw", "%R~foo*", "~bar", "&ch*", "-@all", "+@string", "-set",
      "+config|get", "+publish", "+subscribe", "+psubscribe")
    b = as_user(server, "bob", "pw")
    assert b("GET", "zz") == err("NOPERM No permissions to access a key")
    assert b("GET", "foo1") is None
    assert b("SET", "foo1", "v") == err("NOPERM User bob has no permissions to run the 'set' command")
    assert b("APPEND", "foo1", "v") == err("NOPERM No permissions to access a key")   # read-only pattern
    assert b("APPEND", "bar", "v") == 1
    assert b("DBSIZE") == err("NOPERM User bob has no permissions to run the 'dbsize' command")
    assert b("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"0"]
    assert b("CONFIG", "SET", "maxmemory", "0") == err(
        "NOPERM User bob has no permissions to run the 'config|set' command")
    assert b("ACL", "WHOAMI") == err("NOPERM User bob has no permissions to run the 'acl|whoami' command")
    assert b("PUBLISH", "ch1", "x") == 0
    assert b("PUBLISH", "zz", "x") == err("NOPERM No permissions to access a channel")
    # no_auth commands (AUTH, HELLO, QUIT, RESET) stay allowed whatever the rules
    assert b("AUTH", "bob", "pw") == "OK"
    assert b("PING") == err("NOPERM User bob has no permissions to run the 'ping' command")
    assert b("PSUBSCRIBE", "ch1*") == err("NOPERM No permissions to access a channel")   # patterns are literal
    assert b("PSUBSCRIBE", "ch*") == [b"psubscribe", b"ch*", 1]
    b.close()


def test_first_arg_and_subcommand_rules(server, c):
    c("ACL", "SETUSER", "s", "on", "nopass", "allkeys", "+select|0", "+config|get", "+acl")
    s = as_user(server, "s", "x")
    assert s("SELECT", "0") == "OK"
    assert s("SELECT", "1") == err("NOPERM User s has no permissions to run the 'select' command")
    assert s("CONFIG", "GET", "port")[0] == b"port"
    assert s("CONFIG", "SET", "port", "0") == err("NOPERM User s has no permissions to run the 'config|set' command")
    assert s("ACL", "WHOAMI") == b"s"     # +acl covers every ACL subcommand
    c("ACL", "SETUSER", "s", "-acl|whoami")
    assert s("ACL", "WHOAMI") == err("NOPERM User s has no permissions to run the 'acl|whoami' command")
    s.close()


def test_selectors_widen_permissions(server, c):
    c("ACL", "SETUSER", "sel", "on", "nopass", "~a*", "+get", "(~b* +set)")
    s = as_user(server, "sel", "x")
    assert s("GET", "a1") is None
    assert s("SET", "b1", "v") == "OK"
    assert s("GET", "b1") == err("NOPERM No permissions to access a key")
    assert s("SET", "a1", "v") == err("NOPERM No permissions to access a key")
    assert s("DEL", "a1") == err("NOPERM User sel has no permissions to run the 'del' command")
    s.close()


def test_denied_command_in_multi_aborts_exec(server, c):
    c("ACL", "SETUSER", "m", "on", "nopass", "allkeys", "+multi", "+exec", "+get")
    m = as_user(server, "m", "x")
    assert m("MULTI") == "OK"
    assert m("GET", "k") == "QUEUED"
    assert m("SET", "k", "v") == err("NOPERM User m has no permissions to run the 'set' command")
    assert m("EXEC") == err("EXECABORT Transaction discarded because of previous errors.")
    log = c("ACL", "LOG", "1")[0]
    assert log[1:6:2] == [1, b"command", b"multi"]
    m.close()


# ------------------------------------------------------------------ authentication
def test_auth_users(server, c):
    c("ACL", "SETUSER", "alice", "on", ">p1", ">p2", "+@all", "~*")
    c("ACL", "SETUSER", "ghost", "off", "nopass", "+@all")
    c("ACL", "SETUSER", "free", "on", "nopass", "+@all")
    a = Conn(server.port)
    assert a("AUTH", "alice", "wrong") == err("WRONGPASS invalid username-password pair or user is disabled.")
    assert a("AUTH", "nosuch", "p1") == err("WRONGPASS invalid username-password pair or user is disabled.")
    assert a("AUTH", "ghost", "x") == err("WRONGPASS invalid username-password pair or user is disabled.")
    assert a("ACL", "WHOAMI") == b"default"
    assert a("AUTH", "alice", "p2") == "OK"
    assert a("ACL", "WHOAMI") == b"alice"
    assert b"user=alice" in a("CLIENT", "INFO")
    assert a("AUTH", "free", "anything") == "OK"
    assert a("ACL", "WHOAMI") == b"free"
    assert a("RESET") == "RESET"
    assert a("ACL", "WHOAMI") == b"default"
    h = a("HELLO", "3", "AUTH", "alice", "p1")
    assert h[b"proto"] == 3
    assert a("ACL", "WHOAMI") == b"alice"
    assert a("HELLO", "2", "AUTH", "alice", "nope") == err(
        "WRONGPASS invalid username-password pair or user is disabled.")
    a.close()
    entry = c("ACL", "LOG", "1")[0]
    # the two failures for alice (AUTH, HELLO AUTH) are grouped into one entry
    assert entry[:10] == [b"count", 2, b"reason", b"auth", b"context", b"toplevel", b"object", b"AUTH",
                          b"username", b"alice"]


def test_requirepass_is_default_password(start_server):
    s = start_server(config={"requirepass": "secret"})
    c = Conn(s.port)
    assert c("GET", "x") == err("NOAUTH Authentication required.")
    assert c("AUTH", "default", "secret") == "OK"
    assert acl_list(c) == ["user default on sanitize-payload "
                           "#2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all"]
    assert c("CONFIG", "SET", "requirepass", "") == "OK"
    assert acl_list(c) == ["user default on nopass sanitize-payload ~* &* +@all"]
    fresh = Conn(s.port)
    assert fresh("PING") == "PONG"
    assert c("CONFIG", "SET", "requirepass", "other") == "OK"
    assert c("PING") == "PONG"          # already authenticated connections stay so
    assert Conn(s.port)("PING") == err("NOAUTH Authentication required.")


def test_default_user_off_requires_auth(server, c):
    c("ACL", "SETUSER", "admin", "on", ">a", "+@all", "~*", "&*")
    c("ACL", "SETUSER", "default", "off")
    n = Conn(server.port)
    assert n("PING") == err("NOAUTH Authentication required.")
    assert n("AUTH", "admin", "a") == "OK"
    assert n("ACL", "SETUSER", "default", "on") == "OK"


# ------------------------------------------------------------------ ACL LOG
def test_acl_log(server, c):
    c("ACL", "SETUSER", "bob", "on", ">pw", "~k*", "&c*", "+get", "+publish")
    b = as_user(server, "bob", "pw")
    b("SET", "k", "v")
    b("SET", "k", "v")
    b("GET", "other")
    b("PUBLISH", "zz", "m")
    log = c("ACL", "LOG")
    assert len(log) == 3
    chan, key, cmd = log
    assert chan[:10] == [b"count", 1, b"reason", b"channel", b"context", b"toplevel", b"object", b"zz",
                         b"username", b"bob"]
    assert key[:8] == [b"count", 1, b"reason", b"key", b"context", b"toplevel", b"object", b"other"]
    assert cmd[:8] == [b"count", 2, b"reason", b"command", b"context", b"toplevel", b"object", b"set"]
    assert cmd[10] == b"age-seconds" and cmd[12] == b"client-info"
    assert b"user=bob" in cmd[13]
    assert cmd[14::2] == [b"entry-id", b"timestamp-created", b"timestamp-last-updated"]
    assert cmd[15] == 0 and chan[15] == 2
    assert len(c("ACL", "LOG", "1")) == 1
    assert c("ACL", "LOG", "-1") == []
    assert c("ACL", "LOG", "x") == err("ERR value is not an integer or out of range")
    assert c("ACL", "LOG", "RESET") == "OK"
    assert c("ACL", "LOG") == []
    c("CONFIG", "SET", "acllog-max-len", "2")
    for i in range(5):
        b("GET", "o%d" % i)
    assert [e[7] for e in c("ACL", "LOG")] == [b"o4", b"o3"]
    c("AUTH", "bob", "wrong")
    stats = dict(l.split(":", 1) for l in c("INFO", "stats").decode().split("\r\n") if ":" in l)
    assert [stats["acl_access_denied_" + k] for k in ("auth", "cmd", "key", "channel")] == ["1", "2", "6", "1"]
    b.close()


# ------------------------------------------------------------------ other subcommands
def test_dryrun(c):
    c("ACL", "SETUSER", "bob", "on", "%R~foo*", "&ch*", "+@string", "+publish", "+psubscribe")
    assert c("ACL", "DRYRUN", "bob", "get", "foo1") == "OK"
    assert c("ACL", "DRYRUN", "bob", "get", "zz") == b"No permissions to access the 'zz' key"
    assert c("ACL", "DRYRUN", "bob", "set", "foo1", "v") == b"No permissions to access the 'foo1' key"
    assert c("ACL", "DRYRUN", "bob", "publish", "zz", "x") == b"No permissions to access the 'zz' channel"
    assert c("ACL", "DRYRUN", "bob", "psubscribe", "ch1") == b"No permissions to access the 'ch1' channel"
    assert c("ACL", "DRYRUN", "bob", "dbsize") == b"User bob has no permissions to run the 'dbsize' command"
    assert c("ACL", "DRYRUN", "bob", "get") == err("ERR wrong number of arguments for 'get' command")
    assert c("ACL", "DRYRUN", "nobody", "get", "x") == err("ERR User 'nobody' not found")
    assert c("ACL", "DRYRUN", "bob", "nosuch") == err("ERR Command 'nosuch' not found")


def test_cat_genpass_users_help(c):
    cats = c("ACL", "CAT")
    assert cats == [b"keyspace", b"read", b"write", b"set", b"sortedset", b"list", b"hash", b"string",
                    b"bitmap", b"hyperloglog", b"geo", b"stream", b"pubsub", b"admin", b"fast", b"slow",
                    b"blocking", b"dangerous", b"connection", b"transaction", b"scripting"]
    assert c("ACL", "CAT", "nosuch") == err("ERR Unknown category 'nosuch'")
    string_cmds = set(c("ACL", "CAT", "string"))
    assert {b"get", b"set", b"append"} <= string_cmds and b"lpush" not in string_cmds
    assert b"ping" in set(c("ACL", "CAT", "CONNECTION"))
    p = c("ACL", "GENPASS")
    assert len(p) == 64 and all(ch in b"0123456789abcdef" for ch in p)
    assert p != c("ACL", "GENPASS")
    assert len(c("ACL", "GENPASS", "5")) == 2
    assert len(c("ACL", "GENPASS", "4096")) == 1024
    for bad in ("0", "4097", "-3"):
        assert c("ACL", "GENPASS", bad) == err(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number "
            "up to 4096")
    assert c("ACL", "GENPASS", "abc") == err("ERR value is not an integer or out of range")
    c("ACL", "SETUSER", "zed")
    c("ACL", "SETUSER", "alice")
    assert c("ACL", "USERS") == [b"alice", b"default", b"zed"]
    help_ = c("ACL", "HELP")
    assert help_[0] == "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_[1:3] == ["CAT [<category>]", "    List all commands that belong to <category>, or all command categories"]
    assert c("ACL", "NOSUB") == err("ERR unknown subcommand 'NOSUB'. Try ACL HELP.")
    assert c("ACL", "SAVE") == err(
        "ERR This instance is not configured to use an ACL file. You may want to specify users via the ACL "
        "SETUSER command and then issue a CONFIG REWRITE (assuming you have a configuration file set) in order "
        "to store users in the configuration.")


def test_deluser_disconnects_clients(server, c):
    c("ACL", "SETUSER", "alice", "on", ">pw", "+@all", "~*")
    a = as_user(server, "alice", "pw")
    assert c("ACL", "DELUSER", "default") == err("ERR The 'default' user cannot be removed")
    assert c("ACL", "DELUSER", "alice", "nosuch") == 1
    assert closed(a)
    assert c("ACL", "USERS") == [b"default"]
    # deleting oneself: the reply arrives, then the connection closes
    c("ACL", "SETUSER", "me", "on", "nopass", "+@all")
    m = as_user(server, "me", "x")
    assert m("ACL", "DELUSER", "me") == 1
    assert closed(m)


def test_subscriber_losing_channel_is_disconnected(server, c):
    c("ACL", "SETUSER", "sub", "on", "nopass", "&news*", "+@all")
    s = as_user(server, "sub", "x")
    assert s("SUBSCRIBE", "news1") == [b"subscribe", b"news1", 1]
    other = as_user(server, "sub", "x")
    c("ACL", "SETUSER", "sub", "&other")         # news1 still allowed: nobody is dropped
    assert other("PING") == "PONG"
    c("ACL", "SETUSER", "sub", "resetchannels")
    assert closed(s)
    assert other("PING") == "PONG"                # not subscribed: kept


# ------------------------------------------------------------------ startup configuration
def test_user_lines_from_config(start_server):
    s = start_server(config={"user": ["alice", "on", ">pw", "~a*", "+get"]})
    c = Conn(s.port)
    assert acl_list(c) == ["user alice on sanitize-payload #%s ~a* resetchannels -@all +get" % BOB_HASH,
                           "user default on nopass sanitize-payload ~* &* +@all"]
    a = as_user(s, "alice", "pw")
    assert a("GET", "a1") is None


def test_bad_user_line_stops_startup(start_server):
    with pytest.raises(RuntimeError) as e:
        start_server(config={"user": ["alice", "on", "+nosuch"]})
    assert "Error in user declaration 'alice'" in str(e.value)


def test_aclfile_load_and_save(start_server, tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default on nopass ~* &* +@all\nuser alice on >pw ~a* +get\n")
    s = start_server(config={"aclfile": str(path)})
    c = Conn(s.port)
    assert acl_list(c) == ["user alice on sanitize-payload #%s ~a* resetchannels -@all +get" % BOB_HASH,
                           "user default on nopass sanitize-payload ~* &* +@all"]
    a = as_user(s, "alice", "pw")
    path.write_text("user default on nopass ~* &* +@all\nuser alice on >pw ~a* +nosuch\nfoo bar\n"
                    "user bob on \"unbalanced\nuser alice off\n")
    assert c("ACL", "LOAD") == err(
        "ERR {p}:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. "
        "{p}:3 should start with user keyword followed by the username. {p}:4: Syntax error. "
        "WARNING: Duplicate user 'alice' found on line 5. "
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed".format(p=path))
    assert a("GET", "a1") is None           # nothing changed, alice still connected
    path.write_text("user default on nopass ~* &* +@all\nuser carol on nopass +@all ~*\n")
    assert c("ACL", "LOAD") == "OK"
    assert closed(a)                        # alice is gone
    c("ACL", "SETUSER", "dave")
    assert c("ACL", "SAVE") == "OK"
    assert path.read_text() == ("user carol on nopass sanitize-payload ~* resetchannels +@all\n"
                                "user dave off sanitize-payload resetchannels -@all\n"
                                "user default on nopass sanitize-payload ~* &* +@all\n")
    path.unlink()
    assert c("ACL", "LOAD") == err("ERR Error loading ACLs, opening file '%s': No such file or directory" % path)


def test_aclfile_and_user_lines_conflict(start_server, tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default on nopass ~* &* +@all\n")
    with pytest.raises(RuntimeError):
        start_server(config={"aclfile": str(path), "user": ["alice", "on"]})


# ------------------------------------------------------------------ replication
def test_replica_authenticates_with_primaryuser(start_server):
    p = start_server(config={"user": ["repl", "on", ">rp", "+psync", "+replconf", "+ping"],
                             "repl-diskless-sync-delay": "0"})
    admin = Conn(p.port)
    assert admin("ACL", "SETUSER", "default", "off") == "OK"
    assert admin("SET", "k", "v") == "OK"
    r = start_server(config={"replicaof": ["127.0.0.1", str(p.port)], "masteruser": "repl", "masterauth": "rp"})
    rc = Conn(r.port)
    assert wait_for(lambda: rc("GET", "k") == b"v", timeout=10)
    assert admin("SET", "k2", "v2") == "OK"
    assert wait_for(lambda: rc("GET", "k2") == b"v2", timeout=10)
    assert admin("ACL", "LOG") == []      # the replica's commands were all allowed
    assert b"user=repl" in admin("CLIENT", "LIST", "TYPE", "replica")


# ------------------------------------------------------------------ per-key read/write roles
# Each row: command, and whether a %W~w* user / a %R~w* user may run it (compared
# with redis-server 7.0's ACL DRYRUN, which derives this from key specs).
KEY_ROLE_CASES = [
    ("append w1 x", True, False), ("set w1 x", True, False), ("del w1", True, False), ("lpush w1 a", True, False),
    ("incr w1", False, False), ("getdel w1", False, False), ("lpop w1", False, False), ("setbit w1 0 1", False, False),
    ("sinterstore w1 w2", False, False), ("zrangestore w1 w2 0 1", False, False), ("pfmerge w1 w2", False, False),
    ("rename w1 w2", False, False), ("copy w1 w2", False, False), ("sort w1", False, True),
    ("get w1", False, True), ("mget w1 w2", False, True), ("exists w1", False, True), ("pfcount w1", False, True),
]


@pytest.mark.parametrize("cmd,writer_ok,reader_ok", KEY_ROLE_CASES)
def test_key_permission_roles(c, cmd, writer_ok, reader_ok):
    c("ACL", "SETUSER", "wo", "on", "nopass", "%W~w*", "+@all")
    c("ACL", "SETUSER", "ro", "on", "nopass", "%R~w*", "+@all")
    for user, ok in (("wo", writer_ok), ("ro", reader_ok)):
        reply = c("ACL", "DRYRUN", user, *cmd.split())
        if ok:
            assert reply == "OK", (user, cmd, reply)
        else:
            assert isinstance(reply, bytes) and reply.startswith(b"No permissions to access the 'w"), (user, cmd, reply)


def test_config_rewrite_writes_users(start_server, tmp_path):
    conf = tmp_path / "valkey.conf"
    conf.write_text("user old on nopass +@all\nmaxmemory-samples 5\n")
    s = start_server(args=[str(conf)])
    c = Conn(s.port)
    assert c("ACL", "DELUSER", "old") == 1
    assert c("ACL", "SETUSER", "alice", "on", ">pw", "~a*", "+get") == "OK"
    assert c("CONFIG", "REWRITE") == "OK"
    text = conf.read_text()
    assert "user old" not in text
    users = [l for l in text.splitlines() if l.startswith("user ")]
    assert users == ["user alice on sanitize-payload #%s ~a* resetchannels -@all +get" % BOB_HASH,
                     "user default on nopass sanitize-payload ~* &* +@all"]
    s.stop()
    s.start()
    c = Conn(s.port)
    assert acl_list(c) == users


# ------------------------------------------------------------------ scripts
def test_scripts_run_commands_as_the_caller(server, c):
    c("ACL", "SETUSER", "u", "on", "nopass", "~k*", "+eval", "+get")
    u = as_user(server, "u", "x")
    r = u("EVAL", "return redis.call('set','k','v')", "0")
    assert isinstance(r, type(err(""))) and r.text.startswith(
        "ERR ACL failure in script: User u has no permissions to run the 'set' command script: ")
    r = u("EVAL", "return redis.call('get','zz')", "0")
    assert r.text.startswith("ERR ACL failure in script: No permissions to access a key script: ")
    assert u("EVAL", "return redis.pcall('get','zz')", "0") == err("ERR ACL failure in script: No permissions to access a key")
    assert u("EVAL", "return redis.call('get','k1')", "0") is None
    entry = c("ACL", "LOG", "1")[0]
    assert entry[:10] == [b"count", 2, b"reason", b"key", b"context", b"lua", b"object", b"zz", b"username", b"u"]


def test_all_commands_minus_some(server, c):
    c("ACL", "SETUSER", "most", "on", "nopass", "allkeys", "+@all", "-get", "-@hash", "-config|set")
    m = as_user(server, "most", "x")
    assert m("GET", "k") == err("NOPERM User most has no permissions to run the 'get' command")
    assert m("HSET", "h", "f", "v") == err("NOPERM User most has no permissions to run the 'hset' command")
    assert m("CONFIG", "SET", "maxmemory", "0") == err(
        "NOPERM User most has no permissions to run the 'config|set' command")
    assert m("SET", "k", "v") == "OK"
    assert m("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"0"]
    assert c("ACL", "GETUSER", "most")[5] == b"+@all -get -@hash -config|set"
    c("ACL", "SETUSER", "most", "+get")
    assert m("GET", "k") == b"v"


def test_exec_rechecks_queued_commands(server, c):
    c("ACL", "SETUSER", "ex", "on", "nopass", "~*", "&*", "+@all")
    e = as_user(server, "ex", "x")
    assert e("MULTI") == "OK"
    for cmd in (("SET", "k", "v"), ("GET", "k"), ("PUBLISH", "c", "m"), ("PING",)):
        assert e(*cmd) == "QUEUED"
    c("ACL", "SETUSER", "ex", "resetkeys", "resetchannels", "-get")
    prefix = ("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
              "This command is no longer allowed for the following reason: ")
    assert e("EXEC") == [err(prefix + "no permission to touch the specified keys"),
                         err(prefix + "no permission to execute the command or subcommand"),
                         err(prefix + "no permission to access one of the channels used as arguments"),
                         "PONG"]
    assert c("ACL", "LOG", "1")[0][:8] == [b"count", 1, b"reason", b"channel", b"context", b"multi", b"object", b"c"]
