/* registry: builds the runtime command table from each family's declarative
 * rows, and serves COMMAND (COUNT/LIST/INFO/DOCS/GETKEYS). Family tables are
 * weak references so a family can land independently of the others. */
#include "server/server.h"
#include "commands/cmddocs.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define FAMILY(name) extern const serverCommandDef name[] __attribute__((weak));
FAMILY(serverCommandTable)
FAMILY(connectionCommandTable)
FAMILY(stringCommandTable)
FAMILY(keysCommandTable)
FAMILY(listCommandTable)
FAMILY(hashCommandTable)
FAMILY(setCommandTable)
FAMILY(zsetCommandTable)
FAMILY(sortCommandTable)
FAMILY(rdbCommandTable)
FAMILY(replicationCommandTable)
FAMILY(configCommandTable)
FAMILY(debugCommandTable)
FAMILY(memoryCommandTable)
FAMILY(multiCommandTable)
FAMILY(pubsubCommandTable)
FAMILY(clientCommandTable)
FAMILY(slowlogCommandTable)
FAMILY(bitmapCommandTable)
FAMILY(scriptingCommandTable)
FAMILY(aofCommandTable)
FAMILY(aclCommandTable)
FAMILY(latencyCommandTable)
FAMILY(streamCommandTable)
FAMILY(hyperloglogCommandTable)
FAMILY(geoCommandTable)
FAMILY(infoCommandTable)
FAMILY(commandCommandTable)
FAMILY(clusterCommandTable)

static const serverCommandDef *const *familyTables(void) {
    static const serverCommandDef *tables[64];
    int n = 0;
#define ADD(t) if (t) tables[n++] = t;
    ADD(serverCommandTable) ADD(connectionCommandTable) ADD(stringCommandTable) ADD(keysCommandTable)
    ADD(listCommandTable) ADD(hashCommandTable) ADD(setCommandTable) ADD(zsetCommandTable)
    ADD(sortCommandTable) ADD(rdbCommandTable) ADD(replicationCommandTable) ADD(configCommandTable)
    ADD(debugCommandTable) ADD(memoryCommandTable) ADD(multiCommandTable) ADD(pubsubCommandTable)
    ADD(clientCommandTable) ADD(slowlogCommandTable) ADD(bitmapCommandTable) ADD(scriptingCommandTable)
    ADD(aofCommandTable) ADD(aclCommandTable) ADD(latencyCommandTable) ADD(streamCommandTable)
    ADD(hyperloglogCommandTable) ADD(geoCommandTable) ADD(infoCommandTable) ADD(commandCommandTable)
    ADD(clusterCommandTable)
#undef ADD
    tables[n] = NULL;
    return tables;
}

static const struct { const char *name; uint64_t flag; } flagNames[] = {
    {"write", CMD_WRITE}, {"readonly", CMD_READONLY}, {"denyoom", CMD_DENYOOM}, {"module", CMD_MODULE},
    {"admin", CMD_ADMIN}, {"pubsub", CMD_PUBSUB}, {"noscript", CMD_NOSCRIPT}, {"blocking", CMD_BLOCKING},
    {"loading", CMD_LOADING}, {"stale", CMD_STALE}, {"skip_monitor", CMD_SKIP_MONITOR},
    {"skip_slowlog", CMD_SKIP_SLOWLOG}, {"asking", CMD_ASKING}, {"fast", CMD_FAST}, {"no_auth", CMD_NO_AUTH},
    {"may_replicate", CMD_MAY_REPLICATE}, {"no_mandatory_keys", CMD_NO_MANDATORY_KEYS},
    {"no_async_loading", CMD_NO_ASYNC_LOADING}, {"no_multi", CMD_NO_MULTI}, {"movablekeys", CMD_MOVABLE_KEYS},
    {"allow_busy", CMD_ALLOW_BUSY}, {"protected", CMD_PROTECTED}, {"sentinel", CMD_SENTINEL},
    {"only_sentinel", CMD_ONLY_SENTINEL}, {"touches_arbitrary_keys", CMD_TOUCHES_ARBITRARY_KEYS}, {NULL, 0}};

/* ACL categories, in Valkey's bit order. */
static const char *aclCategoryNames[] = {"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
                                         "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
                                         "blocking", "dangerous", "connection", "transaction", "scripting", NULL};
static int aclCategoryIndex(const char *name) {
    for (int i = 0; aclCategoryNames[i]; i++) if (!strcmp(aclCategoryNames[i], name)) return i;
    return -1;
}
/* Exported for security/acl.c (ACL CAT, +@category rules). */
int commandAclCategoryIndex(const char *name) {
    for (int i = 0; aclCategoryNames[i]; i++) if (!strcasecmp(aclCategoryNames[i], name)) return i;
    return -1;
}
const char *commandAclCategoryName(int idx) {
    if (idx < 0 || idx >= (int)(sizeof(aclCategoryNames) / sizeof(aclCategoryNames[0])) - 1) return NULL;
    return aclCategoryNames[idx];
}

static uint64_t parseFlags(const char *s) {
    uint64_t flags = 0;
    if (!s) return 0;
    char word[64];
    while (*s) {
        while (*s == ' ') s++;
        size_t n = 0;
        while (s[n] && s[n] != ' ' && n < sizeof(word) - 1) { word[n] = s[n]; n++; }
        word[n] = '\0';
        s += n;
        if (!n) break;
        int found = 0;
        for (int i = 0; flagNames[i].name; i++) {
            if (!strcasecmp(flagNames[i].name, word)) { flags |= flagNames[i].flag; found = 1; }
        }
        if (!found) serverLog(LL_WARNING, "Unknown command flag '%s' in command table", word);
    }
    return flags;
}

static uint64_t deriveAclCategories(uint64_t flags, const char *group) {
    uint64_t cats = 0;
#define CAT(n) do { int i_ = aclCategoryIndex(n); if (i_ >= 0) cats |= 1ULL << i_; } while (0)
    if (flags & CMD_WRITE) CAT("write");
    if (flags & CMD_READONLY) CAT("read");
    if (flags & CMD_ADMIN) { CAT("admin"); CAT("dangerous"); }
    if (flags & CMD_PUBSUB) CAT("pubsub");
    if (flags & CMD_FAST) CAT("fast");
    if (flags & CMD_BLOCKING) CAT("blocking");
    if (!(flags & CMD_FAST)) CAT("slow");
    if (group) {
        if (!strcmp(group, "generic")) CAT("keyspace");
        else if (!strcmp(group, "string")) CAT("string");
        else if (!strcmp(group, "list")) CAT("list");
        else if (!strcmp(group, "set")) CAT("set");
        else if (!strcmp(group, "sorted-set")) CAT("sortedset");
        else if (!strcmp(group, "hash")) CAT("hash");
        else if (!strcmp(group, "bitmap")) CAT("bitmap");
        else if (!strcmp(group, "hyperloglog")) CAT("hyperloglog");
        else if (!strcmp(group, "geo")) CAT("geo");
        else if (!strcmp(group, "stream")) CAT("stream");
        else if (!strcmp(group, "connection")) CAT("connection");
        else if (!strcmp(group, "transactions")) CAT("transaction");
        else if (!strcmp(group, "scripting")) CAT("scripting");
    }
#undef CAT
    return cats;
}

static htType commandTableType = {htBstrCaseHash, htBstrCaseEqual, htBstrFree, NULL};
static int nextCommandId = 0;

static serverCommand *createCommand(const serverCommandDef *def, serverCommand *parent) {
    serverCommand *cmd = zcalloc(sizeof(*cmd));
    cmd->def = def;
    cmd->name = def->name;
    cmd->proc = def->proc;
    cmd->arity = def->arity;
    cmd->firstkey = def->firstkey;
    cmd->lastkey = def->lastkey;
    cmd->keystep = def->keystep;
    cmd->flags = parseFlags(def->flags);
    if (def->getkeys) cmd->flags |= CMD_MOVABLE_KEYS;
    cmd->parent = parent;
    cmd->id = nextCommandId++;
    if (parent) {
        size_t l = strlen(parent->name) + strlen(def->name) + 2;
        cmd->fullname = zmalloc(l);
        snprintf(cmd->fullname, l, "%s|%s", parent->name, def->name);
        for (char *p = cmd->fullname; *p; p++) *p = (char)tolower((unsigned char)*p);
    } else {
        cmd->fullname = zstrdup(def->name);
    }
    cmd->acl_categories = deriveAclCategories(cmd->flags, def->group ? def->group : (parent ? parent->def->group : NULL));
    if (def->subcommands) {
        cmd->subcommands = htCreate(&commandTableType);
        for (const serverCommandDef *s = def->subcommands; s->name; s++) {
            serverCommand *sub = createCommand(s, cmd);
            htAdd(cmd->subcommands, bstrNew(s->name), sub);
        }
    }
    return cmd;
}

void initCommandTable(void) {
    server.commands = htCreate(&commandTableType);
    const serverCommandDef *const *tables = familyTables();
    for (int t = 0; tables[t]; t++) {
        for (const serverCommandDef *def = tables[t]; def->name; def++) {
            serverCommand *cmd = createCommand(def, NULL);
            if (htAdd(server.commands, bstrNew(def->name), cmd) != 0)
                serverLog(LL_WARNING, "Duplicate command '%s' in command table", def->name);
        }
    }
}

serverCommand *lookupCommandByCString(const char *s) {
    bstr name = bstrNew(s);
    serverCommand *cmd = htFetchValue(server.commands, name);
    bstrFree(name);
    return cmd;
}

/* Command names arrive on every request: a small direct-mapped cache of
 * lowercased names skips the keyed case-folding hash + compare of the table.
 * Entries are checked by full name, and dropped when the table changes size. */
#define CMD_CACHE_SLOTS 256
#define CMD_CACHE_NAME_MAX 23
typedef struct cmdCacheEntry {
    uint8_t len;
    char name[CMD_CACHE_NAME_MAX];
    serverCommand *cmd;
} cmdCacheEntry;
static cmdCacheEntry cmd_cache[CMD_CACHE_SLOTS];
static hashtable *cmd_cache_table;
static size_t cmd_cache_table_size;

static serverCommand *lookupBaseCommand(const bstr name) {
    size_t len = bstrLen(name);
    if (len == 0 || len > CMD_CACHE_NAME_MAX) return htFetchValue(server.commands, name);
    if (cmd_cache_table != server.commands || cmd_cache_table_size != htSize(server.commands)) {
        memset(cmd_cache, 0, sizeof(cmd_cache));
        cmd_cache_table = server.commands;
        cmd_cache_table_size = htSize(server.commands);
    }
    char low[CMD_CACHE_NAME_MAX];
    uint32_t h = (uint32_t)len * 0x9e3779b1u;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch + 32);
        low[i] = (char)ch;
        h = (h ^ ch) * 0x01000193u;
    }
    cmdCacheEntry *e = &cmd_cache[(h ^ (h >> 16)) & (CMD_CACHE_SLOTS - 1)];
    if (e->cmd && e->len == len && memcmp(e->name, low, len) == 0) return e->cmd;
    serverCommand *cmd = htFetchValue(server.commands, name);
    if (cmd) {
        e->len = (uint8_t)len;
        memcpy(e->name, low, len);
        e->cmd = cmd;
    }
    return cmd;
}

serverCommand *lookupCommand(obj **argv, int argc) {
    if (argc < 1 || !sdsEncodedObject(argv[0])) return NULL;
    serverCommand *base = lookupBaseCommand(objPtr(argv[0]));
    if (!base) return NULL;
    if (!base->subcommands || argc == 1) return base;
    if (!sdsEncodedObject(argv[1])) return NULL;
    return htFetchValue(base->subcommands, objPtr(argv[1]));
}

int getKeysFromCommand(serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    if (cmd->def->getkeys) return cmd->def->getkeys(cmd, argv, argc, keyidx, maxkeys);
    if (cmd->firstkey <= 0) return 0;
    int last = cmd->lastkey < 0 ? argc + cmd->lastkey : cmd->lastkey;
    int n = 0;
    for (int j = cmd->firstkey; j <= last && j < argc && n < maxkeys; j += cmd->keystep ? cmd->keystep : 1)
        keyidx[n++] = j;
    return n;
}

/* ---------- COMMAND ---------- */
static void addReplyFlagsForCommand(client *c, serverCommand *cmd) {
    int count = 0;
    for (int i = 0; flagNames[i].name; i++)
        if ((cmd->flags & flagNames[i].flag) && strcmp(flagNames[i].name, "protected")) count++;
    addReplySetLen(c, count);
    for (int i = 0; flagNames[i].name; i++)
        if ((cmd->flags & flagNames[i].flag) && strcmp(flagNames[i].name, "protected")) addReplyStatus(c, flagNames[i].name);
}

static void addReplyAclCategories(client *c, serverCommand *cmd) {
    int count = 0;
    for (int i = 0; aclCategoryNames[i]; i++) if (cmd->acl_categories & (1ULL << i)) count++;
    addReplySetLen(c, count);
    for (int i = 0; aclCategoryNames[i]; i++) {
        if (cmd->acl_categories & (1ULL << i)) {
            char buf[64];
            snprintf(buf, sizeof(buf), "@%s", aclCategoryNames[i]);
            addReplyStatus(c, buf);
        }
    }
}

static void addReplyKeySpecs(client *c, serverCommand *cmd) {
    if (cmd->firstkey <= 0) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, 1);
    addReplyMapLen(c, 3);
    addReplyBulkCString(c, "flags");
    if (cmd->flags & CMD_WRITE) {
        addReplySetLen(c, 2);
        addReplyStatus(c, "RW");
        addReplyStatus(c, "update");
    } else {
        addReplySetLen(c, 2);
        addReplyStatus(c, "RO");
        addReplyStatus(c, "access");
    }
    addReplyBulkCString(c, "begin_search");
    addReplyMapLen(c, 2);
    addReplyBulkCString(c, "type");
    addReplyBulkCString(c, "index");
    addReplyBulkCString(c, "spec");
    addReplyMapLen(c, 1);
    addReplyBulkCString(c, "index");
    addReplyLongLong(c, cmd->firstkey);
    addReplyBulkCString(c, "find_keys");
    addReplyMapLen(c, 2);
    addReplyBulkCString(c, "type");
    addReplyBulkCString(c, "range");
    addReplyBulkCString(c, "spec");
    addReplyMapLen(c, 3);
    addReplyBulkCString(c, "lastkey");
    addReplyLongLong(c, cmd->lastkey < 0 ? cmd->lastkey : cmd->lastkey - cmd->firstkey);
    addReplyBulkCString(c, "keystep");
    addReplyLongLong(c, cmd->keystep);
    addReplyBulkCString(c, "limit");
    addReplyLongLong(c, 0);
}

static void addReplyCommandInfo(client *c, serverCommand *cmd) {
    if (!cmd) {
        addReplyNull(c);
        return;
    }
    addReplyArrayLen(c, 10);
    addReplyBulkCString(c, cmd->fullname);
    addReplyLongLong(c, cmd->arity);
    addReplyFlagsForCommand(c, cmd);
    addReplyLongLong(c, cmd->firstkey);
    addReplyLongLong(c, cmd->lastkey);
    addReplyLongLong(c, cmd->keystep);
    addReplyAclCategories(c, cmd);
    addReplyArrayLen(c, 0);   /* tips */
    addReplyKeySpecs(c, cmd);
    if (cmd->subcommands) {
        addReplyArrayLen(c, (long)htSize(cmd->subcommands));
        htIterator it;
        htInitIterator(&it, cmd->subcommands);
        htEntry *e;
        while ((e = htNext(&it))) addReplyCommandInfo(c, e->v.val);
        htResetIterator(&it);
    } else {
        addReplyArrayLen(c, 0);
    }
}

static void addReplyCommandDocs(client *c, serverCommand *cmd) {
    const serverCommandDef *d = cmd->def;
    int fields = 0;
    if (d->summary) fields++;
    if (d->since) fields++;
    fields++; /* group */
    if (d->complexity) fields++;
    if (commandDocsHasArgs(cmd)) fields++;
    if (cmd->subcommands) fields++;
    addReplyMapLen(c, fields);
    if (d->summary) { addReplyBulkCString(c, "summary"); addReplyBulkCString(c, d->summary); }
    if (d->since) { addReplyBulkCString(c, "since"); addReplyBulkCString(c, d->since); }
    addReplyBulkCString(c, "group");
    addReplyBulkCString(c, d->group ? d->group : (cmd->parent && cmd->parent->def->group ? cmd->parent->def->group : "generic"));
    if (d->complexity) { addReplyBulkCString(c, "complexity"); addReplyBulkCString(c, d->complexity); }
    if (commandDocsHasArgs(cmd)) {
        addReplyBulkCString(c, "arguments");
        addReplyCommandDocArgs(c, cmd);
    }
    if (cmd->subcommands) {
        addReplyBulkCString(c, "subcommands");
        addReplyMapLen(c, (long)htSize(cmd->subcommands));
        htIterator it;
        htInitIterator(&it, cmd->subcommands);
        htEntry *e;
        while ((e = htNext(&it))) {
            serverCommand *sub = e->v.val;
            addReplyBulkCString(c, sub->fullname);
            addReplyCommandDocs(c, sub);
        }
        htResetIterator(&it);
    }
}

static int commandMatchesFilter(serverCommand *cmd, int type, const char *arg) {
    switch (type) {
    case 1: return stringmatch(arg, cmd->fullname, 1);
    case 2: {
        int i = aclCategoryIndex(arg[0] == '@' ? arg + 1 : arg);
        return i >= 0 && (cmd->acl_categories & (1ULL << i));
    }
    default: return 1;
    }
}

static void commandListWithFilter(client *c, int type, const char *arg) {
    void *node = addReplyDeferredLen(c);
    long n = 0;
    htIterator it;
    htInitIterator(&it, server.commands);
    htEntry *e;
    while ((e = htNext(&it))) {
        serverCommand *cmd = e->v.val;
        if (commandMatchesFilter(cmd, type, arg)) { addReplyBulkCString(c, cmd->fullname); n++; }
        if (cmd->subcommands) {
            htIterator it2;
            htInitIterator(&it2, cmd->subcommands);
            htEntry *e2;
            while ((e2 = htNext(&it2))) {
                serverCommand *sub = e2->v.val;
                if (commandMatchesFilter(sub, type, arg)) { addReplyBulkCString(c, sub->fullname); n++; }
            }
            htResetIterator(&it2);
        }
    }
    htResetIterator(&it);
    setDeferredArrayLen(c, node, n);
}

static serverCommand *lookupCommandBySubName(const char *full) {
    const char *bar = strchr(full, '|');
    if (!bar) return lookupCommandByCString(full);
    bstr parent = bstrNewLen(full, (size_t)(bar - full));
    serverCommand *p = htFetchValue(server.commands, parent);
    bstrFree(parent);
    if (!p || !p->subcommands) return NULL;
    bstr sub = bstrNew(bar + 1);
    serverCommand *s = htFetchValue(p->subcommands, sub);
    bstrFree(sub);
    return s;
}

static void commandGetKeys(client *c, int withflags) {
    serverCommand *cmd = lookupCommand(c->argv + 2, c->argc - 2);
    if (!cmd) {
        addReplyError(c, "ERR Invalid command specified");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != c->argc - 2) || (c->argc - 2 < -cmd->arity)) {
        addReplyError(c, "ERR Invalid number of arguments specified for command");
        return;
    }
    int keyidx[256];
    int n = getKeysFromCommand(cmd, c->argv + 2, c->argc - 2, keyidx, 256);
    if (n == 0) {
        addReplyError(c, cmd->firstkey > 0 || cmd->def->getkeys ? "ERR Invalid arguments specified for command" : "ERR The command has no key arguments");
        return;
    }
    addReplyArrayLen(c, n);
    for (int j = 0; j < n; j++) {
        if (withflags) {
            addReplyArrayLen(c, 2);
            addReplyBulk(c, c->argv[keyidx[j] + 2]);
            addReplySetLen(c, 2);
            addReplyStatus(c, cmd->flags & CMD_WRITE ? "RW" : "RO");
            addReplyStatus(c, cmd->flags & CMD_WRITE ? "update" : "access");
        } else {
            addReplyBulk(c, c->argv[keyidx[j] + 2]);
        }
    }
}

static long countCommands(void) { return (long)htSize(server.commands); }

static void commandCommand(client *c) {
    if (c->argc == 1) {
        addReplyArrayLen(c, countCommands());
        htIterator it;
        htInitIterator(&it, server.commands);
        htEntry *e;
        while ((e = htNext(&it))) addReplyCommandInfo(c, e->v.val);
        htResetIterator(&it);
        return;
    }
    const char *sub = objPtr(c->argv[1]);
    if (!strcasecmp(sub, "help") && c->argc == 2) {
        const char *help[] = {
            "(no subcommand)", "    Return details about all commands.",
            "COUNT", "    Return the total number of commands in this server.",
            "LIST", "    Return a list of all commands in this server.",
            "INFO [<command-name> ...]", "    Return details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>", "    Return the keys from a full command.",
            "GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full command.",
            NULL};
        addReplyHelp(c, help);
    } else if (!strcasecmp(sub, "count") && c->argc == 2) {
        addReplyLongLong(c, countCommands());
    } else if (!strcasecmp(sub, "list")) {
        if (c->argc == 2) commandListWithFilter(c, 0, NULL);
        else if (c->argc == 5 && !strcasecmp(objPtr(c->argv[2]), "filterby")) {
            const char *what = objPtr(c->argv[3]);
            if (!strcasecmp(what, "pattern")) commandListWithFilter(c, 1, objPtr(c->argv[4]));
            else if (!strcasecmp(what, "aclcat")) commandListWithFilter(c, 2, objPtr(c->argv[4]));
            else if (!strcasecmp(what, "module")) addReplyArrayLen(c, 0);
            else addReplyErrorObject(c, shared.syntaxerr);
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
        }
    } else if (!strcasecmp(sub, "info")) {
        if (c->argc == 2) {
            addReplyArrayLen(c, countCommands());
            htIterator it;
            htInitIterator(&it, server.commands);
            htEntry *e;
            while ((e = htNext(&it))) addReplyCommandInfo(c, e->v.val);
            htResetIterator(&it);
        } else {
            addReplyArrayLen(c, c->argc - 2);
            for (int i = 2; i < c->argc; i++) addReplyCommandInfo(c, lookupCommandBySubName(objPtr(c->argv[i])));
        }
    } else if (!strcasecmp(sub, "docs")) {
        if (c->argc == 2) {
            addReplyMapLen(c, countCommands());
            htIterator it;
            htInitIterator(&it, server.commands);
            htEntry *e;
            while ((e = htNext(&it))) {
                serverCommand *cmd = e->v.val;
                addReplyBulkCString(c, cmd->fullname);
                addReplyCommandDocs(c, cmd);
            }
            htResetIterator(&it);
        } else {
            void *node = addReplyDeferredLen(c);
            long n = 0;
            for (int i = 2; i < c->argc; i++) {
                serverCommand *cmd = lookupCommandBySubName(objPtr(c->argv[i]));
                if (!cmd) continue;
                addReplyBulkCString(c, cmd->fullname);
                addReplyCommandDocs(c, cmd);
                n++;
            }
            setDeferredMapLen(c, node, n);
        }
    } else if (!strcasecmp(sub, "getkeys") && c->argc >= 3) {
        commandGetKeys(c, 0);
    } else if (!strcasecmp(sub, "getkeysandflags") && c->argc >= 3) {
        commandGetKeys(c, 1);
    } else {
        addReplySubcommandSyntaxError(c);
    }
}

/* Bare COMMAND runs the parent row; the rows below give each subcommand its
 * own arity and let dispatch reject unknown ones. */
static const serverCommandDef commandSubcommands[] = {
    {.name = "count", .proc = commandCommand, .arity = 2, .flags = "loading stale", .group = "server",
     .summary = "Returns a count of commands.", .since = "2.8.13", .complexity = "O(1)"},
    {.name = "docs", .proc = commandCommand, .arity = -2, .flags = "loading stale", .group = "server",
     .summary = "Returns documentary information about one, multiple or all commands.", .since = "7.0.0", .complexity = "O(N) where N is the number of commands to look up", .args = "[command-name [command-name ...]]"},
    {.name = "getkeys", .proc = commandCommand, .arity = -3, .flags = "loading stale", .group = "server",
     .summary = "Extracts the key names from an arbitrary command.", .since = "2.8.13", .complexity = "O(N) where N is the number of arguments to the command", .args = "command [arg [arg ...]]"},
    {.name = "getkeysandflags", .proc = commandCommand, .arity = -3, .flags = "loading stale", .group = "server",
     .summary = "Extracts the key names and access flags for an arbitrary command.", .since = "7.0.0", .complexity = "O(N) where N is the number of arguments to the command", .args = "command [arg [arg ...]]"},
    {.name = "help", .proc = commandCommand, .arity = 2, .flags = "loading stale", .group = "server",
     .summary = "Returns helpful text about the different subcommands.", .since = "5.0.0", .complexity = "O(1)"},
    {.name = "info", .proc = commandCommand, .arity = -2, .flags = "loading stale", .group = "server",
     .summary = "Returns information about one, multiple or all commands.", .since = "2.8.13", .complexity = "O(N) where N is the number of commands to look up", .args = "[command-name [command-name ...]]"},
    {.name = "list", .proc = commandCommand, .arity = -2, .flags = "loading stale", .group = "server",
     .summary = "Returns a list of command names.", .since = "7.0.0", .complexity = "O(N) where N is the total number of commands", .args = "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"},
    {0}};

const serverCommandDef commandCommandTable[] = {
    {"command", commandCommand, -1, "loading stale", 0, 0, 0, "server", "Returns detailed information about all commands.", "2.8.13", "O(N) where N is the total number of commands", NULL, commandSubcommands, "[subcommand [arg ...]]"},
    {0}};
