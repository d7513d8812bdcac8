/* function: FUNCTION LOAD/LIST/DELETE/FLUSH/STATS/KILL/DUMP/RESTORE and
 * FCALL/FCALL_RO. Every library is compiled into one shared Lua state; a
 * function is a registry reference owned by its library, so deleting a library
 * drops exactly its functions. Names are unique across libraries.
 * Libraries live in a context (libraries + functions by name): FUNCTION RESTORE
 * compiles a payload into a staging context first, so a bad payload changes
 * nothing, then moves it into the current one. */
#include "scripting/script.h"
#include "persist/rdb.h"
#include <lua5.1/lauxlib.h>
#include <ctype.h>
#include <string.h>

typedef struct fnLibrary {
    bstr name, code;
    list *functions;   /* fnFunction* */
} fnLibrary;

typedef struct fnFunction {
    bstr name, desc;
    int flags;
    int ref;           /* luaL_ref in the registry */
    fnLibrary *lib;
} fnFunction;

typedef struct fnLibCtx {
    hashtable *libraries;   /* bstr name -> fnLibrary* */
    hashtable *functions;   /* bstr name -> fnFunction* (owned by their library) */
} fnLibCtx;

static lua_State *fn_lua;
static fnLibCtx *fn_cur;          /* the libraries FCALL sees */
static fnLibrary *fn_loading;     /* library being registered by FUNCTION LOAD */

static htType fnLibType = {htBstrHash, htBstrEqual, htBstrFree, NULL};
static htType fnFuncType = {htBstrHash, htBstrEqual, htBstrFree, NULL};

static fnLibCtx *fnCtxCreate(void) {
    fnLibCtx *ctx = zmalloc(sizeof(*ctx));
    ctx->libraries = htCreate(&fnLibType);
    ctx->functions = htCreate(&fnFuncType);
    return ctx;
}

static void fnInit(void) {
    if (fn_lua) return;
    fn_lua = scriptLuaCreate(1);
    fn_cur = fnCtxCreate();
}

static void *fnLookup(hashtable *ht, const char *name, size_t len) {
    bstr k = bstrNewLen(name, len);
    void *v = htFetchValue(ht, k);
    bstrFree(k);
    return v;
}

static int fnValidName(const char *s, size_t len) {
    if (!len) return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

static void fnLibraryFree(fnLibrary *lib, int unref) {
    listIter li;
    listNode *ln;
    listRewind(lib->functions, &li);
    while ((ln = listNext(&li))) {
        fnFunction *f = ln->value;
        if (unref && fn_lua) luaL_unref(fn_lua, LUA_REGISTRYINDEX, f->ref);
        bstrFree(f->name);
        bstrFree(f->desc);
        zfree(f);
    }
    listRelease(lib->functions);
    bstrFree(lib->name);
    bstrFree(lib->code);
    zfree(lib);
}

static void fnUnlinkLibrary(fnLibCtx *ctx, fnLibrary *lib) {
    listIter li;
    listNode *ln;
    listRewind(lib->functions, &li);
    while ((ln = listNext(&li))) htDelete(ctx->functions, ((fnFunction *)ln->value)->name);
    htDelete(ctx->libraries, lib->name);
}

static void fnLinkLibrary(fnLibCtx *ctx, fnLibrary *lib) {
    htAdd(ctx->libraries, bstrDup(lib->name), lib);
    listIter li;
    listNode *ln;
    listRewind(lib->functions, &li);
    while ((ln = listNext(&li))) {
        fnFunction *f = ln->value;
        htAdd(ctx->functions, bstrDup(f->name), f);
    }
}

/* The libraries of ctx, collected first: unlinking while iterating is unsafe. */
static list *fnCtxLibraryList(fnLibCtx *ctx) {
    list *libs = listCreate();
    htIterator it;
    htInitIterator(&it, ctx->libraries);
    htEntry *e;
    while ((e = htNext(&it))) listAddNodeTail(libs, e->v.val);
    htResetIterator(&it);
    return libs;
}

/* Frees ctx and its libraries. unref=0 when the Lua state goes away anyway. */
static void fnCtxFree(fnLibCtx *ctx, int unref) {
    list *libs = fnCtxLibraryList(ctx);
    listIter li;
    listNode *ln;
    listRewind(libs, &li);
    while ((ln = listNext(&li))) {
        fnUnlinkLibrary(ctx, ln->value);
        fnLibraryFree(ln->value, unref);
    }
    listRelease(libs);
    htRelease(ctx->libraries);
    htRelease(ctx->functions);
    zfree(ctx);
}

/* ---------- server.register_function ---------- */
static int fnRegisterError(lua_State *L, const char *msg) {
    scriptPushError(L, msg);
    return lua_error(L);
}

static int fnParseFlagsTable(lua_State *L, int idx, int *flags) {
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t len;
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        bstr bad = NULL;
        if (!s || scriptParseFlagList(s, len, flags, &bad) == -1 || memchr(s, ',', len)) {
            bstrFree(bad);
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

int luaRegisterFunction(lua_State *L) {
    if (!fn_loading) return fnRegisterError(L, "server.register_function can only be called on FUNCTION LOAD command");
    int argc = lua_gettop(L);
    const char *name = NULL, *desc = NULL;
    size_t name_len = 0, desc_len = 0;
    int flags = 0, cb_idx = 0;
    if (argc == 1) {
        if (!lua_istable(L, 1))
            return fnRegisterError(L, "calling server.register_function with a single argument is only applicable to Lua table (representing named arguments).");
        lua_getfield(L, 1, "function_name");
        lua_getfield(L, 1, "callback");
        lua_getfield(L, 1, "flags");
        lua_getfield(L, 1, "description");
        if (lua_type(L, 2) != LUA_TSTRING) return fnRegisterError(L, "function_name argument given to server.register_function must be a string");
        name = lua_tolstring(L, 2, &name_len);
        if (!lua_isfunction(L, 3)) return fnRegisterError(L, "callback argument given to server.register_function must be a function");
        cb_idx = 3;
        if (!lua_isnil(L, 4)) {
            if (!lua_istable(L, 4) || fnParseFlagsTable(L, 4, &flags) == -1) return fnRegisterError(L, "unknown flag given");
        }
        if (!lua_isnil(L, 5)) {
            if (lua_type(L, 5) != LUA_TSTRING) return fnRegisterError(L, "description argument given to server.register_function must be a string");
            desc = lua_tolstring(L, 5, &desc_len);
        }
    } else if (argc == 2) {
        if (lua_type(L, 1) != LUA_TSTRING) return fnRegisterError(L, "first argument to server.register_function must be a string");
        if (!lua_isfunction(L, 2)) return fnRegisterError(L, "second argument to server.register_function must be a function");
        name = lua_tolstring(L, 1, &name_len);
        cb_idx = 2;
    } else {
        return fnRegisterError(L, "wrong number of arguments to server.register_function");
    }
    if (!fnValidName(name, name_len))
        return fnRegisterError(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
    listIter li;
    listNode *ln;
    listRewind(fn_loading->functions, &li);
    while ((ln = listNext(&li))) {
        fnFunction *f = ln->value;
        if (bstrLen(f->name) == name_len && !memcmp(f->name, name, name_len))
            return fnRegisterError(L, "Function already exists in the library");
    }
    fnFunction *f = zcalloc(sizeof(*f));
    f->name = bstrNewLen(name, name_len);
    f->desc = desc ? bstrNewLen(desc, desc_len) : NULL;
    f->flags = flags;
    f->lib = fn_loading;
    lua_pushvalue(L, cb_idx);
    f->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    listAddNodeTail(fn_loading->functions, f);
    return 0;
}

/* ---------- FUNCTION LOAD ---------- */

/* "#!lua name=lib": the shebang's engine and library name. -1 with *err set
 * when the metadata is malformed (Valkey's checks, in Valkey's order). */
static int fnParseMetadata(const char *code, size_t len, bstr *name, bstr *err) {
    *name = NULL;
    *err = NULL;
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        *err = bstrNew("Missing library metadata");
        return -1;
    }
    const char *nl = memchr(code, '\n', len);
    if (!nl) {
        *err = bstrNew("Invalid library metadata");
        return -1;
    }
    int argc = 0;
    bstr *parts = bstrSplitLen(code + 2, (ssize_t)(nl - code) - 2, " ", 1, &argc);
    bstr engine = NULL;
    for (int i = 0; i < argc && !*err; i++) {
        if (!bstrLen(parts[i])) continue;
        if (!engine) {
            engine = parts[i];
        } else if (!strncasecmp(parts[i], "name=", 5)) {
            if (*name) *err = bstrNew("Invalid metadata value, name argument was given multiple times");
            else *name = bstrNew(parts[i] + 5);
        } else {
            *err = bstrCatPrintf(bstrEmpty(), "Invalid metadata value given: %s", parts[i]);
        }
    }
    if (!*err && !*name) *err = bstrNew("Library name was not given");
    else if (!*err && !fnValidName(*name, bstrLen(*name)))
        *err = bstrNew("Library names can only contain letters, numbers, or underscores(_) and must be at least one "
                       "character long");
    else if (!*err && (!engine || strcasecmp(engine, "lua")))
        *err = bstrCatPrintf(bstrEmpty(), "Engine '%s' not found", engine ? engine : "");
    for (int i = 0; i < argc; i++) bstrFree(parts[i]);
    zfree(parts);
    if (*err) {
        bstrFree(*name);
        *name = NULL;
        return -1;
    }
    return 0;
}

/* Compiles and runs the library body; on success lib->functions is filled. */
static int fnRunLibraryBody(fnLibrary *lib, bstr *err) {
    lua_State *L = fn_lua;
    bstr code = bstrDup(lib->code);
    code[0] = code[1] = '-';
    scriptPushErrorHandler(L);
    if (luaL_loadbuffer(L, code, bstrLen(code), "@user_function") != 0) {
        *err = bstrCatPrintf(bstrEmpty(), "Error compiling function: %s", lua_tostring(L, -1));
        lua_pop(L, 2);
        bstrFree(code);
        return -1;
    }
    bstrFree(code);
    fn_loading = lib;
    int status = lua_pcall(L, 0, 0, -2);
    fn_loading = NULL;
    if (status != 0) {
        lua_getfield(L, -1, "err");
        const char *m = lua_tostring(L, -1);
        *err = bstrCatPrintf(bstrEmpty(), "Error registering functions: %s", m ? m : "unknown error");
        lua_pop(L, 3);
        return -1;
    }
    lua_pop(L, 1);
    if (listLength(lib->functions) == 0) {
        *err = bstrNew("No functions registered");
        return -1;
    }
    return 0;
}

/* Compiles a library into ctx, replacing a same-name one when replace is set.
 * Returns 0 (and the name in *libname when asked), or -1 with *err set. */
static int fnCreateLibraryIn(fnLibCtx *ctx, const char *code, size_t len, int replace, bstr *err, bstr *libname) {
    fnInit();
    bstr name;
    if (fnParseMetadata(code, len, &name, err) == -1) return -1;
    fnLibrary *old = fnLookup(ctx->libraries, name, bstrLen(name));
    if (old && !replace) {
        *err = bstrCatPrintf(bstrEmpty(), "Library '%s' already exists", name);
        bstrFree(name);
        return -1;
    }
    fnLibrary *lib = zcalloc(sizeof(*lib));
    lib->name = name;
    lib->code = bstrNewLen(code, len);
    lib->functions = listCreate();
    if (fnRunLibraryBody(lib, err) == -1) {
        fnLibraryFree(lib, 1);
        return -1;
    }
    listIter li;
    listNode *ln;
    listRewind(lib->functions, &li);
    while ((ln = listNext(&li))) {
        fnFunction *f = ln->value;
        fnFunction *other = htFetchValue(ctx->functions, f->name);
        if (other && other->lib != old) {
            *err = bstrCatPrintf(bstrEmpty(), "Function %s already exists", f->name);
            fnLibraryFree(lib, 1);
            return -1;
        }
    }
    if (old) {
        fnUnlinkLibrary(ctx, old);
        fnLibraryFree(old, 1);
    }
    fnLinkLibrary(ctx, lib);
    if (libname) *libname = bstrDup(lib->name);
    return 0;
}

int functionsCreateLibrary(const char *code, size_t len, int replace, bstr *err, bstr *libname) {
    fnInit();
    return fnCreateLibraryIn(fn_cur, code, len, replace, err, libname);
}

int functionsForEachLibrary(int (*cb)(void *priv, const char *code, size_t len), void *priv) {
    if (!fn_cur) return 0;
    htIterator it;
    htInitIterator(&it, fn_cur->libraries);
    htEntry *e;
    int rc = 0;
    while (rc == 0 && (e = htNext(&it))) {
        fnLibrary *lib = e->v.val;
        rc = cb(priv, lib->code, bstrLen(lib->code));
    }
    htResetIterator(&it);
    return rc;
}

static void functionLoadCommand(client *c) {
    int replace = 0, j = 2;
    for (; j < c->argc - 1; j++) {
        if (!strcasecmp(objPtr(c->argv[j]), "replace")) replace = 1;
        else {
            addReplyErrorFormat(c, "ERR Unknown option given: %s", (char *)objPtr(c->argv[j]));
            return;
        }
    }
    if (j != c->argc - 1) {
        addReplyError(c, "ERR Function code was not given");
        return;
    }
    char buf[32];
    size_t len;
    const char *code = objStrPtr(c->argv[j], buf, sizeof(buf), &len);
    bstr err = NULL, name = NULL;
    if (functionsCreateLibrary(code, len, replace, &err, &name) == -1) {
        addReplyErrorFormat(c, "ERR %s", err ? err : "Failed to load library");
        bstrFree(err);
        return;
    }
    server.dirty++;
    addReplyBulkCBuffer(c, name, bstrLen(name));
    bstrFree(name);
}

/* ---------- FCALL ---------- */
static void fcallGeneric(client *c, int ro) {
    fnInit();
    long long numkeys;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &numkeys, "ERR Bad number of keys provided") != 0) return;
    if (numkeys > c->argc - 3) {
        addReplyError(c, "ERR Number of keys can't be greater than number of args");
        return;
    } else if (numkeys < 0) {
        addReplyError(c, "ERR Number of keys can't be negative");
        return;
    }
    fnFunction *f = sdsEncodedObject(c->argv[1]) ? htFetchValue(fn_cur->functions, objPtr(c->argv[1])) : NULL;
    if (!f) {
        addReplyError(c, "ERR Function not found");
        return;
    }
    if (scriptPrepareChecks(c, f->flags, ro) == -1) return;
    lua_State *L = fn_lua;
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->ref);
    for (int part = 0; part < 2; part++) {
        int from = part == 0 ? 3 : 3 + (int)numkeys;
        int n = part == 0 ? (int)numkeys : c->argc - from;
        lua_createtable(L, n, 0);
        for (int j = 0; j < n; j++) {
            char buf[32];
            size_t len;
            const char *p = objStrPtr(c->argv[from + j], buf, sizeof(buf), &len);
            lua_pushlstring(L, p, len);
            lua_rawseti(L, -2, j + 1);
        }
    }
    scriptRunCtx r = {0};
    r.caller = c;
    r.flags = f->flags;
    r.ro = ro;
    r.is_function = 1;
    r.name = f->name;
    preventCommandPropagation(c);
    scriptRun(&r, L, 2);
}

void fcallCommand(client *c) { fcallGeneric(c, 0); }
void fcallRoCommand(client *c) { fcallGeneric(c, 1); }

/* ---------- FUNCTION LIST / DELETE / FLUSH / STATS / KILL ---------- */
static void addReplyFunctionFlags(client *c, int flags) {
    int n = 0;
    for (int k = 0; scriptFlagNames[k].name; k++) if (flags & scriptFlagNames[k].flag) n++;
    addReplySetLen(c, n);
    for (int k = 0; scriptFlagNames[k].name; k++)
        if (flags & scriptFlagNames[k].flag) addReplyStatus(c, scriptFlagNames[k].name);
}

static void addReplyLibrary(client *c, fnLibrary *lib, int withcode) {
    addReplyMapLen(c, withcode ? 4 : 3);
    addReplyBulkCString(c, "library_name");
    addReplyBulkCBuffer(c, lib->name, bstrLen(lib->name));
    addReplyBulkCString(c, "engine");
    addReplyBulkCString(c, "LUA");
    addReplyBulkCString(c, "functions");
    addReplyArrayLen(c, (long)listLength(lib->functions));
    listIter li;
    listNode *ln;
    listRewind(lib->functions, &li);
    while ((ln = listNext(&li))) {
        fnFunction *f = ln->value;
        addReplyMapLen(c, 3);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, f->name, bstrLen(f->name));
        addReplyBulkCString(c, "description");
        if (f->desc) addReplyBulkCBuffer(c, f->desc, bstrLen(f->desc));
        else addReplyNull(c);
        addReplyBulkCString(c, "flags");
        addReplyFunctionFlags(c, f->flags);
    }
    if (withcode) {
        addReplyBulkCString(c, "library_code");
        addReplyBulkCBuffer(c, lib->code, bstrLen(lib->code));
    }
}

static void functionListCommand(client *c) {
    fnInit();
    int withcode = 0;
    const char *pattern = NULL;
    for (int j = 2; j < c->argc; j++) {
        if (!strcasecmp(objPtr(c->argv[j]), "withcode")) {
            withcode = 1;
        } else if (!strcasecmp(objPtr(c->argv[j]), "libraryname")) {
            if (j + 1 >= c->argc) {
                addReplyError(c, "ERR library name argument was not given");
                return;
            }
            if (pattern) {
                addReplyError(c, "ERR library name can be given only once");
                return;
            }
            pattern = objPtr(c->argv[++j]);
        } else {
            addReplyErrorFormat(c, "ERR Unknown argument %s", (char *)objPtr(c->argv[j]));
            return;
        }
    }
    void *slot = addReplyDeferredLen(c);
    long n = 0;
    htIterator it;
    htInitIterator(&it, fn_cur->libraries);
    htEntry *e;
    while ((e = htNext(&it))) {
        fnLibrary *lib = e->v.val;
        if (pattern && !stringmatchlen(pattern, (int)strlen(pattern), lib->name, (int)bstrLen(lib->name), 1)) continue;
        addReplyLibrary(c, lib, withcode);
        n++;
    }
    htResetIterator(&it);
    setDeferredArrayLen(c, slot, n);
}

static void functionDeleteCommand(client *c) {
    fnInit();
    fnLibrary *lib = sdsEncodedObject(c->argv[2]) ? htFetchValue(fn_cur->libraries, objPtr(c->argv[2])) : NULL;
    if (!lib) {
        addReplyError(c, "ERR Library not found");
        return;
    }
    fnUnlinkLibrary(fn_cur, lib);
    fnLibraryFree(lib, 1);
    server.dirty++;
    addReply(c, shared.ok);
}

void functionsFlushAll(void) {
    if (!fn_lua) return;
    fnCtxFree(fn_cur, 0);
    fn_cur = NULL;
    lua_close(fn_lua);
    fn_lua = NULL;
    fnInit();
}

static void functionFlushCommand(client *c) {
    if (c->argc == 3 && strcasecmp(objPtr(c->argv[2]), "sync") && strcasecmp(objPtr(c->argv[2]), "async")) {
        addReplyError(c, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    functionsFlushAll();
    server.dirty++;
    addReply(c, shared.ok);
}

/* ---------- FUNCTION DUMP / RESTORE ---------- */
static void functionDumpCommand(client *c) {
    addReplyBulkBstr(c, dumpFunctionsPayload());
}

static int fnRestoreOne(void *priv, const char *code, size_t len, bstr *err) {
    return fnCreateLibraryIn(priv, code, len, 0, err, NULL);
}

/* Moves every library of src into dst. On a collision (a same-name library
 * without replace, or a function name taken by a library that stays) dst is
 * left as it was and -1 returned with *err set. */
static int fnCtxJoin(fnLibCtx *dst, fnLibCtx *src, int replace, bstr *err) {
    list *incoming = fnCtxLibraryList(src), *replaced = listCreate();
    listIter li;
    listNode *ln;
    listRewind(incoming, &li);
    while (!*err && (ln = listNext(&li))) {
        fnLibrary *lib = ln->value, *old = htFetchValue(dst->libraries, lib->name);
        if (!old) continue;
        if (!replace) {
            *err = bstrCatPrintf(bstrEmpty(), "Library %s already exists", lib->name);
        } else {
            fnUnlinkLibrary(dst, old);
            listAddNodeTail(replaced, old);
        }
    }
    if (!*err) {
        htIterator it;
        htInitIterator(&it, src->functions);
        htEntry *e;
        while (!*err && (e = htNext(&it)))
            if (htFetchValue(dst->functions, e->key))
                *err = bstrCatPrintf(bstrEmpty(), "Function %s already exists", (char *)e->key);
        htResetIterator(&it);
    }
    listRewind(replaced, &li);
    while ((ln = listNext(&li))) {
        if (*err) fnLinkLibrary(dst, ln->value);
        else fnLibraryFree(ln->value, 1);
    }
    if (!*err) {
        listRewind(incoming, &li);
        while ((ln = listNext(&li))) {
            fnUnlinkLibrary(src, ln->value);
            fnLinkLibrary(dst, ln->value);
        }
    }
    listRelease(incoming);
    listRelease(replaced);
    return *err ? -1 : 0;
}

static void functionRestoreCommand(client *c) {
    if (c->argc > 4) {
        /* Valkey's addReplySubcommandSyntaxError text; ours (reply.c) says less. */
        addReplyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try FUNCTION HELP.",
                            (char *)objPtr(c->argv[1]));
        return;
    }
    enum { RESTORE_APPEND, RESTORE_REPLACE, RESTORE_FLUSH } policy = RESTORE_APPEND;
    if (c->argc == 4) {
        const char *opt = objPtr(c->argv[3]);
        if (!strcasecmp(opt, "append")) policy = RESTORE_APPEND;
        else if (!strcasecmp(opt, "replace")) policy = RESTORE_REPLACE;
        else if (!strcasecmp(opt, "flush")) policy = RESTORE_FLUSH;
        else {
            addReplyError(c, "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return;
        }
    }
    char buf[32];
    size_t len;
    const char *payload = objStrPtr(c->argv[2], buf, sizeof(buf), &len);
    if (dumpVerifyPayload((const unsigned char *)payload, len) != 0) {
        addReplyError(c, "ERR DUMP payload version or checksum are wrong");
        return;
    }
    fnInit();
    fnLibCtx *stage = fnCtxCreate();
    bstr err = NULL;
    if (dumpForEachFunctionRecord(payload, len, fnRestoreOne, stage, &err) == 0) {
        if (policy == RESTORE_FLUSH) {
            /* The staged functions live in the same Lua state: free the old
             * libraries one by one instead of recreating the state. */
            fnCtxFree(fn_cur, 1);
            fn_cur = stage;
            stage = NULL;
        } else {
            fnCtxJoin(fn_cur, stage, policy == RESTORE_REPLACE, &err);
        }
    }
    if (stage) fnCtxFree(stage, 1);
    if (err) {
        addReplyErrorFormat(c, "ERR %s", err);
        bstrFree(err);
        return;
    }
    server.dirty++;
    addReply(c, shared.ok);
}

static void functionStatsCommand(client *c) {
    fnInit();
    scriptRunCtx *r = scriptCurrentRun();
    addReplyMapLen(c, 2);
    addReplyBulkCString(c, "running_script");
    if (r && r->is_function) {
        addReplyMapLen(c, 3);
        addReplyBulkCString(c, "name");
        addReplyBulkCString(c, r->name);
        addReplyBulkCString(c, "command");
        addReplyArrayLen(c, r->caller->argc);
        for (int j = 0; j < r->caller->argc; j++) addReplyBulk(c, r->caller->argv[j]);
        addReplyBulkCString(c, "duration_ms");
        addReplyLongLong(c, mstime_now() - r->start);
    } else {
        addReplyNull(c);
    }
    addReplyBulkCString(c, "engines");
    addReplyMapLen(c, 1);
    addReplyBulkCString(c, "LUA");
    addReplyMapLen(c, 2);
    addReplyBulkCString(c, "libraries_count");
    addReplyLongLong(c, (long long)htSize(fn_cur->libraries));
    addReplyBulkCString(c, "functions_count");
    addReplyLongLong(c, (long long)htSize(fn_cur->functions));
}

static void functionKillCommand(client *c) { scriptKillCommandReply(c, 0); }

static void functionHelpCommand(client *c) {
    const char *help[] = {
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        NULL};
    addReplyHelp(c, help);
}

int fcallGetKeys(serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    long long n;
    if (argc < 3 || getLongLongFromObject(argv[2], &n) != 0 || n < 0 || n > argc - 3) return 0;
    int count = 0;
    for (long long j = 0; j < n && count < maxkeys; j++) keyidx[count++] = 3 + (int)j;
    return count;
}

const serverCommandDef functionSubcommands[] = {
    {"delete", functionDeleteCommand, 3, "noscript write", 0, 0, 0, "scripting", "Deletes a library and its functions.", "7.0.0", "O(1)", NULL, NULL, "library-name"},
    {"dump", functionDumpCommand, 2, "noscript", 0, 0, 0, "scripting", "Dumps all libraries into a serialized binary payload.", "7.0.0", "O(N) where N is the number of functions", NULL, NULL, ""},
    {"flush", functionFlushCommand, -2, "noscript write", 0, 0, 0, "scripting", "Deletes all libraries and functions.", "7.0.0", "O(N) where N is the number of functions deleted", NULL, NULL, "[ASYNC|SYNC]"},
    {"help", functionHelpCommand, 2, "loading stale", 0, 0, 0, "scripting", "Returns helpful text about the different subcommands.", "7.0.0", "O(1)", NULL, NULL, ""},
    {"kill", functionKillCommand, 2, "noscript allow_busy", 0, 0, 0, "scripting", "Terminates a function during execution.", "7.0.0", "O(1)", NULL, NULL, ""},
    {"list", functionListCommand, -2, "noscript", 0, 0, 0, "scripting", "Returns information about all libraries.", "7.0.0", "O(N) where N is the number of functions", NULL, NULL, "[LIBRARYNAME library-name-pattern] [WITHCODE]"},
    {"load", functionLoadCommand, -3, "noscript write denyoom", 0, 0, 0, "scripting", "Creates a library.", "7.0.0", "O(1) (considering compilation time is redundant)", NULL, NULL, "[REPLACE] function-code"},
    {"restore", functionRestoreCommand, -3, "noscript write denyoom", 0, 0, 0, "scripting", "Restores all libraries from a payload.", "7.0.0", "O(N) where N is the number of functions on the payload", NULL, NULL, "serialized-value [FLUSH|APPEND|REPLACE]"},
    {"stats", functionStatsCommand, 2, "noscript allow_busy", 0, 0, 0, "scripting", "Returns information about a function during execution.", "7.0.0", "O(1)", NULL, NULL, ""},
    {0}};
