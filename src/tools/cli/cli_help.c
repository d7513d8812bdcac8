/* valkey-cli help: a small built-in table of commands, replaced at startup by
 * the server's own COMMAND DOCS when the server provides it (so help always
 * matches the server we talk to). Also serves tab completion and hints. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct cliHelpEntry {
    char *name;     /* upper case; "CLIENT KILL" for subcommands */
    char *params;
    char *summary;
    char *group;
    char *since;
} cliHelpEntry;

/* name, params, summary, group, since. Summaries are our own words. */
static const char *cliBuiltinHelp[][5] = {
    {"APPEND", "key value", "Appends a value to the string stored at a key.", "string", "2.0.0"},
    {"AUTH", "[username] password", "Authenticates the connection.", "connection", "1.0.0"},
    {"BGREWRITEAOF", "", "Rewrites the append-only file in the background.", "server", "1.0.0"},
    {"BGSAVE", "[SCHEDULE]", "Saves the dataset to disk in the background.", "server", "1.0.0"},
    {"BITCOUNT", "key [start end [BYTE | BIT]]", "Counts the bits set in a string.", "bitmap", "2.6.0"},
    {"BLPOP", "key [key ...] timeout", "Pops the first element of a list, blocking until one is available.", "list", "2.0.0"},
    {"BRPOP", "key [key ...] timeout", "Pops the last element of a list, blocking until one is available.", "list", "2.0.0"},
    {"CLIENT", "subcommand [argument ...]", "Container for client connection commands.", "connection", "2.4.0"},
    {"COMMAND", "[subcommand [argument ...]]", "Describes the commands of the server.", "server", "2.8.13"},
    {"CONFIG", "subcommand [argument ...]", "Container for server configuration commands.", "server", "2.0.0"},
    {"DBSIZE", "", "Returns the number of keys in the current database.", "server", "1.0.0"},
    {"DECR", "key", "Decrements the integer value of a key by one.", "string", "1.0.0"},
    {"DECRBY", "key decrement", "Decrements the integer value of a key by a number.", "string", "1.0.0"},
    {"DEL", "key [key ...]", "Deletes one or more keys.", "generic", "1.0.0"},
    {"DISCARD", "", "Throws away the commands queued since MULTI.", "transactions", "2.0.0"},
    {"DUMP", "key", "Returns the serialized value of a key.", "generic", "2.6.0"},
    {"ECHO", "message", "Returns the given string.", "connection", "1.0.0"},
    {"EVAL", "script numkeys [key [key ...]] [arg [arg ...]]", "Runs a Lua script on the server.", "scripting", "2.6.0"},
    {"EVALSHA", "sha1 numkeys [key [key ...]] [arg [arg ...]]", "Runs a cached Lua script by its SHA1.", "scripting", "2.6.0"},
    {"EXEC", "", "Runs the commands queued since MULTI.", "transactions", "1.2.0"},
    {"EXISTS", "key [key ...]", "Counts how many of the given keys exist.", "generic", "1.0.0"},
    {"EXPIRE", "key seconds [NX | XX | GT | LT]", "Sets a key's time to live in seconds.", "generic", "1.0.0"},
    {"FLUSHALL", "[ASYNC | SYNC]", "Removes the keys of all databases.", "server", "1.0.0"},
    {"FLUSHDB", "[ASYNC | SYNC]", "Removes the keys of the current database.", "server", "1.0.0"},
    {"GEOADD", "key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]", "Adds members with coordinates to a geospatial index.", "geo", "3.2.0"},
    {"GET", "key", "Returns the string value of a key.", "string", "1.0.0"},
    {"GETDEL", "key", "Returns the string value of a key and deletes it.", "string", "6.2.0"},
    {"GETRANGE", "key start end", "Returns a substring of a string value.", "string", "2.4.0"},
    {"HDEL", "key field [field ...]", "Deletes fields from a hash.", "hash", "2.0.0"},
    {"HELLO", "[protover [AUTH username password] [SETNAME clientname]]", "Handshakes with the server, optionally switching protocol.", "connection", "6.0.0"},
    {"HEXISTS", "key field", "Tells whether a field exists in a hash.", "hash", "2.0.0"},
    {"HGET", "key field", "Returns the value of a hash field.", "hash", "2.0.0"},
    {"HGETALL", "key", "Returns all fields and values of a hash.", "hash", "2.0.0"},
    {"HINCRBY", "key field increment", "Increments the integer value of a hash field.", "hash", "2.0.0"},
    {"HKEYS", "key", "Returns all fields of a hash.", "hash", "2.0.0"},
    {"HLEN", "key", "Returns the number of fields of a hash.", "hash", "2.0.0"},
    {"HMGET", "key field [field ...]", "Returns the values of several hash fields.", "hash", "2.0.0"},
    {"HSET", "key field value [field value ...]", "Sets fields of a hash.", "hash", "2.0.0"},
    {"HVALS", "key", "Returns all values of a hash.", "hash", "2.0.0"},
    {"INCR", "key", "Increments the integer value of a key by one.", "string", "1.0.0"},
    {"INCRBY", "key increment", "Increments the integer value of a key by a number.", "string", "1.0.0"},
    {"INFO", "[section [section ...]]", "Returns information and statistics about the server.", "server", "1.0.0"},
    {"KEYS", "pattern", "Returns the keys matching a pattern.", "generic", "1.0.0"},
    {"LINDEX", "key index", "Returns an element of a list by its index.", "list", "1.0.0"},
    {"LLEN", "key", "Returns the length of a list.", "list", "1.0.0"},
    {"LPOP", "key [count]", "Removes and returns the first elements of a list.", "list", "1.0.0"},
    {"LPUSH", "key element [element ...]", "Prepends elements to a list.", "list", "1.0.0"},
    {"LRANGE", "key start stop", "Returns a range of elements of a list.", "list", "1.0.0"},
    {"LREM", "key count element", "Removes elements equal to a value from a list.", "list", "1.0.0"},
    {"MGET", "key [key ...]", "Returns the values of several keys.", "string", "1.0.0"},
    {"MONITOR", "", "Streams every command the server processes.", "server", "1.0.0"},
    {"MSET", "key value [key value ...]", "Sets several keys at once.", "string", "1.0.1"},
    {"MULTI", "", "Starts a transaction.", "transactions", "1.2.0"},
    {"OBJECT", "subcommand [argument ...]", "Container for object introspection commands.", "generic", "2.2.3"},
    {"PERSIST", "key", "Removes the expiration of a key.", "generic", "2.2.0"},
    {"PEXPIRE", "key milliseconds [NX | XX | GT | LT]", "Sets a key's time to live in milliseconds.", "generic", "2.6.0"},
    {"PFADD", "key [element [element ...]]", "Adds elements to a HyperLogLog.", "hyperloglog", "2.8.9"},
    {"PFCOUNT", "key [key ...]", "Estimates the cardinality of HyperLogLogs.", "hyperloglog", "2.8.9"},
    {"PFMERGE", "destkey [sourcekey [sourcekey ...]]", "Merges HyperLogLogs into one.", "hyperloglog", "2.8.9"},
    {"PING", "[message]", "Checks that the server answers.", "connection", "1.0.0"},
    {"PSUBSCRIBE", "pattern [pattern ...]", "Listens for messages on channels matching patterns.", "pubsub", "2.0.0"},
    {"PTTL", "key", "Returns a key's time to live in milliseconds.", "generic", "2.6.0"},
    {"PUBLISH", "channel message", "Posts a message to a channel.", "pubsub", "2.0.0"},
    {"QUIT", "", "Closes the connection.", "connection", "1.0.0"},
    {"RENAME", "key newkey", "Renames a key.", "generic", "1.0.0"},
    {"RPOP", "key [count]", "Removes and returns the last elements of a list.", "list", "1.0.0"},
    {"RPUSH", "key element [element ...]", "Appends elements to a list.", "list", "1.0.0"},
    {"SADD", "key member [member ...]", "Adds members to a set.", "set", "1.0.0"},
    {"SAVE", "", "Saves the dataset to disk synchronously.", "server", "1.0.0"},
    {"SCAN", "cursor [MATCH pattern] [COUNT count] [TYPE type]", "Iterates over the keys of the database.", "generic", "2.8.0"},
    {"SCARD", "key", "Returns the number of members of a set.", "set", "1.0.0"},
    {"SELECT", "index", "Changes the selected database.", "connection", "1.0.0"},
    {"SET", "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]", "Sets the string value of a key.", "string", "1.0.0"},
    {"SETEX", "key seconds value", "Sets a value and a time to live in seconds.", "string", "2.0.0"},
    {"SETNX", "key value", "Sets a value only when the key does not exist.", "string", "1.0.0"},
    {"SHUTDOWN", "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]", "Stops the server.", "server", "1.0.0"},
    {"SISMEMBER", "key member", "Tells whether a value is a member of a set.", "set", "1.0.0"},
    {"SMEMBERS", "key", "Returns all members of a set.", "set", "1.0.0"},
    {"SREM", "key member [member ...]", "Removes members from a set.", "set", "1.0.0"},
    {"STRLEN", "key", "Returns the length of a string value.", "string", "2.2.0"},
    {"SUBSCRIBE", "channel [channel ...]", "Listens for messages on channels.", "pubsub", "2.0.0"},
    {"TTL", "key", "Returns a key's time to live in seconds.", "generic", "1.0.0"},
    {"TYPE", "key", "Returns the type of the value stored at a key.", "generic", "1.0.0"},
    {"UNLINK", "key [key ...]", "Deletes keys, freeing memory in the background.", "generic", "4.0.0"},
    {"UNSUBSCRIBE", "[channel [channel ...]]", "Stops listening on channels.", "pubsub", "2.0.0"},
    {"WATCH", "key [key ...]", "Watches keys to make the next transaction conditional.", "transactions", "2.2.0"},
    {"XADD", "key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]", "Appends an entry to a stream.", "stream", "5.0.0"},
    {"XLEN", "key", "Returns the number of entries of a stream.", "stream", "5.0.0"},
    {"XRANGE", "key start end [COUNT count]", "Returns a range of stream entries.", "stream", "5.0.0"},
    {"ZADD", "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]", "Adds members with scores to a sorted set.", "sorted-set", "1.2.0"},
    {"ZCARD", "key", "Returns the number of members of a sorted set.", "sorted-set", "1.2.0"},
    {"ZRANGE", "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]", "Returns a range of members of a sorted set.", "sorted-set", "1.2.0"},
    {"ZREM", "key member [member ...]", "Removes members from a sorted set.", "sorted-set", "1.2.0"},
    {"ZSCORE", "key member", "Returns the score of a member of a sorted set.", "sorted-set", "1.2.0"},
};

static cliHelpEntry *cliHelp = NULL;
static size_t cliHelpLen = 0, cliHelpCap = 0;
static char **cliGroups = NULL;
static size_t cliGroupsLen = 0;

static char *cliUpperDup(const char *s) {
    char *d = zstrdup(s);
    for (char *p = d; *p; p++) *p = (char)toupper((unsigned char)*p);
    return d;
}

static void cliHelpAdd(const char *name, const char *params, const char *summary, const char *group,
                       const char *since) {
    if (cliHelpLen == cliHelpCap) {
        cliHelpCap = cliHelpCap ? cliHelpCap * 2 : 256;
        cliHelp = zrealloc(cliHelp, sizeof(cliHelpEntry) * cliHelpCap);
    }
    cliHelpEntry *e = &cliHelp[cliHelpLen++];
    e->name = cliUpperDup(name);
    e->params = zstrdup(params ? params : "");
    e->summary = zstrdup(summary ? summary : "");
    e->group = zstrdup(group ? group : "generic");
    e->since = zstrdup(since ? since : "");
    for (size_t i = 0; i < cliGroupsLen; i++)
        if (!strcmp(cliGroups[i], e->group)) return;
    cliGroups = zrealloc(cliGroups, sizeof(char *) * (cliGroupsLen + 1));
    cliGroups[cliGroupsLen++] = zstrdup(e->group);
}

static void cliHelpClear(void) {
    for (size_t i = 0; i < cliHelpLen; i++) {
        zfree(cliHelp[i].name);
        zfree(cliHelp[i].params);
        zfree(cliHelp[i].summary);
        zfree(cliHelp[i].group);
        zfree(cliHelp[i].since);
    }
    cliHelpLen = 0;
    for (size_t i = 0; i < cliGroupsLen; i++) zfree(cliGroups[i]);
    cliGroupsLen = 0;
}

void cliHelpInit(void) {
    cliHelpClear();
    for (size_t i = 0; i < sizeof(cliBuiltinHelp) / sizeof(cliBuiltinHelp[0]); i++) {
        const char **r = cliBuiltinHelp[i];
        cliHelpAdd(r[0], r[1], r[2], r[3], r[4]);
    }
}

/* Looks up `key` in a RESP map given as a flat list of pairs (RESP2 or RESP3). */
static const respValue *cliMapGet(const respValue *m, const char *key) {
    if (!m || (m->type != RESP_T_MAP && m->type != RESP_T_ARRAY)) return NULL;
    for (size_t i = 0; i + 1 < m->elements; i += 2) {
        const respValue *k = m->element[i];
        if (k->str && !strcasecmp(k->str, key)) return m->element[i + 1];
    }
    return NULL;
}

static const char *cliMapStr(const respValue *m, const char *key) {
    const respValue *v = cliMapGet(m, key);
    return v && v->str ? v->str : NULL;
}

static int cliHasFlag(const respValue *arg, const char *flag) {
    const respValue *f = cliMapGet(arg, "flags");
    if (!f) return 0;
    for (size_t i = 0; i < f->elements; i++)
        if (f->element[i]->str && !strcasecmp(f->element[i]->str, flag)) return 1;
    return 0;
}

static bstr cliSynopsisArgs(bstr out, const respValue *args, const char *sep);

/* One argument of COMMAND DOCS as the help line shows it. */
static bstr cliSynopsisArg(bstr out, const respValue *arg, int toplevel) {
    const char *type = cliMapStr(arg, "type");
    const char *name = cliMapStr(arg, "display_text");
    if (!name) name = cliMapStr(arg, "name");
    const char *token = cliMapStr(arg, "token");
    int optional = cliHasFlag(arg, "optional");
    int multiple = cliHasFlag(arg, "multiple");
    int multiple_token = cliHasFlag(arg, "multiple_token");
    bstr one = bstrEmpty();
    if (token) one = bstrCat(one, token);
    if (type && !strcmp(type, "pure-token")) {
        /* the token alone */
    } else if (type && (!strcmp(type, "oneof") || !strcmp(type, "block"))) {
        const respValue *sub = cliMapGet(arg, "arguments");
        int oneof = !strcmp(type, "oneof");
        bstr inner = cliSynopsisArgs(bstrEmpty(), sub, oneof ? " | " : " ");
        if (token) one = bstrCat(one, " ");
        /* A mandatory choice is bracketed so it reads as one unit. */
        if (oneof && !optional) one = bstrCatPrintf(one, "<%s>", inner);
        else one = bstrCatBstr(one, inner);
        bstrFree(inner);
    } else {
        if (token) one = bstrCat(one, " ");
        one = bstrCat(one, name ? name : "arg");
    }
    bstr full = bstrDup(one);
    if (multiple) {
        if (multiple_token || !token) full = bstrCatPrintf(full, " [%s ...]", one);
        else {
            bstr rest = bstrNew(one + strlen(token) + 1);
            full = bstrCatPrintf(full, " [%s ...]", rest);
            bstrFree(rest);
        }
    }
    if (optional) out = bstrCatPrintf(out, "[%s]", full);
    else out = bstrCatBstr(out, full);
    bstrFree(one);
    bstrFree(full);
    return out;
}

static bstr cliSynopsisArgs(bstr out, const respValue *args, const char *sep) {
    if (!args) return out;
    for (size_t i = 0; i < args->elements; i++) {
        if (i > 0) out = bstrCat(out, sep);
        out = cliSynopsisArg(out, args->element[i], 0);
    }
    return out;
}

static void cliHelpAddFromDocs(const char *name, const respValue *doc) {
    const respValue *args = cliMapGet(doc, "arguments");
    bstr params = bstrEmpty();
    if (args) {
        for (size_t i = 0; i < args->elements; i++) {
            if (i > 0) params = bstrCat(params, " ");
            params = cliSynopsisArg(params, args->element[i], 1);
        }
    }
    const respValue *subs = cliMapGet(doc, "subcommands");
    cliHelpAdd(name, params, cliMapStr(doc, "summary"), cliMapStr(doc, "group"), cliMapStr(doc, "since"));
    bstrFree(params);
    if (!subs) return;
    for (size_t i = 0; i + 1 < subs->elements; i += 2) {
        const char *sub = subs->element[i]->str;
        if (!sub) continue;
        /* "client|kill" is shown as "CLIENT KILL". */
        char *disp = zstrdup(sub);
        for (char *p = disp; *p; p++) if (*p == '|') *p = ' ';
        cliHelpAddFromDocs(disp, subs->element[i + 1]);
        zfree(disp);
    }
}

static int cliHelpCmp(const void *a, const void *b) {
    const cliHelpEntry *x = a, *y = b;
    return strcmp(x->name, y->name);
}

void cliHelpLoadFromServer(void) {
    if (!cliLink) return;
    respValue *v = cliCommandf(cliLink, "COMMAND DOCS");
    if (!v) return;
    if ((v->type == RESP_T_ARRAY || v->type == RESP_T_MAP) && v->elements >= 2) {
        cliHelpClear();
        for (size_t i = 0; i + 1 < v->elements; i += 2)
            if (v->element[i]->str) cliHelpAddFromDocs(v->element[i]->str, v->element[i + 1]);
        qsort(cliHelp, cliHelpLen, sizeof(cliHelpEntry), cliHelpCmp);
    }
    respValueFree(v);
}

static void cliHelpPrintEntry(const cliHelpEntry *e, int with_group) {
    printf("\n  \x1b[1m%s\x1b[0m \x1b[90m%s\x1b[0m\n", e->name, e->params);
    printf("  \x1b[33msummary:\x1b[0m %s\n", e->summary);
    printf("  \x1b[33msince:\x1b[0m %s\n", e->since);
    if (with_group) printf("  \x1b[33mgroup:\x1b[0m %s\n", e->group);
}

static void cliHelpPrintPlain(const cliHelpEntry *e, int with_group) {
    printf("\n  %s %s\n", e->name, e->params);
    printf("  summary: %s\n", e->summary);
    printf("  since: %s\n", e->since);
    if (with_group) printf("  group: %s\n", e->group);
}

static void cliHelpShow(const cliHelpEntry *e, int with_group) {
    /* Escape codes only make sense on a terminal. */
    if (isatty(1))
        cliHelpPrintEntry(e, with_group);
    else
        cliHelpPrintPlain(e, with_group);
}

static void cliHelpGeneral(void) {
    printf("valkey-cli %s\n"
           "To get help about Valkey commands type:\n"
           "      \"help @<group>\" to get a list of commands in <group>\n"
           "      \"help <command>\" for help on <command>\n"
           "      \"help <tab>\" to get a list of possible help topics\n"
           "      \"quit\" to exit\n"
           "\n"
           "To set valkey-cli preferences:\n"
           "      \":set hints\" enable online hints\n"
           "      \":set nohints\" disable online hints\n"
           "Set your preferences in ~/.valkeyclirc\n",
           CLI_VERSION);
}

/* argv[0] is "help". */
void cliHelpCommand(int argc, bstr *argv) {
    if (argc <= 1) {
        cliHelpGeneral();
        return;
    }
    if (argv[1][0] == '@') {
        int found = 0;
        for (size_t i = 0; i < cliHelpLen; i++) {
            if (strcasecmp(cliHelp[i].group, argv[1] + 1)) continue;
            cliHelpShow(&cliHelp[i], 0);
            found = 1;
        }
        if (found) printf("\n");
        return;
    }
    bstr want = bstrEmpty();
    for (int i = 1; i < argc; i++) {
        if (i > 1) want = bstrCat(want, " ");
        want = bstrCatBstr(want, argv[i]);
    }
    for (size_t i = 0; i < cliHelpLen; i++) {
        if (strcasecmp(cliHelp[i].name, want)) continue;
        cliHelpShow(&cliHelp[i], 1);
        printf("\n");
        break;
    }
    bstrFree(want);
}

/* idx-th completion (0-based) of `prefix`, following its case; NULL when done.
 * The returned string is valid until the next call. */
const char *cliHelpCompletion(const char *prefix, int idx) {
    static char buf[256];
    size_t plen = strlen(prefix);
    int lower = plen > 0 && islower((unsigned char)prefix[0]);
    int n = 0;
    for (size_t i = 0; i < cliHelpLen; i++) {
        if (strchr(cliHelp[i].name, ' ')) continue;
        if (strncasecmp(cliHelp[i].name, prefix, plen)) continue;
        if (n++ != idx) continue;
        snprintf(buf, sizeof(buf), "%s", cliHelp[i].name);
        if (lower)
            for (char *p = buf; *p; p++) *p = (char)tolower((unsigned char)*p);
        return buf;
    }
    for (size_t i = 0; i < cliGroupsLen; i++) {
        char topic[128];
        snprintf(topic, sizeof(topic), "@%s", cliGroups[i]);
        if (plen == 0 || strncasecmp(topic, prefix, plen)) continue;
        if (n++ != idx) continue;
        snprintf(buf, sizeof(buf), "%s", topic);
        return buf;
    }
    return NULL;
}

/* Number of leading words of argv naming `name` ("CLIENT KILL" needs two), 0 if none. */
static int cliHelpNameWords(const char *name, int argc, bstr *argv) {
    const char *sp = strchr(name, ' ');
    if (!sp) return strcasecmp(name, argv[0]) ? 0 : 1;
    size_t first = (size_t)(sp - name);
    if (argc < 2 || strlen(argv[0]) != first || strncasecmp(name, argv[0], first)) return 0;
    return strcasecmp(sp + 1, argv[1]) ? 0 : 2;
}

/* The synopsis still to type after `line`, valkey-cli style: the entry with the
 * longest matching name, one synopsis word dropped per argument typed, but
 * optional parts ("[...") are never dropped since the user may have skipped
 * them. A leading space is added when the line does not end with one, so the
 * hint never touches the word being typed. NULL when nothing is left. */
const char *cliHelpHint(const char *line) {
    static char buf[1024];
    int argc;
    bstr *argv = bstrSplitArgs(line, &argc);
    if (!argv) return NULL;
    const cliHelpEntry *best = NULL;
    int matched = 0;
    for (size_t i = 0; argc > 0 && i < cliHelpLen; i++) {
        int w = cliHelpNameWords(cliHelp[i].name, argc, argv);
        if (w > matched) {
            matched = w;
            best = &cliHelp[i];
        }
    }
    bstrFreeSplit(argv, argc);
    if (!best) return NULL;
    const char *p = best->params;
    for (int left = argc - matched; left > 0 && *p && *p != '['; left--) {
        while (*p && *p != ' ') p++;
        while (*p == ' ') p++;
    }
    if (!*p) return NULL;
    size_t len = strlen(line);
    int endspace = len > 0 && isspace((unsigned char)line[len - 1]);
    snprintf(buf, sizeof(buf), "%s%s", endspace ? "" : " ", p);
    return buf;
}
