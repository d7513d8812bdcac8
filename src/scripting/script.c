/* script: sandboxed Lua states, the server.* library, RESP<->Lua conversion
 * and the run loop shared by EVAL and FCALL. Commands called from Lua run on
 * one fake client (CLIENT_SCRIPT) through call(), so their effects are
 * propagated by the core as one execution unit. */
#include "scripting/script.h"
#include "protocol/resp_reader.h"
#include "ds/sha1.h"
#include <lua5.1/lauxlib.h>
#include <lua5.1/lualib.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define SCRIPT_HOOK_INSTRUCTIONS 100000
#define SCRIPT_REPLY_MAX_DEPTH 1000

int rdbWritesRefused(void);
int performEvictions(void);

const scriptFlagName scriptFlagNames[] = {
    {SCRIPT_FLAG_NO_WRITES, "no-writes"},
    {SCRIPT_FLAG_ALLOW_OOM, "allow-oom"},
    {SCRIPT_FLAG_ALLOW_STALE, "allow-stale"},
    {SCRIPT_FLAG_NO_CLUSTER, "no-cluster"},
    {SCRIPT_FLAG_ALLOW_CROSS_SLOT, "allow-cross-slot-keys"},
    {0, NULL}};

static scriptRunCtx *current_run;
static void scriptHook(lua_State *L, lua_Debug *ar);
static client *script_client;

scriptRunCtx *scriptCurrentRun(void) { return current_run; }
int scriptIsTimedout(void) { return current_run && current_run->timedout; }
int scriptTimedoutIsFunction(void) { return current_run && current_run->is_function; }

/* ---------- errors ---------- */

/* "-CODE rest" keeps CODE; a text without the dash gets the generic ERR code.
 * Trailing CR/LF never reach the Lua side. */
void scriptPushError(lua_State *L, const char *msg) {
    bstr text;
    if (msg[0] == '-') {
        const char *sp = strchr(msg, ' ');
        if (sp) text = bstrCatLen(bstrNewLen(msg + 1, (size_t)(sp - msg - 1)), sp, strlen(sp));
        else text = bstrCatPrintf(bstrEmpty(), "ERR %s", msg + 1);
    } else {
        text = bstrCatPrintf(bstrEmpty(), "ERR %s", msg);
    }
    size_t len = bstrLen(text);
    while (len && (text[len - 1] == '\r' || text[len - 1] == '\n')) len--;
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushlstring(L, text, len);
    lua_settable(L, -3);
    bstrFree(text);
}

static int scriptRaise(lua_State *L, const char *msg) {
    scriptPushError(L, msg);
    return lua_error(L);
}

/* The message handler of every script pcall: errors become {err=...} tables
 * that remember where in the user code they were raised (a C function such as
 * error() or server.call() is skipped in favour of its Lua caller). */
static int scriptErrorHandler(lua_State *L) {
    lua_Debug ar;
    int have = 0;
    if (lua_getstack(L, 1, &ar)) {
        lua_getinfo(L, "Sl", &ar);
        have = 1;
        if (!strcmp(ar.what, "C")) have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar);
    }
    if (!lua_istable(L, 1)) {
        const char *m = lua_tostring(L, 1);
        bstr s = bstrCatPrintf(bstrEmpty(), "ERR %s", m ? m : "(error object is not a string)");
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushlstring(L, s, bstrLen(s));
        lua_settable(L, -3);
        bstrFree(s);
    } else {
        lua_pushvalue(L, 1);
    }
    if (have && ar.currentline > 0) {
        lua_pushstring(L, "source");
        lua_pushstring(L, ar.source);
        lua_settable(L, -3);
        lua_pushstring(L, "line");
        lua_pushinteger(L, ar.currentline);
        lua_settable(L, -3);
    }
    return 1;
}

void scriptPushErrorHandler(lua_State *L) { lua_pushcfunction(L, scriptErrorHandler); }

static const char *tableStringField(lua_State *L, int idx, const char *field, size_t *len) {
    lua_getfield(L, idx, field);
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : NULL;
    lua_pop(L, 1);   /* the string stays alive: the table still references it */
    return s;
}

bstr scriptErrorText(lua_State *L, const char *name) {
    int idx = lua_gettop(L);
    if (!lua_istable(L, idx)) {
        const char *m = lua_tostring(L, idx);
        return bstrCatPrintf(bstrEmpty(), "ERR %s", m ? m : "unknown error");
    }
    size_t len = 0;
    const char *err = tableStringField(L, idx, "err", &len);
    const char *source = tableStringField(L, idx, "source", NULL);
    lua_getfield(L, idx, "line");
    int line = lua_isnumber(L, -1) ? (int)lua_tointeger(L, -1) : -1;
    lua_pop(L, 1);
    bstr out = err ? bstrNewLen(err, len) : bstrNew("ERR unknown error");
    if (source && line >= 0) out = bstrCatPrintf(out, " script: %s, on %s:%d.", name, source, line);
    return out;
}

/* An error reply exactly as given: no ERR code is added, so {err="x"} is "-x". */
static void addScriptErrorReply(client *c, const char *s, size_t len) {
    bstr out = bstrCatLen(bstrNewLen("-", 1), s, len);
    for (size_t i = 1; i < bstrLen(out); i++)
        if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
    out = bstrCatLen(out, "\r\n", 2);
    addReplyProto(c, out, bstrLen(out));
    afterErrorReply(c, out + 1, bstrLen(out) - 3);
    bstrFree(out);
}

/* ---------- RESP -> Lua ---------- */
static void pushRespValue(lua_State *L, respValue *v, int resp);

static void pushTaggedTable(lua_State *L, const char *tag) {
    lua_newtable(L);
    lua_pushstring(L, tag);
}

static void pushRespAggregate(lua_State *L, respValue *v, int resp) {
    if (v->type == RESP_T_MAP) {
        pushTaggedTable(L, "map");
        lua_newtable(L);
        for (size_t i = 0; i + 1 < v->elements; i += 2) {
            pushRespValue(L, v->element[i], resp);
            pushRespValue(L, v->element[i + 1], resp);
            lua_settable(L, -3);
        }
        lua_settable(L, -3);
    } else if (v->type == RESP_T_SET) {
        pushTaggedTable(L, "set");
        lua_newtable(L);
        for (size_t i = 0; i < v->elements; i++) {
            pushRespValue(L, v->element[i], resp);
            lua_pushboolean(L, 1);
            lua_settable(L, -3);
        }
        lua_settable(L, -3);
    } else {
        lua_newtable(L);
        for (size_t i = 0; i < v->elements; i++) {
            pushRespValue(L, v->element[i], resp);
            lua_rawseti(L, -2, (int)i + 1);
        }
    }
}

static void pushRespValue(lua_State *L, respValue *v, int resp) {
    if (!lua_checkstack(L, 4)) serverPanic("lua stack limit reached while converting a reply");
    switch (v->type) {
    case RESP_T_INTEGER: lua_pushnumber(L, (lua_Number)v->integer); break;
    case RESP_T_STRING: lua_pushlstring(L, v->str, v->len); break;
    case RESP_T_NIL:
        if (resp == 2) lua_pushboolean(L, 0);
        else lua_pushnil(L);
        break;
    case RESP_T_STATUS:
        pushTaggedTable(L, "ok");
        lua_pushlstring(L, v->str, v->len);
        lua_settable(L, -3);
        break;
    case RESP_T_ERROR: {
        bstr e = bstrCatLen(bstrNewLen("-", 1), v->str, v->len);
        scriptPushError(L, e);
        bstrFree(e);
        break;
    }
    case RESP_T_BOOL: lua_pushboolean(L, v->integer != 0); break;
    case RESP_T_DOUBLE:
        pushTaggedTable(L, "double");
        lua_pushnumber(L, v->dval);
        lua_settable(L, -3);
        break;
    case RESP_T_BIGNUM:
        pushTaggedTable(L, "big_number");
        lua_pushlstring(L, v->str, v->len);
        lua_settable(L, -3);
        break;
    case RESP_T_VERB:
        pushTaggedTable(L, "verbatim_string");
        lua_newtable(L);
        lua_pushstring(L, "format");
        lua_pushstring(L, v->vformat);
        lua_settable(L, -3);
        lua_pushstring(L, "string");
        lua_pushlstring(L, v->str, v->len);
        lua_settable(L, -3);
        lua_settable(L, -3);
        break;
    default: pushRespAggregate(L, v, resp); break;
    }
}

/* ---------- Lua -> RESP ---------- */
static void replyLuaValue(client *c, lua_State *L, int resp, int depth);

static int replyTaggedTable(client *c, lua_State *L, int resp, int depth) {
    int t = lua_gettop(L);
    size_t len;
    const char *s;
    if ((s = tableStringField(L, t, "err", &len))) {
        addScriptErrorReply(c, s, len);
        return 1;
    }
    if ((s = tableStringField(L, t, "ok", &len))) {
        bstr st = bstrNewLen(s, len);
        for (size_t i = 0; i < len; i++) if (st[i] == '\r' || st[i] == '\n') st[i] = ' ';
        addReplyStatusLength(c, st, len);
        bstrFree(st);
        return 1;
    }
    lua_getfield(L, t, "double");
    if (lua_type(L, -1) == LUA_TNUMBER) {
        addReplyDouble(c, lua_tonumber(L, -1));
        lua_pop(L, 1);
        return 1;
    }
    lua_pop(L, 1);
    if ((s = tableStringField(L, t, "big_number", &len))) {
        addReplyBigNum(c, s, len);
        return 1;
    }
    lua_getfield(L, t, "map");
    if (lua_istable(L, -1)) {
        void *slot = addReplyDeferredLen(c);
        long n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            replyLuaValue(c, L, resp, depth + 1);   /* key (copy popped) */
            replyLuaValue(c, L, resp, depth + 1);   /* value popped */
            n++;
        }
        setDeferredMapLen(c, slot, n);
        lua_pop(L, 1);
        return 1;
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "set");
    if (lua_istable(L, -1)) {
        void *slot = addReplyDeferredLen(c);
        long n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            replyLuaValue(c, L, resp, depth + 1);
            n++;
        }
        setDeferredSetLen(c, slot, n);
        lua_pop(L, 1);
        return 1;
    }
    lua_pop(L, 1);
    return 0;
}

/* Pops the value on top of L and appends its RESP form to c. */
static void replyLuaValue(client *c, lua_State *L, int resp, int depth) {
    if (!lua_checkstack(L, 4) || depth > SCRIPT_REPLY_MAX_DEPTH) {
        addReplyError(c, "ERR reached lua stack limit");
        lua_pop(L, 1);
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        addReplyBulkCBuffer(c, s, len);
        break;
    }
    case LUA_TBOOLEAN:
        if (resp == 2) {
            if (lua_toboolean(L, -1)) addReply(c, shared.cone);
            else addReplyNull(c);
        } else {
            addReplyBool(c, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER: addReplyLongLong(c, (long long)lua_tonumber(L, -1)); break;
    case LUA_TTABLE:
        if (!replyTaggedTable(c, L, resp, depth)) {
            void *slot = addReplyDeferredLen(c);
            long n = 0;
            for (;;) {
                lua_rawgeti(L, -1, (int)n + 1);
                if (lua_isnil(L, -1)) {
                    lua_pop(L, 1);
                    break;
                }
                replyLuaValue(c, L, resp, depth + 1);
                n++;
            }
            setDeferredArrayLen(c, slot, n);
        }
        break;
    default: addReplyNull(c); break;
    }
    lua_pop(L, 1);
}

/* ---------- server.call ---------- */

/* Shortest decimal form that reads back as the same double. */
static int formatLuaNumber(char *buf, size_t len, lua_Number n) {
    if (n == (lua_Number)(long long)n && fabs(n) < 1e17) return ll2string(buf, len, (long long)n);
    for (int prec = 15; prec <= 17; prec++) {
        int l = snprintf(buf, len, "%.*g", prec, (double)n);
        if (strtod(buf, NULL) == (double)n || prec == 17) return l;
    }
    return 0;
}

static obj **argvFromLua(lua_State *L, int argc) {
    obj **argv = zmalloc(sizeof(obj *) * (size_t)argc);
    for (int j = 0; j < argc; j++) {
        int t = lua_type(L, j + 1);
        if (t == LUA_TNUMBER) {
            char buf[64];
            int l = formatLuaNumber(buf, sizeof(buf), lua_tonumber(L, j + 1));
            argv[j] = createStringObject(buf, (size_t)l);
        } else if (t == LUA_TSTRING) {
            size_t l;
            const char *s = lua_tolstring(L, j + 1, &l);
            argv[j] = createStringObject(s, l);
        } else {
            for (int k = 0; k < j; k++) decrRefCount(argv[k]);
            zfree(argv);
            return NULL;
        }
    }
    return argv;
}

static void freeArgv(obj **argv, int argc) {
    for (int j = 0; j < argc; j++) decrRefCount(argv[j]);
    zfree(argv);
}

/* Refusals that come before a command runs; NULL when it may run. */
static const char *scriptCommandRefusal(scriptRunCtx *r, serverCommand *cmd) {
    if (cmd->flags & CMD_NOSCRIPT) return "This Redis command is not allowed from script";
    if (cmd->flags & CMD_WRITE) {
        if (r->ro || (r->flags & SCRIPT_FLAG_NO_WRITES)) return "-ERR Write commands are not allowed from read-only scripts.";
        if (server.primary_host && server.repl_replica_ro && !mustObeyClient(r->caller))
            return "-READONLY You can't write against a read only replica.";
        if (!server.primary_host && rdbWritesRefused()) return objPtr(shared.bgsaveerr);
        if (!server.primary_host && server.repl_min_replicas_to_write &&
            server.repl_good_replicas_count < server.repl_min_replicas_to_write)
            return "-NOREPLICAS Not enough good replicas to write.";
    }
    if ((cmd->flags & CMD_DENYOOM) && server.maxmemory && !r->wrote && !(r->flags & SCRIPT_FLAG_ALLOW_OOM) &&
        !mustObeyClient(r->caller) && performEvictions() == -1)
        return "-OOM command not allowed when used memory > 'maxmemory'.";
    return NULL;
}

/* Moves the fake client's reply bytes out and leaves its buffers empty. */
static bstr takeClientReply(client *c) {
    bstr out = bstrNewLen(c->buf, c->bufpos);
    c->bufpos = 0;
    listIter li;
    listNode *ln;
    listRewind(c->reply, &li);
    while ((ln = listNext(&li))) {
        replyBlock *b = ln->value;
        out = bstrCatLen(out, b->buf, b->used);
        zfree(b);
    }
    listEmpty(c->reply);
    c->reply_bytes = 0;
    return out;
}

/* Parses the reply and pushes it; returns 1 if it was an error. */
static int pushCommandReply(lua_State *L, bstr reply, int resp) {
    respReader *rd = respReaderCreate();
    respReaderSetMaxBulk(rd, (long long)bstrLen(reply) + 1);
    respReaderFeed(rd, reply, bstrLen(reply));
    respValue *v = NULL;
    int is_err = 0;
    if (respReaderGetReply(rd, &v) == 1 && v) {
        is_err = v->type == RESP_T_ERROR;
        pushRespValue(L, v, resp);
        respValueFree(v);
    } else {
        lua_pushboolean(L, 0);
    }
    respReaderFree(rd);
    return is_err;
}

static int scriptCallGeneric(lua_State *L, int raise) {
    scriptRunCtx *r = current_run;
    int argc = lua_gettop(L);
    /* Outside a run (FUNCTION LOAD) server.call does not exist, as in Valkey. */
    if (!r) return luaL_error(L, "Script attempted to access nonexistent global variable 'call'");
    if (argc == 0) return scriptRaise(L, "Please specify at least one argument for this call");
    scriptHook(L, NULL);   /* a script made of commands may run few Lua instructions */
    obj **argv = argvFromLua(L, argc);
    if (!argv) return scriptRaise(L, "Command arguments must be strings or integers");
    client *c = r->sclient;
    const char *refusal = NULL;
    serverCommand *cmd = lookupCommand(argv, argc);
    if (!cmd) refusal = "Unknown command called from script";
    else if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity)
        refusal = "Wrong number of args calling command from script";
    /* ACLs apply to the caller's user, after NOSCRIPT and before the write checks, as in Valkey. */
    bstr acl_err = NULL, acl_msg = NULL;
    if (!refusal && !(cmd->flags & CMD_NOSCRIPT) && r->caller &&
        !aclCheckCommandPerm(r->caller, cmd, argv, argc, 1, &acl_msg)) {
        acl_err = bstrCatPrintf(bstrEmpty(), "-ERR ACL failure in script: %s", acl_msg);
        bstrFree(acl_msg);
        refusal = acl_err;
    }
    if (!refusal) refusal = scriptCommandRefusal(r, cmd);
    if (refusal) {
        freeArgv(argv, argc);
        scriptPushError(L, refusal);
        bstrFree(acl_err);
        return raise ? lua_error(L) : 1;
    }
    c->argv = argv;
    c->argc = c->argv_len = argc;
    c->cmd = c->lastcmd = c->realcmd = cmd;
    long long dirty = server.dirty;
    call(c, r->repl_flags ? CMD_CALL_FULL : CMD_CALL_NONE);
    if (server.dirty != dirty) r->wrote = 1;
    /* The command may have rewritten its vector (c->argv) for propagation. */
    freeArgv(c->argv, c->argc);
    c->argv = NULL;
    c->argc = c->argv_len = 0;
    c->cmd = NULL;
    bstr reply = takeClientReply(c);
    lua_settop(L, 0);
    int is_err = pushCommandReply(L, reply, c->resp);
    bstrFree(reply);
    if (is_err && raise) return lua_error(L);
    return 1;
}

static int luaServerCall(lua_State *L) { return scriptCallGeneric(L, 1); }
static int luaServerPcall(lua_State *L) { return scriptCallGeneric(L, 0); }

/* ---------- the rest of the server.* library ---------- */
static int luaSha1hex(lua_State *L) {
    if (lua_gettop(L) != 1) return scriptRaise(L, "wrong number of arguments");
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    unsigned char digest[SHA1_DIGEST_LEN];
    char hex[41];
    sha1Digest(s ? s : "", s ? len : 0, digest);
    sha1Hex(digest, hex);
    lua_pushstring(L, hex);
    return 1;
}

static int luaTaggedReply(lua_State *L, const char *tag) {
    if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
        scriptPushError(L, "wrong number or type of arguments");
        return 1;
    }
    if (!strcmp(tag, "err")) {
        const char *m = lua_tostring(L, 1);
        bstr e = m[0] == '-' ? bstrNew(m) : bstrCatPrintf(bstrNewLen("-", 1), "%s", m);
        scriptPushError(L, e);
        bstrFree(e);
        return 1;
    }
    lua_newtable(L);
    lua_pushstring(L, tag);
    lua_pushvalue(L, 1);
    lua_settable(L, -3);
    return 1;
}
static int luaErrorReply(lua_State *L) { return luaTaggedReply(L, "err"); }
static int luaStatusReply(lua_State *L) { return luaTaggedReply(L, "ok"); }

static int luaLog(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc < 2) return scriptRaise(L, "server.log() requires two arguments or more.");
    if (!lua_isnumber(L, 1)) return scriptRaise(L, "First argument must be a number (log level).");
    int level = (int)lua_tonumber(L, 1);
    if (level < LL_DEBUG || level > LL_WARNING) return scriptRaise(L, "Invalid debug level.");
    if (level < server.verbosity) return 0;
    bstr msg = bstrEmpty();
    for (int j = 2; j <= argc; j++) {
        size_t len;
        const char *s = lua_tolstring(L, j, &len);
        if (!s) continue;
        if (j != 2) msg = bstrCatLen(msg, " ", 1);
        msg = bstrCatLen(msg, s, len);
    }
    serverLogRaw(level, msg);
    bstrFree(msg);
    return 0;
}

static int luaSetResp(lua_State *L) {
    if (lua_gettop(L) != 1) return scriptRaise(L, "server.setresp() requires one argument.");
    int resp = (int)lua_tonumber(L, 1);
    if (resp != 2 && resp != 3) return scriptRaise(L, "RESP version must be 2 or 3.");
    if (current_run) current_run->sclient->resp = resp;
    return 0;
}

static int luaReplicateCommands(lua_State *L) {
    lua_pushboolean(L, 1);
    return 1;
}

static int luaSetRepl(lua_State *L) {
    if (!current_run) return luaL_error(L, "server.set_repl is only available while a script runs");
    if (lua_gettop(L) != 1) return scriptRaise(L, "server.set_repl() requires one argument.");
    int flags = (int)lua_tonumber(L, 1);
    if (flags & ~(PROPAGATE_AOF | PROPAGATE_REPL))
        return scriptRaise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    current_run->repl_flags = flags;
    return 0;
}

static int luaBreakpoint(lua_State *L) {
    lua_pushboolean(L, 0);
    return 1;
}
static int luaDebug(lua_State *L) { return 0; }

static int luaAclCheckCmd(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc == 0) return scriptRaise(L, "Please specify at least one argument for this call");
    scriptHook(L, NULL);   /* a script made of commands may run few Lua instructions */
    obj **argv = argvFromLua(L, argc);
    if (!argv) return scriptRaise(L, "Command arguments must be strings or integers");
    serverCommand *cmd = lookupCommand(argv, argc);
    freeArgv(argv, argc);
    if (!cmd) return scriptRaise(L, "Invalid command passed to server.acl_check_cmd()");
    lua_pushboolean(L, 1);   /* no ACL users yet: the default user may run everything */
    return 1;
}

/* ---------- sandbox ---------- */
static int readonlyNewindex(lua_State *L) { return luaL_error(L, "Attempt to modify a readonly table"); }

static int globalsIndex(lua_State *L) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1)) return 1;
    const char *name = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

/* Replaces the table at idx by an empty proxy that reads through to it and
 * refuses writes; returns with the proxy on top. */
static void pushReadonlyProxy(lua_State *L, int idx, lua_CFunction index_fn) {
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    lua_newtable(L);
    lua_newtable(L);   /* metatable */
    lua_pushstring(L, "__index");
    if (index_fn) {
        lua_pushvalue(L, idx);
        lua_pushcclosure(L, index_fn, 1);
    } else {
        lua_pushvalue(L, idx);
    }
    lua_rawset(L, -3);
    lua_pushstring(L, "__newindex");
    lua_pushcfunction(L, readonlyNewindex);
    lua_rawset(L, -3);
    lua_pushstring(L, "__metatable");
    lua_pushboolean(L, 0);
    lua_rawset(L, -3);
    lua_setmetatable(L, -2);
}

static int luaLoadstring(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *chunkname = luaL_optstring(L, 2, s);
    if (len && s[0] == LUA_SIGNATURE[0]) {
        lua_pushnil(L);
        lua_pushstring(L, "loadstring: binary chunks are not allowed");
        return 2;
    }
    if (luaL_loadbuffer(L, s, len, chunkname) != 0) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    return 1;
}

static void openLib(lua_State *L, lua_CFunction fn, const char *name) {
    lua_pushcfunction(L, fn);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
}

static void setGlobalNil(lua_State *L, const char *name) {
    lua_pushnil(L);
    lua_setglobal(L, name);
}

/* Wraps the global library `name` into a read-only proxy. */
static void protectGlobalTable(lua_State *L, const char *name) {
    lua_getglobal(L, name);
    pushReadonlyProxy(L, -1, NULL);
    lua_setglobal(L, name);
    lua_pop(L, 1);
}

static void setFn(lua_State *L, const char *name, lua_CFunction fn) {
    lua_pushstring(L, name);
    lua_pushcfunction(L, fn);
    lua_rawset(L, -3);
}
static void setNum(lua_State *L, const char *name, lua_Number n) {
    lua_pushstring(L, name);
    lua_pushnumber(L, n);
    lua_rawset(L, -3);
}
static void setStr(lua_State *L, const char *name, const char *s) {
    lua_pushstring(L, name);
    lua_pushstring(L, s);
    lua_rawset(L, -3);
}

int luaRegisterFunction(lua_State *L);   /* scripting/function.c */

static void createServerTable(lua_State *L, int for_functions) {
    lua_newtable(L);
    setFn(L, "call", luaServerCall);
    setFn(L, "pcall", luaServerPcall);
    setFn(L, "sha1hex", luaSha1hex);
    setFn(L, "error_reply", luaErrorReply);
    setFn(L, "status_reply", luaStatusReply);
    setFn(L, "log", luaLog);
    setFn(L, "setresp", luaSetResp);
    setFn(L, "replicate_commands", luaReplicateCommands);
    setFn(L, "set_repl", luaSetRepl);
    setFn(L, "breakpoint", luaBreakpoint);
    setFn(L, "debug", luaDebug);
    setFn(L, "acl_check_cmd", luaAclCheckCmd);
    if (for_functions) setFn(L, "register_function", luaRegisterFunction);
    setNum(L, "LOG_DEBUG", LL_DEBUG);
    setNum(L, "LOG_VERBOSE", LL_VERBOSE);
    setNum(L, "LOG_NOTICE", LL_NOTICE);
    setNum(L, "LOG_WARNING", LL_WARNING);
    setNum(L, "REPL_NONE", 0);
    setNum(L, "REPL_AOF", PROPAGATE_AOF);
    setNum(L, "REPL_SLAVE", PROPAGATE_REPL);
    setNum(L, "REPL_REPLICA", PROPAGATE_REPL);
    setNum(L, "REPL_ALL", PROPAGATE_AOF | PROPAGATE_REPL);
    setStr(L, "REDIS_VERSION", "7.2.4");
    setNum(L, "REDIS_VERSION_NUM", 0x00070204);
    setStr(L, "SERVER_VERSION", VALKEY_VERSION);
    setNum(L, "SERVER_VERSION_NUM", VALKEY_VERSION_NUM);
    setStr(L, "SERVER_NAME", SERVER_NAME_STR);
    pushReadonlyProxy(L, -1, NULL);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "server");
    lua_setglobal(L, "redis");
    lua_pop(L, 1);
}

void scriptOpenExtraLibs(lua_State *L); /* lua_libs.c */

/* The registry keeps the real globals table so KEYS/ARGV can be set past the guard. */
#define SCRIPT_REG_GLOBALS "__script_globals"

lua_State *scriptLuaCreate(int for_functions) {
    lua_State *L = luaL_newstate();
    openLib(L, luaopen_base, "");
    openLib(L, luaopen_table, LUA_TABLIBNAME);
    openLib(L, luaopen_string, LUA_STRLIBNAME);
    openLib(L, luaopen_math, LUA_MATHLIBNAME);
    openLib(L, luaopen_os, LUA_OSLIBNAME);
    /* os: only the CPU clock survives. */
    lua_getglobal(L, "os");
    lua_getfield(L, -1, "clock");
    lua_newtable(L);
    lua_pushstring(L, "clock");
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_setglobal(L, "os");
    lua_pop(L, 2);
    static const char *removed[] = {"dofile", "loadfile", "print", "setfenv", "getfenv", "newproxy", "module", "require", NULL};
    for (int i = 0; removed[i]; i++) setGlobalNil(L, removed[i]);
    lua_pushcfunction(L, luaLoadstring);
    lua_setglobal(L, "loadstring");
    if (for_functions) setGlobalNil(L, "loadstring");
    createServerTable(L, for_functions);
    scriptOpenExtraLibs(L);
    static const char *libs[] = {"table", "string", "math", "os", "coroutine", "cjson", "cmsgpack", "struct", "bit", NULL};
    for (int i = 0; libs[i]; i++) protectGlobalTable(L, libs[i]);
    /* Swap the globals for a guarded proxy: reads of unknown names and all
     * writes raise, as in Valkey. */
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    pushReadonlyProxy(L, -1, globalsIndex);
    lua_pushstring(L, "_G");
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_pushstring(L, SCRIPT_REG_GLOBALS);
    lua_pushvalue(L, -3);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_replace(L, LUA_GLOBALSINDEX);
    lua_pop(L, 1);
    return L;
}

void scriptLuaSetGlobal(lua_State *L, const char *name) {
    lua_pushstring(L, SCRIPT_REG_GLOBALS);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushstring(L, name);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

/* ---------- running ---------- */
static void scriptHook(lua_State *L, lua_Debug *ar) {
    scriptRunCtx *r = current_run;
    if (!r) return;
    mstime_t elapsed = mstime_now() - r->start;
    if (!r->timedout && server.busy_reply_threshold > 0 && elapsed >= server.busy_reply_threshold) {
        r->timedout = 1;
        serverLog(LL_WARNING, "Slow script detected: still in execution after %lld milliseconds. "
                              "You can try killing the script using the %s command. Script name is: %s.",
                  elapsed, r->is_function ? "FUNCTION KILL" : "SCRIPT KILL", r->name);
        protectClient(r->caller);
    }
    if (r->timedout) processEventsWhileBlocked();
    if (r->killed) {
        /* Keep raising at every line so a pcall in the script cannot swallow it. */
        lua_sethook(L, scriptHook, LUA_MASKLINE, 0);
        scriptRaise(L, "Script killed by user with SCRIPT KILL...");
    }
}

static client *scriptClient(void) {
    if (!script_client) {
        script_client = createClient(-1);
        script_client->flags |= CLIENT_SCRIPT;
    }
    return script_client;
}

void scriptRun(scriptRunCtx *r, lua_State *L, int nargs) {
    int fidx = lua_gettop(L) - nargs;
    scriptPushErrorHandler(L);
    lua_insert(L, fidx);
    r->sclient = scriptClient();
    r->sclient->resp = 2;
    r->sclient->db = r->caller->db;
    r->start = mstime_now();
    r->repl_flags = PROPAGATE_AOF | PROPAGATE_REPL;
    current_run = r;
    server.in_script = 1;
    lua_sethook(L, scriptHook, LUA_MASKCOUNT, SCRIPT_HOOK_INSTRUCTIONS);
    int status = lua_pcall(L, nargs, 1, fidx);
    lua_sethook(L, NULL, 0, 0);
    server.in_script = 0;
    current_run = NULL;
    if (r->timedout) unprotectClient(r->caller);
    if (status != 0) {
        bstr e = scriptErrorText(L, r->name);
        addScriptErrorReply(r->caller, e, bstrLen(e));
        bstrFree(e);
        lua_pop(L, 1);
    } else {
        replyLuaValue(r->caller, L, r->sclient->resp, 0);
    }
    lua_pop(L, 1);   /* the error handler */
    lua_gc(L, LUA_GCSTEP, 1);
}

void scriptKillCommandReply(client *c, int is_eval) {
    scriptRunCtx *r = current_run;
    if (!r) {
        addReplyError(c, "NOTBUSY No scripts in execution right now.");
    } else if (r->caller->flags & CLIENT_PRIMARY) {
        addReplyError(c, "UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.");
    } else if (r->wrote) {
        addReplyError(c, "UNKILLABLE Sorry the script already executed write commands against the dataset. "
                         "You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
    } else if (r->is_function == is_eval) {
        addReplyError(c, is_eval ? "NOTBUSY No scripts in execution right now." : "NOTBUSY No scripts in execution right now.");
    } else {
        r->killed = 1;
        addReply(c, shared.ok);
    }
}

int scriptParseFlagList(const char *s, size_t len, int *flags, bstr *bad) {
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != ',') j++;
        int found = 0;
        for (int k = 0; scriptFlagNames[k].name; k++) {
            if (strlen(scriptFlagNames[k].name) == j - i && !memcmp(scriptFlagNames[k].name, s + i, j - i)) {
                *flags |= scriptFlagNames[k].flag;
                found = 1;
            }
        }
        if (!found) {
            *bad = bstrNewLen(s + i, j - i);
            return -1;
        }
        i = j + 1;
    }
    return 0;
}

int scriptPrepareChecks(client *c, int flags, int ro) {
    if (flags & SCRIPT_FLAG_EVAL_COMPAT) return 0;
    if (!(flags & SCRIPT_FLAG_NO_WRITES)) {
        if (ro) {
            addReplyError(c, "ERR Can not execute a script with write flag using *_ro command.");
            return -1;
        }
        if (server.primary_host && server.repl_replica_ro && !mustObeyClient(c)) {
            addReplyError(c, "READONLY You can't write against a read only replica.");
            return -1;
        }
        if (!server.primary_host && rdbWritesRefused()) {
            addReplyErrorObject(c, shared.bgsaveerr);
            return -1;
        }
        if (!(flags & SCRIPT_FLAG_ALLOW_OOM) && server.maxmemory && !mustObeyClient(c) && performEvictions() == -1) {
            addReplyErrorObject(c, shared.oomerr);
            return -1;
        }
    }
    return 0;
}
