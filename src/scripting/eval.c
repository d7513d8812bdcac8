/* eval: EVAL/EVALSHA/EVAL_RO/EVALSHA_RO and SCRIPT. Scripts live in a cache
 * keyed by the SHA1 of their body; the compiled function sits in the Lua
 * registry under the same sha, so the cache and the state always agree
 * (SCRIPT FLUSH drops both by recreating the state). */
#include "scripting/script.h"
#include "ds/sha1.h"
#include <lua5.1/lauxlib.h>
#include <ctype.h>
#include <string.h>

typedef struct evalScript {
    bstr body;
    int flags;
} evalScript;

static void evalScriptFree(void *p) {
    evalScript *s = p;
    bstrFree(s->body);
    zfree(s);
}

static htType evalCacheType = {htBstrHash, htBstrEqual, htBstrFree, evalScriptFree};
static hashtable *eval_cache;
static lua_State *eval_lua;
static size_t eval_cache_bytes;

static void evalInit(void) {
    if (eval_lua) return;
    eval_lua = scriptLuaCreate(0);
    eval_cache = htCreate(&evalCacheType);
    eval_cache_bytes = 0;
}

static void evalReset(void) {
    if (!eval_lua) return;
    lua_close(eval_lua);
    htRelease(eval_cache);
    eval_lua = NULL;
    eval_cache = NULL;
    evalInit();
}

size_t evalScriptsCount(void) { return eval_cache ? htSize(eval_cache) : 0; }
size_t evalScriptsMemory(void) { return eval_cache_bytes; }
size_t evalLuaMemory(void) { return eval_lua ? (size_t)lua_gc(eval_lua, LUA_GCCOUNT, 0) * 1024 : 0; }

/* The cache is keyed by bstr: plain C strings need a bstr view for lookups. */
static evalScript *evalLookup(const char *sha) {
    bstr k = bstrNewLen(sha, 40);
    evalScript *s = htFetchValue(eval_cache, k);
    bstrFree(k);
    return s;
}

static void shaOfBody(const char *body, size_t len, char out[41]) {
    unsigned char digest[SHA1_DIGEST_LEN];
    sha1Digest(body, len, digest);
    sha1Hex(digest, out);
}

/* Reads the "#!lua flags=a,b" first line. Replies and returns -1 on error;
 * *skip is how many bytes the shebang line takes. */
static int evalParseShebang(client *c, const char *body, size_t len, int *flags, size_t *skip) {
    *flags = SCRIPT_FLAG_EVAL_COMPAT;
    *skip = 0;
    if (len < 2 || body[0] != '#' || body[1] != '!') return 0;
    const char *nl = memchr(body, '\n', len);
    if (!nl) {
        addReplyError(c, "ERR Invalid script shebang");
        return -1;
    }
    *skip = (size_t)(nl - body);
    int argc = 0;
    bstr line = bstrNewLen(body, *skip);
    bstr *parts = bstrSplitLen(line, (ssize_t)bstrLen(line), " ", 1, &argc);
    bstrFree(line);
    int rc = 0;
    *flags = 0;
    int first = -1;
    for (int i = 0; i < argc; i++) if (bstrLen(parts[i])) { first = i; break; }
    if (first < 0 || strcmp(parts[first], "#!lua")) {
        addReplyErrorFormat(c, "ERR Unexpected engine in script shebang: %s", first < 0 ? "" : parts[first]);
        rc = -1;
    }
    for (int i = first + 1; rc == 0 && i < argc; i++) {
        if (!bstrLen(parts[i])) continue;
        if (!strncmp(parts[i], "flags=", 6)) {
            bstr bad = NULL;
            if (scriptParseFlagList(parts[i] + 6, bstrLen(parts[i]) - 6, flags, &bad) == -1) {
                addReplyErrorFormat(c, "ERR Unexpected flag in script shebang: %s", bad);
                bstrFree(bad);
                rc = -1;
            }
        } else {
            addReplyErrorFormat(c, "ERR Unknown lua shebang option: %s", parts[i]);
            rc = -1;
        }
    }
    for (int i = 0; i < argc; i++) bstrFree(parts[i]);
    zfree(parts);
    return rc;
}

/* Compiles and caches body. Returns the cache entry, or NULL after replying. */
static evalScript *evalCreateScript(client *c, const char *body, size_t len, const char *sha) {
    evalScript *s = evalLookup(sha);
    if (s) return s;
    int flags;
    size_t skip;
    if (evalParseShebang(c, body, len, &flags, &skip) == -1) return NULL;
    /* The shebang line becomes a comment so line numbers stay those of the body. */
    bstr code = bstrNewLen(body, len);
    if (skip) code[0] = code[1] = '-';
    if (luaL_loadbuffer(eval_lua, code, bstrLen(code), "@user_script") != 0) {
        addReplyErrorFormat(c, "ERR Error compiling script (new function): %s", lua_tostring(eval_lua, -1));
        lua_pop(eval_lua, 1);
        bstrFree(code);
        return NULL;
    }
    bstrFree(code);
    lua_pushstring(eval_lua, sha);
    lua_insert(eval_lua, -2);
    lua_rawset(eval_lua, LUA_REGISTRYINDEX);
    s = zmalloc(sizeof(*s));
    s->body = bstrNewLen(body, len);
    s->flags = flags;
    htAdd(eval_cache, bstrNew(sha), s);
    eval_cache_bytes += len + 40;
    return s;
}

static void pushArgsTable(lua_State *L, obj **argv, int n) {
    lua_createtable(L, n, 0);
    for (int j = 0; j < n; j++) {
        char buf[32];
        size_t len;
        const char *p = objStrPtr(argv[j], buf, sizeof(buf), &len);
        lua_pushlstring(L, p, len);
        lua_rawseti(L, -2, j + 1);
    }
}

static void evalGenericCommand(client *c, int evalsha, int ro) {
    long long numkeys;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &numkeys, NULL) != 0) return;
    if (numkeys > c->argc - 3) {
        addReplyError(c, "ERR Number of keys can't be greater than number of args");
        return;
    } else if (numkeys < 0) {
        addReplyError(c, "ERR Number of keys can't be negative");
        return;
    }
    evalInit();
    char sha[41];
    evalScript *s;
    if (evalsha) {
        const char *given = objPtr(c->argv[1]);
        if (!sdsEncodedObject(c->argv[1]) || bstrLen(objPtr(c->argv[1])) != 40) {
            addReplyErrorObject(c, shared.noscripterr);
            return;
        }
        for (int i = 0; i < 40; i++) sha[i] = (char)tolower((unsigned char)given[i]);
        sha[40] = '\0';
        s = evalLookup(sha);
        if (!s) {
            addReplyErrorObject(c, shared.noscripterr);
            return;
        }
    } else {
        char buf[32];
        size_t len;
        const char *body = objStrPtr(c->argv[1], buf, sizeof(buf), &len);
        shaOfBody(body, len, sha);
        if (!(s = evalCreateScript(c, body, len, sha))) return;
    }
    if (scriptPrepareChecks(c, s->flags, ro) == -1) return;
    /* EVAL is skip_monitor for the generic path; Valkey still shows it, ahead of its commands. */
    if (listLength(server.monitors) && !server.loading) replicationFeedMonitors(c, server.monitors, c->db->id, c->argv, c->argc);
    lua_State *L = eval_lua;
    pushArgsTable(L, c->argv + 3, (int)numkeys);
    scriptLuaSetGlobal(L, "KEYS");
    pushArgsTable(L, c->argv + 3 + numkeys, c->argc - 3 - (int)numkeys);
    scriptLuaSetGlobal(L, "ARGV");
    lua_pushstring(L, sha);
    lua_rawget(L, LUA_REGISTRYINDEX);
    scriptRunCtx r = {0};
    r.caller = c;
    r.flags = s->flags;
    r.ro = ro;
    r.name = sha;
    /* The script's commands are what replicas and the AOF receive. */
    preventCommandPropagation(c);
    scriptRun(&r, L, 0);
}

static void evalCommand(client *c) { evalGenericCommand(c, 0, 0); }
static void evalRoCommand(client *c) { evalGenericCommand(c, 0, 1); }
static void evalShaCommand(client *c) { evalGenericCommand(c, 1, 0); }
static void evalShaRoCommand(client *c) { evalGenericCommand(c, 1, 1); }

/* ---------- SCRIPT ---------- */
static void scriptLoadCommand(client *c) {
    evalInit();
    char buf[32], sha[41];
    size_t len;
    const char *body = objStrPtr(c->argv[2], buf, sizeof(buf), &len);
    shaOfBody(body, len, sha);
    if (!evalCreateScript(c, body, len, sha)) return;
    addReplyBulkCBuffer(c, sha, 40);
}

static void scriptExistsCommand(client *c) {
    evalInit();
    addReplyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        int found = 0;
        if (sdsEncodedObject(c->argv[j]) && bstrLen(objPtr(c->argv[j])) == 40) {
            char sha[41];
            for (int i = 0; i < 40; i++) sha[i] = (char)tolower((unsigned char)((char *)objPtr(c->argv[j]))[i]);
            sha[40] = '\0';
            found = evalLookup(sha) != NULL;
        }
        addReply(c, found ? shared.cone : shared.czero);
    }
}

static void scriptFlushCommand(client *c) {
    if (c->argc == 3 && strcasecmp(objPtr(c->argv[2]), "sync") && strcasecmp(objPtr(c->argv[2]), "async")) {
        addReplyError(c, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    if (c->argc > 3) {
        addReplyError(c, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    evalReset();
    addReply(c, shared.ok);
}

static void scriptKillCommand(client *c) { scriptKillCommandReply(c, 1); }

static void scriptHelpCommand(client *c) {
    const char *help[] = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        NULL};
    addReplyHelp(c, help);
}

static void scriptDebugCommand(client *c) {
    addReplyError(c, "ERR SCRIPT DEBUG is not supported by this server");
}

/* EVAL key positions: argv[2] says how many keys follow the script. */
static int evalGetKeys(serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    long long n;
    if (argc < 3 || getLongLongFromObject(argv[2], &n) != 0 || n < 0 || n > argc - 3) return 0;
    int count = 0;
    for (long long j = 0; j < n && count < maxkeys; j++) keyidx[count++] = 3 + (int)j;
    return count;
}

static const serverCommandDef scriptSubcommands[] = {
    {"debug", scriptDebugCommand, 3, "noscript", 0, 0, 0, "scripting", "Sets the debug mode of server-side Lua scripts.", "3.2.0", "O(1)", NULL, NULL, "<YES|SYNC|NO>"},
    {"exists", scriptExistsCommand, -3, "noscript", 0, 0, 0, "scripting", "Determines whether server-side Lua scripts exist in the script cache.", "2.6.0", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", NULL, NULL, "sha1 [sha1 ...]"},
    {"flush", scriptFlushCommand, -2, "noscript may_replicate", 0, 0, 0, "scripting", "Removes all server-side Lua scripts from the script cache.", "2.6.0", "O(N) with N being the number of scripts in cache", NULL, NULL, "[ASYNC|SYNC]"},
    {"help", scriptHelpCommand, 2, "loading stale", 0, 0, 0, "scripting", "Returns helpful text about the different subcommands.", "5.0.0", "O(1)", NULL, NULL, ""},
    {"kill", scriptKillCommand, 2, "noscript allow_busy", 0, 0, 0, "scripting", "Terminates a server-side Lua script during execution.", "2.6.0", "O(1)", NULL, NULL, ""},
    {"load", scriptLoadCommand, 3, "noscript may_replicate", 0, 0, 0, "scripting", "Loads a server-side Lua script to the script cache.", "2.6.0", "O(N) with N being the length in bytes of the script body.", NULL, NULL, "script"},
    {0}};

const serverCommandDef scriptingCommandTable[] = {
    {"eval", evalCommand, -3, "noscript skip_monitor may_replicate no_mandatory_keys stale movablekeys", 0, 0, 0, "scripting", "Executes a server-side Lua script.", "2.6.0", "Depends on the script that is executed.", evalGetKeys, NULL, "script numkeys [key [key ...]] [arg [arg ...]]"},
    {"evalsha", evalShaCommand, -3, "noscript skip_monitor may_replicate no_mandatory_keys stale movablekeys", 0, 0, 0, "scripting", "Executes a server-side Lua script by SHA1 digest.", "2.6.0", "Depends on the script that is executed.", evalGetKeys, NULL, "sha1 numkeys [key [key ...]] [arg [arg ...]]"},
    {"eval_ro", evalRoCommand, -3, "readonly noscript skip_monitor no_mandatory_keys stale movablekeys", 0, 0, 0, "scripting", "Executes a read-only server-side Lua script.", "7.0.0", "Depends on the script that is executed.", evalGetKeys, NULL, "script numkeys [key [key ...]] [arg [arg ...]]"},
    {"evalsha_ro", evalShaRoCommand, -3, "readonly noscript skip_monitor no_mandatory_keys stale movablekeys", 0, 0, 0, "scripting", "Executes a read-only server-side Lua script by SHA1 digest.", "7.0.0", "Depends on the script that is executed.", evalGetKeys, NULL, "sha1 numkeys [key [key ...]] [arg [arg ...]]"},
    {"fcall", fcallCommand, -3, "noscript skip_monitor may_replicate no_mandatory_keys stale movablekeys", 0, 0, 0, "scripting", "Invokes a function.", "7.0.0", "Depends on the function that is executed.", fcallGetKeys, NULL, "function numkeys [key [key ...]] [arg [arg ...]]"},
    {"fcall_ro", fcallRoCommand, -3, "readonly noscript skip_monitor no_mandatory_keys stale movablekeys", 0, 0, 0, "scripting", "Invokes a read-only function.", "7.0.0", "Depends on the function that is executed.", fcallGetKeys, NULL, "function numkeys [key [key ...]] [arg [arg ...]]"},
    {"function", NULL, -2, "", 0, 0, 0, "scripting", "A container for function commands.", "7.0.0", "Depends on subcommand.", NULL, functionSubcommands, "subcommand [arg ...]"},
    {"script", NULL, -2, "", 0, 0, 0, "scripting", "A container for Lua scripts management commands.", "2.6.0", "Depends on subcommand.", NULL, scriptSubcommands, "subcommand [arg ...]"},
    {0}};
