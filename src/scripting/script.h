/* script: the Lua engine shared by EVAL and FUNCTION: sandboxed lua_States, the
 * server.* API, RESP<->Lua conversions and the run context (timeout, SCRIPT
 * KILL, read-only rules). At most one script runs at a time (scriptCurrentRun). */
#ifndef SCRIPTING_SCRIPT_H
#define SCRIPTING_SCRIPT_H
#include "server/server.h"
#include <lua5.1/lua.h>

#define SCRIPT_FLAG_NO_WRITES (1 << 0)
#define SCRIPT_FLAG_ALLOW_OOM (1 << 1)
#define SCRIPT_FLAG_ALLOW_STALE (1 << 2)
#define SCRIPT_FLAG_NO_CLUSTER (1 << 3)
#define SCRIPT_FLAG_ALLOW_CROSS_SLOT (1 << 4)
#define SCRIPT_FLAG_EVAL_COMPAT (1 << 5)   /* no shebang: pre-7.0 eval semantics */

typedef struct scriptRunCtx {
    client *caller;
    client *sclient;          /* the fake client server.call runs commands on */
    int flags;                /* SCRIPT_FLAG_* of the running script */
    int ro;                   /* started by a *_RO command */
    int is_function;
    const char *name;         /* sha (EVAL) or function name, for error suffixes */
    mstime_t start;
    int timedout, killed, wrote;
    int repl_flags;           /* server.set_repl(): 0 = propagate nothing */
} scriptRunCtx;

/* Flag names as they appear in shebangs and FUNCTION LIST. */
typedef struct scriptFlagName { int flag; const char *name; } scriptFlagName;
extern const scriptFlagName scriptFlagNames[];

/* A fresh sandboxed state. with_register: server.register_function exists
 * (FUNCTION LOAD states); otherwise EVAL globals KEYS/ARGV are settable. */
lua_State *scriptLuaCreate(int for_functions);
/* Sets a global without going through the read-only guard (KEYS/ARGV). */
void scriptLuaSetGlobal(lua_State *L, const char *name);
/* Pushes the error handler used by scriptRun (callers of lua_pcall outside a run). */
void scriptPushErrorHandler(lua_State *L);
/* Runs the function below nargs arguments on the top of L and replies to r->caller. */
void scriptRun(scriptRunCtx *r, lua_State *L, int nargs);
/* Pushes {err="CODE msg"} built the way Valkey builds script errors. */
void scriptPushError(lua_State *L, const char *msg);
/* Turns an error object (table or string) on top of the stack into the
 * reply text; returns a new bstr. */
bstr scriptErrorText(lua_State *L, const char *name);

scriptRunCtx *scriptCurrentRun(void);
int scriptIsTimedout(void);
int scriptTimedoutIsFunction(void);
/* SCRIPT KILL / FUNCTION KILL. is_eval tells which command asks. */
void scriptKillCommandReply(client *c, int is_eval);
/* Shebang-style flags "no-writes,allow-oom": 0 ok, -1 with *bad set to the offending name. */
int scriptParseFlagList(const char *s, size_t len, int *flags, bstr *bad);
/* Checks done before running a script that carries flags; replies and returns -1 on refusal. */
int scriptPrepareChecks(client *c, int flags, int ro);
/* FUNCTION / FCALL (function.c); their rows live in eval.c's scriptingCommandTable. */
void fcallCommand(client *c);
void fcallRoCommand(client *c);
int fcallGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys);
extern const serverCommandDef functionSubcommands[];
void functionsFlushAll(void);
/* Compiles a library (the code starts with its "#!lua name=..." shebang) into
 * the current libraries, as FUNCTION LOAD [REPLACE]. 0, or -1 with *err set
 * (Valkey's text, without the "ERR " prefix). libname may be NULL. */
int functionsCreateLibrary(const char *code, size_t len, int replace, bstr *err, bstr *libname);
/* Calls cb with each library's full code; stops at and returns the first
 * non-zero result. */
int functionsForEachLibrary(int (*cb)(void *priv, const char *code, size_t len), void *priv);
#endif
