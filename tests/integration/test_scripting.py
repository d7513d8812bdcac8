"""EVAL / EVALSHA / SCRIPT: replies, type conversions, sandbox and error texts.
Expected texts were checked against redis-server 7.0 where Valkey 8 says the
same; the four call-path refusals use Valkey 8's wording (no "Redis")."""
import threading
import time

import pytest

from kvutil import Conn, err, wait_for

SHA_RETURN_1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"


@pytest.fixture
def c(server):
    conn = Conn(server.port)
    yield conn
    conn.close()


def suffix(script, line=1):
    import hashlib
    return " script: %s, on @user_script:%d." % (hashlib.sha1(script.encode()).hexdigest(), line)


def ev(c, script, *args):
    return c("EVAL", script, *args)


def test_basic_replies(c):
    assert ev(c, "return 1", 0) == 1
    assert ev(c, "return 'x'", 0) == b"x"
    assert ev(c, "return {1,2,{3,'x'},nil,4}", 0) == [1, 2, [3, b"x"]]
    assert ev(c, "return 3.99", 0) == 3
    assert ev(c, "return -3.99", 0) == -3
    assert ev(c, "return true", 0) == 1
    assert ev(c, "return false", 0) is None
    assert ev(c, "return nil", 0) is None
    assert ev(c, "return {ok='FINE'}", 0) == "FINE"
    assert ev(c, "return redis.status_reply('FINE')", 0) == "FINE"
    assert ev(c, "return {err='bad'}", 0) == err("bad")
    assert ev(c, "return redis.error_reply('MY x')", 0) == err("MY x")
    assert ev(c, "return redis.error_reply('x')", 0) == err("ERR x")
    assert ev(c, "return redis.error_reply()", 0) == err("ERR wrong number or type of arguments")
    assert ev(c, "return {1,{err='e'},3}", 0) == [1, err("e"), 3]
    assert ev(c, "return {double=1.5}", 0) == b"1.5"
    assert ev(c, "return {map={a=1}}", 0) == [b"a", 1]
    assert ev(c, "return {set={a=true}}", 0) == [b"a"]
    assert ev(c, "return {big_number='123'}", 0) == b"123"


def test_resp3_caller(server):
    c = Conn(server.port, resp=3)
    # Booleans follow the script's protocol (server.setresp), nil the caller's.
    assert ev(c, "return true", 0) == 1
    assert ev(c, "return false", 0) is None
    assert ev(c, "redis.setresp(3); return true", 0) is True
    assert ev(c, "redis.setresp(3); return false", 0) is False
    assert ev(c, "return nil", 0) is None
    assert ev(c, "return {double=1.5}", 0) == 1.5
    assert ev(c, "return {map={a=1}}", 0) == {b"a": 1}
    assert ev(c, "return {big_number='123'}", 0) == 123


def test_keys_and_argv(c):
    assert ev(c, "return {KEYS[1],ARGV[1],#KEYS,#ARGV}", 1, "k", "a", "b") == [b"k", b"a", 1, 2]
    assert ev(c, "return KEYS", 2, "k1", "k2", "a") == [b"k1", b"k2"]
    assert ev(c, "return #ARGV", 0, "a", "b", "c") == 3


def test_numkeys_errors(c):
    assert ev(c, "return 1", -1) == err("ERR Number of keys can't be negative")
    assert ev(c, "return 1", 5, "a") == err("ERR Number of keys can't be greater than number of args")
    assert ev(c, "return 1", "x") == err("ERR value is not an integer or out of range")
    assert c("EVAL", "return 1") == err("ERR wrong number of arguments for 'eval' command")


def test_server_call_conversions(c):
    assert c("SET", "s", "abc") == "OK"
    assert ev(c, "return {redis.call('set','k','v'), redis.call('get','k')}", 0) == ["OK", b"v"]
    assert ev(c, "return redis.call('type','k').ok", 0) == b"string"
    assert ev(c, "return redis.call('get','nokey')", 0) is None
    assert ev(c, "return type(redis.call('get','nokey'))", 0) == b"boolean"
    assert ev(c, "return redis.call('lpush','l',1,2,3)", 0) == 3
    assert ev(c, "return redis.call('lrange','l',0,-1)", 0) == [b"3", b"2", b"1"]
    assert ev(c, "return redis.call('get', 1.5)", 0) is None
    assert ev(c, "redis.call('set', 'n', 1.5); return redis.call('get', 'n')", 0) == b"1.5"
    assert ev(c, "redis.call('hset','h','a','1'); redis.setresp(3); return redis.call('hgetall','h').map.a", 0) == b"1"
    assert ev(c, "redis.call('zadd','z',1.5,'a'); redis.setresp(3); return redis.call('zscore','z','a').double", 0) == 1
    assert ev(c, "redis.setresp(3); return redis.call('zscore','z','a')", 0) == b"1.5"
    assert ev(c, "return server.call('ping')", 0) == "PONG"
    assert ev(c, "return redis.sha1hex('Pizza & Mandolino')", 0) == b"74822d82031af7493c20eefa13bd07ec4fada82f"
    assert ev(c, "return redis.sha1hex('')", 0) == b"da39a3ee5e6b4b0d3255bfef95601890afd80709"


def test_call_errors(c):
    c("SET", "s", "abc")
    s = "return redis.call('incr','s')"
    assert ev(c, s, 0) == err("ERR value is not an integer or out of range" + suffix(s))
    assert ev(c, "return redis.pcall('incr','s')", 0) == err("ERR value is not an integer or out of range")
    assert ev(c, "local t = redis.pcall('incr','s'); return t['err']", 0) == b"ERR value is not an integer or out of range"
    c("LPUSH", "l", "x")
    s = "return redis.call('get','l')"
    assert ev(c, s, 0) == err("WRONGTYPE Operation against a key holding the wrong kind of value" + suffix(s))
    cases = [
        ("return redis.call()", "ERR Please specify at least one argument for this call"),
        ("return redis.call('set','k',{})", "ERR Command arguments must be strings or integers"),
        ("return redis.call('nosuch','x')", "ERR Unknown command called from script"),
        ("return redis.call('get')", "ERR Wrong number of args calling command from script"),
        ("return redis.call('eval','return 1', 0)", "ERR This Redis command is not allowed from script"),
        ("return redis.call('script','kill')", "ERR This Redis command is not allowed from script"),
        ("return redis.sha1hex()", "ERR wrong number of arguments"),
        ("return redis.setresp(4)", "ERR RESP version must be 2 or 3."),
        ("return redis.setresp()", "ERR server.setresp() requires one argument."),
        ("return redis.log(99,'x')", "ERR Invalid debug level."),
        ("return redis.log(redis.LOG_WARNING)", "ERR server.log() requires two arguments or more."),
    ]
    for script, text in cases:
        assert ev(c, script, 0) == err(text + suffix(script)), script
    assert ev(c, "return redis.pcall('nosuch')", 0) == err("ERR Unknown command called from script")


def test_script_errors(c):
    s = "error('boom')"
    assert ev(c, s, 0) == err("ERR user_script:1: boom" + suffix(s))
    s = "error({err='MY boom'})"
    assert ev(c, s, 0) == err("MY boom" + suffix(s))
    s = "return a"
    assert ev(c, s, 0) == err("ERR user_script:1: Script attempted to access nonexistent global variable 'a'" + suffix(s))
    s = "a=1"
    assert ev(c, s, 0) == err("ERR user_script:1: Attempt to modify a readonly table" + suffix(s))
    s = "local f = function() x = 1 end; f()"
    assert ev(c, s, 0) == err("ERR user_script:1: Attempt to modify a readonly table" + suffix(s))
    s = "string.x = 1"
    assert ev(c, s, 0) == err("ERR user_script:1: Attempt to modify a readonly table" + suffix(s))
    s = "return\n\nnil + 1"
    assert ev(c, s, 0) == err("ERR user_script:3: attempt to perform arithmetic on a nil value" + suffix(s, 3))
    assert ev(c, "syntax error here", 0) == err("ERR Error compiling script (new function): user_script:1: '=' expected near 'error'")
    # pcall inside the script catches errors raised by server.call.
    assert ev(c, "return pcall(function() error('x') end)", 0) is None


def test_sandbox(c):
    for name in ("print", "dofile", "loadfile", "setfenv", "getfenv", "require", "io", "debug"):
        s = "return %s" % name
        assert ev(c, s, 0) == err("ERR user_script:1: Script attempted to access nonexistent global variable '%s'" % name + suffix(s))
    s = "return os.time()"
    assert ev(c, s, 0) == err("ERR user_script:1: attempt to call field 'time' (a nil value)" + suffix(s))
    assert ev(c, "return type(os.clock())", 0) == b"number"
    assert ev(c, "return loadstring('return 7')()", 0) == 7
    assert ev(c, "return table.concat({'a','b'}, ',')", 0) == b"a,b"
    assert ev(c, "return string.format('%d-%s', 5, 'x')", 0) == b"5-x"
    assert ev(c, "return math.floor(2.5)", 0) == 2
    assert ev(c, "return redis.replicate_commands()", 0) == 1
    assert ev(c, "return server == redis", 0) == 1
    assert ev(c, "return _G.x", 0) == err("ERR user_script:1: Script attempted to access nonexistent global variable 'x'" + suffix("return _G.x"))


def test_evalsha_and_script_cache(c):
    assert c("SCRIPT", "LOAD", "return 1") == SHA_RETURN_1.encode()
    assert c("SCRIPT", "EXISTS", SHA_RETURN_1, "abc", SHA_RETURN_1.upper()) == [1, 0, 1]
    assert c("EVALSHA", SHA_RETURN_1, 0) == 1
    assert c("EVALSHA", SHA_RETURN_1.upper(), 0) == 1
    assert c("EVALSHA_RO", SHA_RETURN_1, 0) == 1
    assert c("EVALSHA", "f" * 40, 0) == err("NOSCRIPT No matching script. Please use EVAL.")
    assert c("EVALSHA", "abc", 0) == err("NOSCRIPT No matching script. Please use EVAL.")
    # EVAL caches the script under its sha.
    assert ev(c, "return 2", 0) == 2
    assert c("EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", 0) == 2
    assert c("SCRIPT", "FLUSH", "foo") == err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    assert c("SCRIPT", "FLUSH") == "OK"
    assert c("SCRIPT", "EXISTS", SHA_RETURN_1) == [0]
    c("SCRIPT", "LOAD", "return 1")
    assert c("SCRIPT", "FLUSH", "ASYNC") == "OK"
    assert c("SCRIPT", "FLUSH", "SYNC") == "OK"
    assert c("EVALSHA", SHA_RETURN_1, 0) == err("NOSCRIPT No matching script. Please use EVAL.")
    assert c("SCRIPT", "LOAD", "syntax error here") == err("ERR Error compiling script (new function): user_script:1: '=' expected near 'error'")
    assert c("SCRIPT", "KILL") == err("NOTBUSY No scripts in execution right now.")
    help_ = c("SCRIPT", "HELP")
    assert help_[0] == "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_[-3:] == ["    Load a script into the scripts cache without executing it.", "HELP", "    Prints this help."]
    assert c("SCRIPT", "NOPE") == err("ERR unknown subcommand 'NOPE'. Try SCRIPT HELP.")


def test_read_only_and_shebang(c):
    s = "return redis.call('set','a','b')"
    assert c("EVAL_RO", s, 0) == err("ERR Write commands are not allowed from read-only scripts." + suffix(s))
    s = "#!lua flags=no-writes\nreturn redis.call('set','a','b')"
    assert ev(c, s, 0) == err("ERR Write commands are not allowed from read-only scripts." + suffix(s, 2))
    assert c("EVAL_RO", "#!lua\nreturn 1", 0) == err("ERR Can not execute a script with write flag using *_ro command.")
    assert c("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','a')", 0) is None
    assert ev(c, "#!lua flags=bad\nreturn 1", 0) == err("ERR Unexpected flag in script shebang: bad")
    assert ev(c, "#!lua name=x\nreturn 1", 0) == err("ERR Unknown lua shebang option: name=x")
    assert ev(c, "#!nope a=b\nreturn 1", 0) == err("ERR Unexpected engine in script shebang: #!nope")
    assert ev(c, "#!lua", 0) == err("ERR Invalid script shebang")
    assert ev(c, "#!lua  flags=no-writes,allow-oom  \nreturn 1", 0) == 1
    assert ev(c, "#!lua flags=\nreturn redis.call('set','a','b')", 0) == "OK"
    s = "#!lua\nreturn redis.call('incr','a')"
    assert ev(c, s, 0) == err("ERR value is not an integer or out of range" + suffix(s, 2))


def test_script_inside_multi(c):
    assert c("MULTI") == "OK"
    assert ev(c, "return redis.call('incr','m')", 0) == "QUEUED"
    assert ev(c, "return redis.call('incr','m')", 0) == "QUEUED"
    assert c("EXEC") == [1, 2]


def test_select_inside_script_does_not_leak(c):
    assert ev(c, "redis.call('select', 5); redis.call('set','x','in5'); return 1", 0) == 1
    assert c("GET", "x") is None
    assert c("SELECT", "5") == "OK"
    assert c("GET", "x") == b"in5"


def test_busy_script_and_kill(server):
    c = Conn(server.port)
    assert c("CONFIG", "SET", "busy-reply-threshold", "100") == "OK"
    s = "local i = 0 while true do i = i + 1 end"
    c.send("EVAL", s, 0)
    other = Conn(server.port)
    time.sleep(0.3)
    busy = err("BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
    assert wait_for(lambda: other("PING") == busy)
    assert other("SCRIPT", "KILL") == "OK"
    assert c.read() == err("ERR Script killed by user with SCRIPT KILL..." + suffix(s))
    assert other("PING") == "PONG"
    assert c("PING") == "PONG"


def test_busy_script_that_wrote_is_unkillable(server):
    c = Conn(server.port)
    assert c("CONFIG", "SET", "busy-reply-threshold", "50") == "OK"
    s = "redis.call('set','w','1') local t = redis.call('time')[1] while redis.call('time')[1] - t < 1 do end return 7"
    c.send("EVAL", s, 0)
    other = Conn(server.port)
    busy = err("BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
    assert wait_for(lambda: other("GET", "w") == busy)
    assert other("SCRIPT", "KILL") == err(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. "
        "You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
    assert c.read() == 7
    assert other("GET", "w") == b"1"


def test_monitor_shows_script_commands(server):
    m = Conn(server.port)
    assert m("MONITOR") == "OK"
    c = Conn(server.port)
    ev(c, "return redis.call('set','mk','v')", 0)
    first = m.read()
    second = m.read()
    assert first.endswith('"EVAL" "return redis.call(\'set\',\'mk\',\'v\')" "0"')
    assert second.endswith('[0 lua] "set" "mk" "v"')


def test_effects_replicated_as_multi_exec(start_server):
    primary = start_server()
    replica = start_server()
    rc = Conn(replica.port)
    res = rc("REPLICAOF", "127.0.0.1", primary.port)
    if res != "OK":
        pytest.skip("replication not available: %r" % (res,))
    pc = Conn(primary.port)
    assert wait_for(lambda: b"master_link_status:up" in rc("INFO", "replication"), timeout=10)
    assert ev(pc, "redis.call('set','a','1'); redis.call('incr','a'); return redis.call('lpush','L',math.random())", 0) == 1
    assert wait_for(lambda: rc("GET", "a") == b"2")
    assert rc("LLEN", "L") == 1
    assert rc("LRANGE", "L", 0, -1) == pc("LRANGE", "L", 0, -1)


LIB_Z = ("#!lua name=z\n"
         "redis.register_function{function_name='g', callback=function(keys, args) "
         "return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}, description='desc'}\n"
         "redis.register_function('h', function(keys, args) return {keys[1], args[1]} end)")


def test_function_load_errors(c):
    assert c("FUNCTION", "LOAD", "return 1") == err("ERR Missing library metadata")
    assert c("FUNCTION", "LOAD", "#!lua\nreturn 1") == err("ERR Library name was not given")
    assert c("FUNCTION", "LOAD", "#!lua name=my-lib\nreturn 1") == err(
        "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
    assert c("FUNCTION", "LOAD", "#!foo name=x\nreturn 1") == err("ERR Engine 'foo' not found")
    assert c("FUNCTION", "LOAD", "#!lua name=x foo=bar\nreturn 1") == err("ERR Invalid metadata value given: foo=bar")
    assert c("FUNCTION", "LOAD", "#!lua name=x\nreturn 1") == err("ERR No functions registered")
    body = "#!lua name=x\nredis.register_function('f', function(keys, args) return redis.call('ping') end)"
    assert c("FUNCTION", "LOAD", body) == b"x"
    assert c("FUNCTION", "LOAD", body) == err("ERR Library 'x' already exists")
    assert c("FUNCTION", "LOAD", body.replace("name=x", "name=y")) == err("ERR Function f already exists")
    assert c("FUNCTION", "LOAD", "#!lua name=z\nredis.register_function{function_name='g', callback=function() end, flags={'bad'}}") == \
        err("ERR Error registering functions: ERR unknown flag given")
    assert c("FUNCTION", "LOAD", "#!lua name=z\nredis.call('ping')") == err(
        "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'")
    assert c("FCALL", "f", 0) == "PONG"


def test_fcall_and_function_management(c):
    assert c("FUNCTION", "LOAD", LIB_Z) == b"z"
    assert c("FCALL", "g", 1, "k", "v") == err("ERR Write commands are not allowed from read-only scripts. script: g, on @user_function:2.")
    assert c("FCALL", "h", 1, "k", "v") == [b"k", b"v"]
    assert c("FCALL_RO", "h", 1, "k", "v") == err("ERR Can not execute a script with write flag using *_ro command.")
    assert c("FCALL", "nosuch", 0) == err("ERR Function not found")
    assert c("FCALL", "h", "x") == err("ERR Bad number of keys provided")
    assert c("FCALL", "h", 2, "k") == err("ERR Number of keys can't be greater than number of args")
    assert c("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "z") == [[
        b"library_name", b"z", b"engine", b"LUA", b"functions",
        [[b"name", b"g", b"description", b"desc", b"flags", ["no-writes"]],
         [b"name", b"h", b"description", None, b"flags", []]],
        b"library_code", LIB_Z.encode()]]
    assert c("FUNCTION", "LIST", "LIBRARYNAME") == err("ERR library name argument was not given")
    assert c("FUNCTION", "LIST", "foo") == err("ERR Unknown argument foo")
    assert c("FUNCTION", "STATS") == [b"running_script", None, b"engines", [b"LUA", [b"libraries_count", 1, b"functions_count", 2]]]
    assert c("FUNCTION", "KILL") == err("NOTBUSY No scripts in execution right now.")
    assert c("FUNCTION", "FLUSH", "foo") == err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    assert c("FUNCTION", "DELETE", "nosuch") == err("ERR Library not found")
    new = LIB_Z.replace("return {keys[1], args[1]}", "return 42")
    assert c("FUNCTION", "LOAD", "REPLACE", new) == b"z"
    assert c("FCALL", "h", 0) == 42
    assert c("FUNCTION", "DELETE", "z") == "OK"
    assert c("FCALL", "h", 0) == err("ERR Function not found")
    c("FUNCTION", "LOAD", LIB_Z)
    assert c("FUNCTION", "FLUSH") == "OK"
    assert c("FUNCTION", "LIST") == []
