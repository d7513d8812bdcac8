/* server: global state, shared objects, logging, time caching, the cron and
 * the before-sleep hook, command dispatch (processCommand/call) and the
 * propagation of each execution unit to replicas and the AOF. */
#include "server/server.h"
#include "core/tls.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

struct valkeyServer server;
struct sharedObjectsStruct shared;

int rdbWritesRefused(void);
int processEventsWhileBlockedDepth;

/* ---------- logging ---------- */
static const char *logLevelChar = ".-*#";

void serverLogRaw(int level, const char *msg) {
    int rawmode = level & LL_RAW;
    level &= 0xff;
    if (level < server.verbosity) return;
    FILE *fp = (!server.logfile || server.logfile[0] == '\0') ? stdout : fopen(server.logfile, "a");
    if (!fp) return;
    if (rawmode) {
        fprintf(fp, "%s", msg);
    } else {
        char buf[64];
        struct timeval tv;
        gettimeofday(&tv, NULL);
        struct tm tm;
        localtime_r(&tv.tv_sec, &tm);
        int off = (int)strftime(buf, sizeof(buf), "%d %b %Y %H:%M:%S.", &tm);
        snprintf(buf + off, sizeof(buf) - (size_t)off, "%03d", (int)tv.tv_usec / 1000);
        char role = server.sentinel_mode ? 'X' : (getpid() != server.pid ? 'C' : (server.primary_host ? 'S' : 'M'));
        fprintf(fp, "%d:%c %s %c %s\n", (int)getpid(), role, buf, logLevelChar[level], msg);
    }
    fflush(fp);
    if (fp != stdout) fclose(fp);
    if (server.syslog_enabled) {
        static const int syslogLevelMap[] = {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING};
        syslog(syslogLevelMap[level], "%s", msg);
    }
}

void serverLog(int level, const char *fmt, ...) {
    if ((level & 0xff) < server.verbosity) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    serverLogRaw(level, msg);
}

void serverPanic(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    serverLog(LL_WARNING, "------------------------------------------------");
    serverLog(LL_WARNING, "!!! Software Failure. Press left mouse button to continue");
    serverLog(LL_WARNING, "Guru Meditation: %s", msg);
    abort();
}

/* ---------- time ---------- */
ustime_t ustime(void) { return ustime_now(); }
mstime_t mstime(void) { return mstime_now(); }

void updateCachedTime(void) {
    server.ustime = ustime();
    server.mstime = server.ustime / 1000;
    server.unixtime = (time_t)(server.mstime / 1000);
}

/* During a command (and a whole MULTI/EXEC or script) "now" is frozen, so a
 * key cannot expire half way through one execution unit. */
static mstime_t cmd_time_snapshot;
mstime_t commandTimeSnapshot(void) {
    if (server.execution_nesting > 0 && cmd_time_snapshot) return cmd_time_snapshot;
    return mstime();
}

/* ---------- shared objects ---------- */
static obj *mkShared(const char *s) { return makeObjectShared(createStringObject(s, strlen(s))); }
static obj *mkSharedFmt(const char *fmt, long long n) {
    char buf[64];
    snprintf(buf, sizeof(buf), fmt, n);
    return mkShared(buf);
}

void createSharedObjects(void) {
    shared.crlf = mkShared("\r\n");
    shared.ok = mkShared("+OK\r\n");
    shared.emptybulk = mkShared("$0\r\n\r\n");
    shared.czero = mkShared(":0\r\n");
    shared.cone = mkShared(":1\r\n");
    shared.emptyarray = mkShared("*0\r\n");
    shared.pong = mkShared("+PONG\r\n");
    shared.queued = mkShared("+QUEUED\r\n");
    shared.emptyscan = mkShared("*2\r\n$1\r\n0\r\n*0\r\n");
    shared.space = mkShared(" ");
    shared.plus = mkShared("+");
    shared.wrongtypeerr = mkShared("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    shared.err = mkShared("-ERR\r\n");
    shared.nokeyerr = mkShared("-ERR no such key\r\n");
    shared.syntaxerr = mkShared("-ERR syntax error\r\n");
    shared.sameobjecterr = mkShared("-ERR source and destination objects are the same\r\n");
    shared.outofrangeerr = mkShared("-ERR index out of range\r\n");
    shared.noscripterr = mkShared("-NOSCRIPT No matching script. Please use EVAL.\r\n");
    shared.loadingerr = mkShared("-LOADING Valkey is loading the dataset in memory\r\n");
    shared.slowevalerr = mkShared("-BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
    shared.slowscripterr = mkShared("-BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n");
    shared.primarydownerr = mkShared("-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n");
    shared.bgsaveerr = mkShared("-MISCONF Valkey is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Valkey logs for details about the RDB error.\r\n");
    shared.roreplicaerr = mkShared("-READONLY You can't write against a read only replica.\r\n");
    shared.noautherr = mkShared("-NOAUTH Authentication required.\r\n");
    shared.oomerr = mkShared("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    shared.execaborterr = mkShared("-EXECABORT Transaction discarded because of previous errors.\r\n");
    shared.noreplicaserr = mkShared("-NOREPLICAS Not enough good replicas to write.\r\n");
    shared.busykeyerr = mkShared("-BUSYKEY Target key name already exists.\r\n");
    shared.null[0] = NULL;
    shared.null[1] = NULL;
    shared.null[2] = mkShared("$-1\r\n");
    shared.null[3] = mkShared("_\r\n");
    shared.nullarray[2] = mkShared("*-1\r\n");
    shared.nullarray[3] = mkShared("_\r\n");
    shared.emptymap[2] = mkShared("*0\r\n");
    shared.emptymap[3] = mkShared("%0\r\n");
    shared.emptyset[2] = mkShared("*0\r\n");
    shared.emptyset[3] = mkShared("~0\r\n");
    for (int j = 0; j < 16; j++) {
        char dictid[16], buf[64];
        int len = ll2string(dictid, sizeof(dictid), j);
        snprintf(buf, sizeof(buf), "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", len, dictid);
        shared.select[j] = mkShared(buf);
    }
    shared.messagebulk = mkShared("$7\r\nmessage\r\n");
    shared.pmessagebulk = mkShared("$8\r\npmessage\r\n");
    shared.subscribebulk = mkShared("$9\r\nsubscribe\r\n");
    shared.unsubscribebulk = mkShared("$11\r\nunsubscribe\r\n");
    shared.psubscribebulk = mkShared("$10\r\npsubscribe\r\n");
    shared.punsubscribebulk = mkShared("$12\r\npunsubscribe\r\n");
    shared.ssubscribebulk = mkShared("$10\r\nssubscribe\r\n");
    shared.sunsubscribebulk = mkShared("$12\r\nsunsubscribe\r\n");
    shared.smessagebulk = mkShared("$8\r\nsmessage\r\n");
    shared.del = mkShared("DEL");
    shared.unlink = mkShared("UNLINK");
    shared.rpop = mkShared("RPOP");
    shared.lpop = mkShared("LPOP");
    shared.lpush = mkShared("LPUSH");
    shared.rpoplpush = mkShared("RPOPLPUSH");
    shared.lmove = mkShared("LMOVE");
    shared.blmove = mkShared("BLMOVE");
    shared.zpopmin = mkShared("ZPOPMIN");
    shared.zpopmax = mkShared("ZPOPMAX");
    shared.multi = mkShared("MULTI");
    shared.exec = mkShared("EXEC");
    shared.hset = mkShared("HSET");
    shared.srem = mkShared("SREM");
    shared.left = mkShared("left");
    shared.right = mkShared("right");
    shared.persist = mkShared("PERSIST");
    shared.set = mkShared("SET");
    shared.pexpireat = mkShared("PEXPIREAT");
    shared.pexpire = mkShared("PEXPIRE");
    shared.pxat = mkShared("PXAT");
    shared.absttl = mkShared("ABSTTL");
    shared.keepttl = mkShared("KEEPTTL");
    shared.replconf = mkShared("REPLCONF");
    shared.getack = mkShared("GETACK");
    shared.ping = mkShared("PING");
    shared.special_asterick = mkShared("*");
    shared.special_equals = mkShared("=");
    shared.default_username = mkShared("default");
    shared.redacted = mkShared("(redacted)");
    shared.script = mkShared("SCRIPT");
    shared.eval = mkShared("EVAL");
    shared.load = mkShared("LOAD");
    shared.time = mkShared("TIME");
    for (int j = 0; j < OBJ_SHARED_INTEGERS; j++) {
        obj *o = createObject(OBJ_STRING, (void *)(long)j);
        o->encoding = OBJ_ENCODING_INT;
        shared.integers[j] = makeObjectShared(o);
    }
    for (int j = 0; j < 32; j++) {
        shared.mbulkhdr[j] = mkSharedFmt("*%lld\r\n", j);
        shared.bulkhdr[j] = mkSharedFmt("$%lld\r\n", j);
        shared.maphdr[j] = mkSharedFmt("%%%lld\r\n", j);
        shared.sethdr[j] = mkSharedFmt("~%lld\r\n", j);
    }
    shared.minstring = bstrNew("minstring");
    shared.maxstring = bstrNew("maxstring");
}

/* ---------- propagation ---------- */
typedef struct pendingOp { int dbid, argc, target; obj **argv; } pendingOp;
static struct { pendingOp *ops; int count, alloc; } also_propagate;

int replBacklogExists(void) __attribute__((weak));

/* Nobody consumes the stream (no AOF, no replicas, no backlog, or we are a
 * replica that only proxies its primary): skip queueing, it costs allocations. */
static int propagationHasConsumers(void) {
    if (server.appendonly) return 1;
    if (server.primary_host) return 0;
    return listLength(server.replicas) != 0 || (replBacklogExists && replBacklogExists());
}

void alsoPropagate(int dbid, obj **argv, int argc, int target) {
    if (server.loading) return;
    if (!propagationHasConsumers()) return;
    if (also_propagate.count == also_propagate.alloc) {
        also_propagate.alloc = also_propagate.alloc ? also_propagate.alloc * 2 : 16;
        also_propagate.ops = zrealloc(also_propagate.ops, sizeof(pendingOp) * (size_t)also_propagate.alloc);
    }
    pendingOp *op = &also_propagate.ops[also_propagate.count++];
    op->dbid = dbid;
    op->argc = argc;
    op->target = target;
    op->argv = zmalloc(sizeof(obj *) * (size_t)argc);
    for (int j = 0; j < argc; j++) {
        op->argv[j] = argv[j];
        incrRefCount(argv[j]);
    }
}

void preventCommandPropagation(client *c) { c->flags |= CLIENT_PREVENT_PROP; }

static void propagateNow(int dbid, obj **argv, int argc, int target) {
    if (server.appendonly && (target & PROPAGATE_AOF)) feedAppendOnlyFile(dbid, argv, argc);
    if (target & PROPAGATE_REPL) replicationFeedReplicas(dbid, argv, argc);
}

/* One execution unit (a command, EXEC, an expired-key sweep) reaches replicas
 * atomically: several operations are wrapped in MULTI/EXEC. */
void propagatePendingCommands(void) {
    if (also_propagate.count == 0) return;
    int wrap = also_propagate.count > 1 && !server.propagate_no_multi;
    /* An EXEC propagating its own MULTI/EXEC is already wrapped. */
    if (wrap && also_propagate.ops[0].argc == 1 && !strcasecmp(objPtr(also_propagate.ops[0].argv[0]), "multi")) wrap = 0;
    if (wrap) {
        int dbid = also_propagate.ops[0].dbid;
        obj *m = shared.multi;
        propagateNow(dbid, &m, 1, PROPAGATE_AOF | PROPAGATE_REPL);
    }
    for (int i = 0; i < also_propagate.count; i++) {
        pendingOp *op = &also_propagate.ops[i];
        propagateNow(op->dbid, op->argv, op->argc, op->target);
    }
    if (wrap) {
        obj *e = shared.exec;
        propagateNow(also_propagate.ops[also_propagate.count - 1].dbid, &e, 1, PROPAGATE_AOF | PROPAGATE_REPL);
    }
    for (int i = 0; i < also_propagate.count; i++) {
        pendingOp *op = &also_propagate.ops[i];
        for (int j = 0; j < op->argc; j++) decrRefCount(op->argv[j]);
        zfree(op->argv);
    }
    also_propagate.count = 0;
}

void postExecutionUnitOperations(void) {
    if (server.execution_nesting) return;
    propagatePendingCommands();
}

int mustObeyClient(client *c) { return c->flags & (CLIENT_PRIMARY | CLIENT_FAKE) ? 1 : 0; }

/* ---------- slowlog (minimal, used by SLOWLOG) ---------- */
typedef struct slowlogEntry {
    obj **argv;
    int argc;
    long long id, duration;
    time_t time;
    bstr cname, peerid;
} slowlogEntry;

static void slowlogFreeEntry(void *p) {
    slowlogEntry *e = p;
    for (int j = 0; j < e->argc; j++) decrRefCount(e->argv[j]);
    zfree(e->argv);
    bstrFree(e->cname);
    bstrFree(e->peerid);
    zfree(e);
}

const char *getClientPeerId(client *c);

static void slowlogPush(client *c, obj **argv, int argc, long long duration) {
    if (server.slowlog_log_slower_than < 0 || duration < server.slowlog_log_slower_than) return;
    if (c->cmd && (c->cmd->flags & CMD_SKIP_SLOWLOG)) return;
    slowlogEntry *e = zmalloc(sizeof(*e));
    int n = argc > 32 ? 32 : argc;
    e->argc = n;
    e->argv = zmalloc(sizeof(obj *) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (j == n - 1 && n != argc) {
            e->argv[j] = createStringObjectFromBstr(bstrCatPrintf(bstrEmpty(), "... (%d more arguments)", argc - n + 1));
        } else if (sdsEncodedObject(argv[j]) && bstrLen(objPtr(argv[j])) > 128) {
            e->argv[j] = createStringObjectFromBstr(bstrCatPrintf(bstrNewLen(objPtr(argv[j]), 128), "... (%zu more bytes)", bstrLen(objPtr(argv[j])) - 128));
        } else {
            e->argv[j] = argv[j];
            incrRefCount(argv[j]);
        }
    }
    e->time = time(NULL);
    e->duration = duration;
    e->id = server.slowlog_entry_id++;
    e->peerid = bstrNew(c->fd != -1 ? getClientPeerId(c) : "");
    e->cname = bstrNew(c->name ? (char *)objPtr(c->name) : "");
    listAddNodeHead(server.slowlog, e);
    while (listLength(server.slowlog) > server.slowlog_max_len) listDelNode(server.slowlog, listLast(server.slowlog));
}

static void slowlogCommand(client *c) {
    const char *sub = objPtr(c->argv[1]);
    if (c->argc == 2 && !strcasecmp(sub, "help")) {
        const char *help[] = {"GET [<count>]", "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                              "    Entries are made of:", "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                              "    client name", "LEN", "    Return the length of the slowlog.", "RESET", "    Reset the slowlog.", NULL};
        addReplyHelp(c, help);
    } else if (c->argc == 2 && !strcasecmp(sub, "reset")) {
        listEmpty(server.slowlog);
        addReply(c, shared.ok);
    } else if (c->argc == 2 && !strcasecmp(sub, "len")) {
        addReplyLongLong(c, (long long)listLength(server.slowlog));
    } else if ((c->argc == 2 || c->argc == 3) && !strcasecmp(sub, "get")) {
        long count = 10;
        if (c->argc == 3) {
            long long ll;
            if (getLongLongFromObject(c->argv[2], &ll) != 0 || ll < -1) {
                addReplyError(c, "ERR count should be greater than or equal to -1");
                return;
            }
            count = ll == -1 ? (long)listLength(server.slowlog) : (long)ll;
        }
        if (count > (long)listLength(server.slowlog)) count = (long)listLength(server.slowlog);
        addReplyArrayLen(c, count);
        listIter li;
        listNode *ln;
        listRewind(server.slowlog, &li);
        while (count-- && (ln = listNext(&li))) {
            slowlogEntry *e = ln->value;
            addReplyArrayLen(c, 6);
            addReplyLongLong(c, e->id);
            addReplyLongLong(c, (long long)e->time);
            addReplyLongLong(c, e->duration);
            addReplyArrayLen(c, e->argc);
            for (int j = 0; j < e->argc; j++) addReplyBulk(c, e->argv[j]);
            addReplyBulkCBuffer(c, e->peerid, bstrLen(e->peerid));
            addReplyBulkCBuffer(c, e->cname, bstrLen(e->cname));
        }
    } else {
        addReplySubcommandSyntaxError(c);
    }
}

/* ---------- command execution ---------- */
static void incrErrorCount(const char *prefix, size_t len) {
    bstr key = bstrNewLen(prefix, len);
    htEntry *existing = NULL;
    htEntry *e = htAddRaw(server.errors, key, &existing);
    if (!e) {
        bstrFree(key);
        existing->v.s64++;
    } else {
        e->v.s64 = 1;
    }
}

/* Counts every error reply by its code (INFO errorstats) and marks the
 * command as failed. */
void afterErrorReply(client *c, const char *s, size_t len) {
    server.stat_total_error_replies++;
    if (s[0] == '-') { s++; len--; }
    size_t n = 0;
    while (n < len && s[n] != ' ' && n < 128) n++;
    if (htSize(server.errors) < 128 || htFind(server.errors, NULL) == NULL) incrErrorCount(s, n);
    if (c->cmd && server.execution_nesting) c->cmd->failed_calls++;
    if (c->flags & CLIENT_PRIMARY) {
        serverLog(LL_WARNING, "== CRITICAL == This replica is sending an error to its primary: '%.*s' after processing the command '%s'",
                  (int)len, s, c->cmd ? c->cmd->fullname : "<unknown>");
    }
}

void call(client *c, int flags) {
    serverCommand *real_cmd = c->realcmd = c->cmd;
    long long dirty_before = server.dirty;
    uint64_t client_old_flags = c->flags;
    c->flags &= ~CLIENT_PREVENT_PROP;
    /* One clock read serves both the command time snapshot and the duration. */
    ustime_t start = ustime();
    if (server.execution_nesting == 0) {
        cmd_time_snapshot = start / 1000;
        server.mstime = cmd_time_snapshot;
    }
    /* MONITOR sees the command as received, before it runs. */
    if (listLength(server.monitors) && !server.loading && !(c->cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN)))
        replicationFeedMonitors(c, server.monitors, c->db->id, c->argv, c->argc);
    server.execution_nesting++;
    client *prev_executing = server.executing_client;
    server.executing_client = c;
    c->cmd->proc(c);
    ustime_t duration = ustime() - start;
    server.executing_client = prev_executing;
    server.execution_nesting--;
    long long dirty = server.dirty - dirty_before;
    if (dirty < 0) dirty = 0;
    if (!(c->flags & CLIENT_BLOCKED)) {
        real_cmd->calls++;
        real_cmd->microseconds += duration;
        if (server.latency_tracking_enabled) latencyTrackCommand(real_cmd, duration);
        c->commands_processed++;
        if (!(c->cmd->flags & CMD_SKIP_SLOWLOG) && !(c->flags & CLIENT_BLOCKED)) slowlogPush(c, c->argv, c->argc, duration);
        if (!(c->cmd->flags & CMD_SKIP_SLOWLOG))
            latencyAddSampleIfNeeded((c->cmd->flags & CMD_FAST) ? "fast-command" : "command", duration / 1000);
    }
    if (dirty && (flags & CMD_CALL_PROPAGATE) && !(c->flags & CLIENT_PREVENT_PROP) && !(c->flags & CLIENT_PRIMARY) &&
        c->cmd && !(c->flags & CLIENT_BLOCKED)) {
        alsoPropagate(c->db->id, c->argv, c->argc, PROPAGATE_AOF | PROPAGATE_REPL);
    }
    /* Commands from our primary: their bytes are proxied verbatim; anything else
     * they caused (e.g. nothing, replicas don't expire) is dropped. */
    if (c->flags & CLIENT_PRIMARY) {
        if (server.execution_nesting == 0) {
            for (int i = 0; i < also_propagate.count; i++) {
                pendingOp *op = &also_propagate.ops[i];
                for (int j = 0; j < op->argc; j++) decrRefCount(op->argv[j]);
                zfree(op->argv);
            }
            also_propagate.count = 0;
        }
    }
    /* A replica's AOF records what its primary sends (an EXEC as its queued commands). */
    if (dirty && (c->flags & CLIENT_PRIMARY) && server.appendonly && c->cmd && strcasecmp(c->cmd->name, "exec"))
        feedAppendOnlyFile(c->db->id, c->argv, c->argc);
    c->flags &= ~CLIENT_PREVENT_PROP;
    c->flags |= client_old_flags & CLIENT_PREVENT_PROP;
    server.stat_numcommands++;
    if (server.execution_nesting == 0) {
        postExecutionUnitOperations();
        cmd_time_snapshot = 0;
    }
    /* After propagation: a client's own invalidations follow its reply. */
    if (server.tracking_active) trackingAfterCall(c);
}

static int isPubsubAllowedInResp2(serverCommand *cmd) {
    const char *n = cmd->parent ? cmd->parent->name : cmd->name;
    return !strcmp(n, "ping") || !strcmp(n, "subscribe") || !strcmp(n, "unsubscribe") || !strcmp(n, "psubscribe") ||
           !strcmp(n, "punsubscribe") || !strcmp(n, "ssubscribe") || !strcmp(n, "sunsubscribe") ||
           !strcmp(n, "quit") || !strcmp(n, "reset");
}

/* A rejected EXEC ends the transaction and names the reason in an EXECABORT
 * error, as Valkey does (also outside MULTI). err is a reply line with or
 * without its leading '-' and CRLF. Returns 0 when the command is not EXEC. */
static int rejectExec(client *c, const char *err, size_t len) {
    if (!c->cmd || c->cmd->parent || strcmp(c->cmd->name, "exec")) return 0;
    if (len && err[0] == '-') err++, len--;
    while (len && (err[len - 1] == '\r' || err[len - 1] == '\n')) len--;
    discardTransaction(c);
    addReplyErrorFormat(c, "EXECABORT Transaction discarded because of: %.*s", (int)len, err);
    return 1;
}

static void rejectCommand(client *c, obj *err) {
    flagTransaction(c);
    if (c->cmd) c->cmd->rejected_calls++;
    if (!rejectExec(c, objPtr(err), bstrLen(objPtr(err)))) addReplyErrorObject(c, err);
}

static void rejectCommandFormat(client *c, const char *fmt, ...) {
    flagTransaction(c);
    if (c->cmd) c->cmd->rejected_calls++;
    va_list ap;
    va_start(ap, fmt);
    bstr s = bstrCatVPrintf(bstrEmpty(), fmt, ap);
    va_end(ap);
    /* Valkey's abort text carries no "ERR " (other codes stay). */
    size_t skip = strncmp(s, "ERR ", 4) ? 0 : 4;
    if (rejectExec(c, s + skip, bstrLen(s) - skip)) bstrFree(s);
    else addReplyErrorSdsSafe(c, s);
}

int replicaIsLinkDown(void);
int scriptIsTimedout(void);
int scriptTimedoutIsFunction(void);
int performEvictions(void);

/* Returns 1 if the client is still valid after the command, 0 if it was freed. */
int processCommand(client *c) {
    c->cmd = c->lastcmd = c->realcmd = lookupCommand(c->argv, c->argc);
    if (!c->cmd) {
        serverCommand *parent = lookupCommandByCString(objPtr(c->argv[0]));
        if (parent && parent->subcommands && c->argc >= 2) {
            bstr cmd = bstrNew(objPtr(c->argv[0]));
            bstrToUpper(cmd);
            rejectCommandFormat(c, "ERR unknown subcommand '%.128s'. Try %s HELP.", (char *)objPtr(c->argv[1]), cmd);
            bstrFree(cmd);
        } else {
            bstr args = bstrEmpty();
            for (int i = 1; i < c->argc && bstrLen(args) < 128; i++)
                args = bstrCatPrintf(args, "'%.*s' ", (int)(128 - bstrLen(args)), (char *)objPtr(c->argv[i]));
            rejectCommandFormat(c, "ERR unknown command '%.128s', with args beginning with: %s", (char *)objPtr(c->argv[0]), args);
            bstrFree(args);
        }
        return 1;
    }
    if ((c->cmd->arity > 0 && c->cmd->arity != c->argc) || (c->argc < -c->cmd->arity)) {
        flagTransaction(c);
        c->cmd->rejected_calls++;
        addReplyErrorArity(c);
        return 1;
    }
    uint64_t flags = c->cmd->flags;
    int is_write = flags & CMD_WRITE;
    int is_denyoom = flags & CMD_DENYOOM;
    int is_exec = c->cmd->proc && !strcmp(c->cmd->name, "exec");
    int may_replicate = flags & (CMD_WRITE | CMD_MAY_REPLICATE);
    int is_read = flags & CMD_READONLY;
    if (is_exec && (c->flags & CLIENT_MULTI)) {
        /* EXEC's own flags come from the queued commands. */
        for (int j = 0; j < c->mstate.count; j++) {
            may_replicate |= c->mstate.commands[j].cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE);
            is_read |= c->mstate.commands[j].cmd->flags & CMD_READONLY;
            is_write |= c->mstate.commands[j].cmd->flags & CMD_WRITE;
            is_denyoom |= c->mstate.commands[j].cmd->flags & CMD_DENYOOM;
        }
    }
    if (aclAuthRequired(c) && !(flags & CMD_NO_AUTH) && !mustObeyClient(c)) {
        rejectCommand(c, shared.noautherr);
        return 1;
    }
    if ((c->flags & CLIENT_MULTI) && (flags & CMD_NO_MULTI)) {
        rejectCommandFormat(c, "ERR Command not allowed inside a transaction");
        return 1;
    }
    if (!aclCheckClientCommand(c)) return 1;   /* NOPERM already sent */
    /* A replica sends clients that can follow a redirect (CLIENT CAPA
     * redirect) to its primary for data access; READONLY keeps reads here. */
    if ((c->flags & CLIENT_CAPA_REDIRECT) && server.primary_host && !mustObeyClient(c) &&
        (is_write || (is_read && !(c->flags & CLIENT_READONLY)))) {
        rejectCommandFormat(c, "-REDIRECT %s:%d", server.primary_host, server.primary_port);
        return 1;
    }
    if (server.maxmemory && !mustObeyClient(c) && !server.loading && !pauseDatasetFrozen()) {
        int out_of_memory = performEvictions() == -1;
        /* Queueing in MULTI takes memory too: under OOM only EXEC (judged by
         * what it queued), DISCARD, QUIT and RESET get through. */
        int reject_on_oom = is_denyoom;
        if ((c->flags & CLIENT_MULTI) && !c->cmd->parent && !is_exec && strcmp(c->cmd->name, "discard") &&
            strcmp(c->cmd->name, "quit") && strcmp(c->cmd->name, "reset"))
            reject_on_oom = 1;
        if (out_of_memory && reject_on_oom) {
            rejectCommand(c, shared.oomerr);
            return 1;
        }
    }
    if (is_write && !mustObeyClient(c) && rdbWritesRefused() && !server.primary_host) {
        rejectCommand(c, shared.bgsaveerr);
        return 1;
    }
    if (is_write && !mustObeyClient(c) && server.repl_min_replicas_to_write && !server.primary_host &&
        server.repl_good_replicas_count < server.repl_min_replicas_to_write) {
        rejectCommand(c, shared.noreplicaserr);
        return 1;
    }
    if (server.primary_host && server.repl_replica_ro && !mustObeyClient(c) && is_write) {
        rejectCommand(c, shared.roreplicaerr);
        return 1;
    }
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2 && !isPubsubAllowedInResp2(c->cmd)) {
        rejectCommandFormat(c, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", c->cmd->fullname);
        return 1;
    }
    if (server.primary_host && !server.repl_serve_stale_data && replicaIsLinkDown() && !(flags & CMD_STALE) && !mustObeyClient(c)) {
        rejectCommand(c, shared.primarydownerr);
        return 1;
    }
    if (server.loading && !server.async_loading && !(flags & CMD_LOADING)) {
        rejectCommand(c, shared.loadingerr);
        return 1;
    }
    /* A script past busy-reply-threshold lets only allow_busy commands in. */
    if (scriptIsTimedout() && !(flags & CMD_ALLOW_BUSY)) {
        rejectCommand(c, scriptTimedoutIsFunction() ? shared.slowscripterr : shared.slowevalerr);
        return 1;
    }
    /* Checked before MULTI queueing, as Valkey does: a queued write waits too. */
    if (pauseShouldPostpone(c, may_replicate != 0)) {
        blockPostponeClient(c);
        return 1;
    }
    if ((c->flags & CLIENT_MULTI) && strcmp(c->cmd->name, "exec") && strcmp(c->cmd->name, "discard") &&
        strcmp(c->cmd->name, "multi") && strcmp(c->cmd->name, "watch") && strcmp(c->cmd->name, "quit") &&
        strcmp(c->cmd->name, "reset")) {
        queueMultiCommand(c, flags);
        addReply(c, shared.queued);
        return 1;
    }
    call(c, CMD_CALL_FULL);
    return 1;
}

/* ---------- monitors ---------- */
void replicationFeedMonitors(client *c, list *monitors, int dictid, obj **argv, int argc) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    bstr cmd = bstrCatPrintf(bstrEmpty(), "+%ld.%06ld ", (long)tv.tv_sec, (long)tv.tv_usec);
    if (c->flags & CLIENT_SCRIPT) cmd = bstrCatPrintf(cmd, "[%d lua] ", dictid);
    else if (c->flags & CLIENT_UNIX_SOCKET) cmd = bstrCatPrintf(cmd, "[%d unix:%s] ", dictid, server.unixsocket);
    else cmd = bstrCatPrintf(cmd, "[%d %s] ", dictid, c->fd == -1 ? "" : getClientPeerId(c));
    for (int j = 0; j < argc; j++) {
        char buf[32];
        size_t len;
        const char *p = objStrPtr(argv[j], buf, sizeof(buf), &len);
        cmd = bstrCatRepr(cmd, p, len);
        if (j != argc - 1) cmd = bstrCatLen(cmd, " ", 1);
    }
    cmd = bstrCatLen(cmd, "\r\n", 2);
    listIter li;
    listNode *ln;
    listRewind(monitors, &li);
    while ((ln = listNext(&li))) {
        client *m = ln->value;
        addReplyProto(m, cmd, bstrLen(cmd));
    }
    bstrFree(cmd);
}

/* ---------- cron and event-loop hooks ---------- */
#define run_with_period(ms) if (((ms) <= 1000 / server.hz) || !(server.cronloops % ((ms) / (1000 / server.hz))))

static void databasesCron(void) {
    if (server.active_expire_enabled && !pauseDatasetFrozen()) {
        if (!server.primary_host) {
            ustime_t start = ustime();
            activeExpireCycle(ACTIVE_EXPIRE_CYCLE_SLOW);
            latencyAddSampleIfNeeded("expire-cycle", (ustime() - start) / 1000);
        }
    }
    if (!hasActiveChildProcess()) {
        for (int j = 0; j < server.dbnum; j++) {
            kvtResizeIfNeeded(server.db[j].keys);
            htResizeIfNeeded(server.db[j].expires);
        }
        if (server.activerehashing) {
            for (int j = 0; j < server.dbnum; j++) {
                if (kvtIsRehashing(server.db[j].keys)) { kvtRehashMicroseconds(server.db[j].keys, 1000); break; }
                if (htIsRehashing(server.db[j].expires)) { htRehashMicroseconds(server.db[j].expires, 1000); break; }
            }
        }
    }
}

void prepareForShutdownAndExit(int flags);
void aofCron(void) __attribute__((weak));
void aofPrepareShutdown(void) __attribute__((weak));

static int serverCron(eventLoop *el, long long id, void *clientData) {
    updateCachedTime();
    server.hz = server.config_hz;
    if (server.hz < 1) server.hz = 1;
    server.lruclock = getLRUClock();
    size_t mem = zmalloc_used_memory();
    if (mem > server.stat_peak_memory) server.stat_peak_memory = mem;
    if (server.shutdown_asap) {
        server.shutdown_asap = 0;
        prepareForShutdownAndExit(0);
    }
    clientsCron();
    databasesCron();
    checkChildrenDone();
    rdbCron();
    if (aofCron) aofCron();
    run_with_period(1000) replicationCron();
    failoverCron();
    /* Also when idle: CONFIG SET may have lowered tracking-table-max-keys. */
    if (server.tracking_clients) trackingLimitUsedSlots();
    server.cronloops++;
    return 1000 / server.hz;
}

void htSetResizeEnabled(int enabled);
void flushAppendOnlyFile(int force) __attribute__((weak));

static void beforeSleep(eventLoop *el) {
    if (processEventsWhileBlockedDepth) {
        handleClientsWithPendingWrites();
        replFlushReplicaStreams();
        return;
    }
    updateCachedTime();
    handleBlockedClientsTimeout();
    pauseCheckEnd();
    processUnblockedClients();
    tlsProcessPendingData();
    if (server.active_expire_enabled && !server.primary_host && !pauseDatasetFrozen()) activeExpireCycle(ACTIVE_EXPIRE_CYCLE_FAST);
    handleClientsBlockedOnKeys();
    postExecutionUnitOperations();
    /* Queued before replies are written, so a BCAST client learns of a write
     * before the writer sees its reply. */
    if (server.tracking_clients) trackingBroadcastInvalidations();
    blockedBeforeSleep();
    /* AOF before replies: with appendfsync always a client sees only durable writes. */
    if (flushAppendOnlyFile) flushAppendOnlyFile(0);
    handleClientsWithPendingWrites();
    replFlushReplicaStreams();   /* after the replies: clients first, then the stream */
    htSetResizeEnabled(!hasActiveChildProcess());
    kvtSetResizeEnabled(!hasActiveChildProcess());
}

static void afterSleep(eventLoop *el) {
    if (!processEventsWhileBlockedDepth) updateCachedTime();
}

/* Used during long operations (loading) to keep serving clients. */
void processEventsWhileBlocked(void) {
    processEventsWhileBlockedDepth++;
    for (int iterations = 4; iterations; iterations--) {
        int events = elProcessEvents(server.el, EL_FILE_EVENTS | EL_DONT_WAIT | EL_CALL_BEFORE_SLEEP | EL_CALL_AFTER_SLEEP);
        events += handleClientsWithPendingWrites();
        if (!events) break;
    }
    processEventsWhileBlockedDepth--;
}

/* ---------- signals and shutdown ---------- */
static void sigShutdownHandler(int sig) {
    const char *msg = sig == SIGINT ? "Received SIGINT scheduling shutdown..." : "Received SIGTERM scheduling shutdown...";
    if (server.shutdown_asap && sig == SIGINT) {
        serverLogRaw(LL_WARNING, "You insist... exiting now.");
        exit(1);
    }
    serverLogRaw(LL_WARNING, msg);
    server.shutdown_asap = 1;
}

void setupSignalHandlers(void) {
    struct sigaction act = {0};
    sigemptyset(&act.sa_mask);
    act.sa_handler = sigShutdownHandler;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

void closeListeningSockets(int unlink_unix_socket);

/* Returns 0 when the server may exit now (after saving if configured). */
int prepareForShutdown(int flags) {
    serverLog(LL_NOTICE, "User requested shutdown...");
    killRDBChild();
    if (aofPrepareShutdown) aofPrepareShutdown();
    if (!(flags & 1 /* NOSAVE */) && ((flags & 2 /* SAVE */) || server.saveparamslen > 0)) {
        serverLog(LL_NOTICE, "Saving the final RDB snapshot before exiting.");
        if (rdbSaveOnShutdown() != 0) {
            if (!(flags & 4 /* FORCE */)) {
                serverLog(LL_WARNING, "Error trying to save the DB, can't exit.");
                return -1;
            }
        }
    }
    if (server.pidfile) unlink(server.pidfile);
    /* Let replicas catch up with what we already sent. */
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) writeToClient(ln->value, 0);
    closeListeningSockets(1);
    serverLog(LL_WARNING, "%s is now ready to exit, bye bye...", server.sentinel_mode ? "Sentinel" : "Valkey");
    return 0;
}

void prepareForShutdownAndExit(int flags) {
    if (prepareForShutdown(flags) == 0) exit(0);
}

/* ---------- init ---------- */
void initCommandTable(void);
int listenToPort(void);
int listenToUnixSocket(void);
int listenToTlsPort(void);

static htType errorsType = {htBstrHash, htBstrEqual, htBstrFree, NULL};
static uint64_t objKeyHash(const void *k) {
    const obj *o = k;
    return htGenHash(objPtr(o), bstrLen(objPtr(o)));
}
static int objKeyEqual(const void *a, const void *b) { return equalStringObjects((obj *)a, (obj *)b); }
static void objKeyFree(void *o) { decrRefCount(o); }
static void listValFree(void *l) { listRelease(l); }
htType objKeyListType = {objKeyHash, objKeyEqual, objKeyFree, listValFree};
htType objKeySetType = {objKeyHash, objKeyEqual, objKeyFree, NULL};
static uint64_t clientIdHash(const void *key) { uint64_t id = (uint64_t)(uintptr_t)key; return htGenHash(&id, sizeof(id)); }
static htType clientIdType = {clientIdHash, NULL, NULL, NULL};

void initServerState(void) {
    server.pid = getpid();
    /* A new identity for every start (INFO run_id), as Valkey does. */
    getRandomHexChars(server.runid, CONFIG_RUN_ID_SIZE);
    server.runid[CONFIG_RUN_ID_SIZE] = '\0';
    server.el = elCreate((int)server.maxclients + 128);
    if (!server.el) {
        serverLog(LL_WARNING, "Failed creating the event loop. Error message: '%s'", strerror(errno));
        exit(1);
    }
    server.clients = listCreate();
    server.clients_to_close = listCreate();
    server.clients_pending_write = listCreate();
    server.unblocked_clients = listCreate();
    server.replicas = listCreate();
    server.monitors = listCreate();
    server.ready_keys = listCreate();
    server.slowlog = listCreate();
    server.slowlog->free = slowlogFreeEntry;
    server.clients_index = htCreate(&clientIdType);
    server.errors = htCreate(&errorsType);
    server.next_client_id = 1;
    server.sofd = -1;
    server.child_pid = -1;
    server.db = zcalloc(sizeof(serverDb) * (size_t)server.dbnum);
    for (int j = 0; j < server.dbnum; j++) {
        server.db[j].keys = kvtCreate(&dbKeysType);
        server.db[j].expires = htCreate(&dbExpiresType);
        server.db[j].blocking_keys = htCreate(&objKeyListType);
        server.db[j].ready_keys = htCreate(&objKeySetType);
        server.db[j].watched_keys = htCreate(&objKeyListType);
        server.db[j].id = j;
    }
    server.pubsub_channels = htCreate(&objKeyListType);
    server.pubsub_patterns = htCreate(&objKeyListType);
    server.stat_starttime = time(NULL);
    server.lastsave = time(NULL);
    server.lastbgsave_status = 0;
    updateCachedTime();
    server.lruclock = getLRUClock();
    createSharedObjects();
    setupSignalHandlers();
}

/* Every command and subcommand, parents before their children. */
void serverForEachCommand(void (*fn)(serverCommand *cmd, void *arg), void *arg) {
    htIterator it;
    htInitIterator(&it, server.commands);
    htEntry *e;
    while ((e = htNext(&it))) {
        serverCommand *cmd = e->v.val;
        fn(cmd, arg);
        if (!cmd->subcommands) continue;
        htIterator it2;
        htInitIterator(&it2, cmd->subcommands);
        htEntry *e2;
        while ((e2 = htNext(&it2))) fn(e2->v.val, arg);
        htResetIterator(&it2);
    }
    htResetIterator(&it);
}

static void resetCommandStats(serverCommand *cmd, void *arg) {
    (void)arg;
    cmd->calls = cmd->failed_calls = cmd->rejected_calls = cmd->microseconds = 0;
    latencyResetCommandHistogram(cmd);
}

void resetServerStats(void) {
    server.stat_numcommands = server.stat_numconnections = server.stat_rejected_conn = 0;
    server.stat_expiredkeys = server.stat_evictedkeys = 0;
    server.stat_keyspace_hits = server.stat_keyspace_misses = 0;
    server.stat_net_input_bytes = server.stat_net_output_bytes = 0;
    server.stat_net_repl_input_bytes = server.stat_net_repl_output_bytes = 0;
    server.stat_total_error_replies = server.stat_unexpected_error_replies = 0;
    server.stat_sync_full = server.stat_sync_partial_ok = server.stat_sync_partial_err = 0;
    server.stat_client_qbuf_limit_disconnections = server.stat_client_outbuf_limit_disconnections = 0;
    server.stat_total_forks = server.stat_fork_time = 0;
    server.stat_io_reads_processed = server.stat_io_writes_processed = 0;
    server.stat_peak_memory = zmalloc_used_memory();
    htEmpty(server.errors, NULL);
    serverForEachCommand(resetCommandStats, NULL);
}

int startServerListeners(void) {
    if (listenToPort() == -1) {
        serverLog(LL_WARNING, "Failed listening on port %d (tcp), aborting.", server.port);
        return -1;
    }
    if (tlsInit() == -1) return -1;
    if (listenToTlsPort() == -1) {
        serverLog(LL_WARNING, "Failed listening on port %d (tls), aborting.", server.tls_port);
        return -1;
    }
    if (listenToUnixSocket() == -1) return -1;
    if (server.ipfd_count == 0 && server.tlsfd_count == 0 && server.sofd < 0) {
        serverLog(LL_WARNING, "Configured to not listen anywhere, exiting.");
        return -1;
    }
    if (elCreateTimeEvent(server.el, 1, serverCron, NULL) == -1) return -1;
    elSetBeforeSleepProc(server.el, beforeSleep);
    elSetAfterSleepProc(server.el, afterSleep);
    return 0;
}

/* Per-subcommand arity and "unknown subcommand" errors come from dispatch. */
static const serverCommandDef slowlogSubcommands[] = {
    {.name = "get", .proc = slowlogCommand, .arity = -2, .flags = "admin loading stale", .group = "server",
     .summary = "Returns the slow log's entries.", .since = "2.2.12", .complexity = "O(N) where N is the number of entries returned", .args = "[count]"},
    {.name = "help", .proc = slowlogCommand, .arity = 2, .flags = "loading stale", .group = "server",
     .summary = "Shows helpful text about the different subcommands.", .since = "6.2.0", .complexity = "O(1)"},
    {.name = "len", .proc = slowlogCommand, .arity = 2, .flags = "admin loading stale", .group = "server",
     .summary = "Returns the number of entries in the slow log.", .since = "2.2.12", .complexity = "O(1)"},
    {.name = "reset", .proc = slowlogCommand, .arity = 2, .flags = "admin loading stale", .group = "server",
     .summary = "Clears all entries from the slow log.", .since = "2.2.12", .complexity = "O(N) where N is the number of entries in the slowlog"},
    {0}};

const serverCommandDef slowlogCommandTable[] = {
    {"slowlog", slowlogCommand, -2, "", 0, 0, 0, "server", "A container for slow log commands.", "2.2.12", "Depends on subcommand.", NULL, slowlogSubcommands, "subcommand [arg ...]"},
    {0}};
