/* acl_cmd: the ACL LOG (denials grouped per reason, context, object and
 * user, newest first, plus per-reason counters for INFO) and the ACL command
 * with its subcommands. Users, rules and checks live in acl.c. */
#include "security/acl_int.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static list *aclLog;                 /* aclLogEntry*, newest first */
static long long aclLogNextId;
static long long aclDenied[ACL_DENIED_CHANNEL + 1];   /* by reason, for INFO */

void aclLogInit(void) { aclLog = listCreate(); }

/* ---------- ACL LOG ---------- */

long long aclDeniedCount(int reason) {
    return reason >= 0 && reason <= ACL_DENIED_CHANNEL ? aclDenied[reason] : 0;
}

static void logEntryFree(aclLogEntry *e) {
    bstrFree(e->object);
    bstrFree(e->username);
    bstrFree(e->cinfo);
    zfree(e);
}

static void aclLogClear(void) {
    listIter li;
    listNode *ln;
    listRewind(aclLog, &li);
    while ((ln = listNext(&li))) logEntryFree(ln->value);
    listEmpty(aclLog);
}

void aclAddLogEntry(client *c, int reason, int context, const char *object, size_t olen, const char *username,
                           size_t ulen) {
    aclDenied[reason]++;
    mstime_t now = mstime();
    bstr cinfo = catClientInfoString(bstrEmpty(), c);
    listIter li;
    listNode *ln;
    listRewind(aclLog, &li);
    while ((ln = listNext(&li))) {
        aclLogEntry *e = ln->value;
        if (e->reason != reason || e->context != context || now - e->ctime > LOG_GROUPING_MS) continue;
        if (bstrLen(e->object) != olen || memcmp(e->object, object, olen)) continue;
        if (bstrLen(e->username) != ulen || memcmp(e->username, username, ulen)) continue;
        e->count++;
        e->ctime = now;
        bstrFree(e->cinfo);
        e->cinfo = cinfo;
        listUnlinkNode(aclLog, ln);
        ln->prev = ln->next = NULL;
        listAddNodeHead(aclLog, e);
        zfree(ln);
        return;
    }
    aclLogEntry *e = zcalloc(sizeof(*e));
    e->count = 1;
    e->reason = reason;
    e->context = context;
    e->object = bstrNewLen(object, olen);
    e->username = bstrNewLen(username, ulen);
    e->cinfo = cinfo;
    e->ctime = e->created = now;
    e->id = aclLogNextId++;
    listAddNodeHead(aclLog, e);
    while (listLength(aclLog) > server.acllog_max_len) {
        logEntryFree(listLast(aclLog)->value);
        listDelNode(aclLog, listLast(aclLog));
    }
}

static const char *reasonName(int r) {
    switch (r) {
    case ACL_DENIED_CMD: return "command";
    case ACL_DENIED_KEY: return "key";
    case ACL_DENIED_CHANNEL: return "channel";
    default: return "auth";
    }
}

/* Subcommands with optional arguments check their upper bound themselves. */
static int tooManyArgs(client *c, int max) {
    if (c->argc <= max) return 0;
    addReplyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try ACL HELP.",
                        (char *)objPtr(c->argv[1]));
    return 1;
}

static void aclLogCommand(client *c) {
    long count = 10;
    if (tooManyArgs(c, 3)) return;
    if (c->argc == 3) {
        if (!strcasecmp(objPtr(c->argv[2]), "reset")) {
            aclLogClear();
            addReply(c, shared.ok);
            return;
        }
        if (getLongFromObjectOrReply(c, c->argv[2], &count, NULL) != 0) return;
        if (count < 0) count = 0;
    }
    long n = (long)listLength(aclLog) < count ? (long)listLength(aclLog) : count;
    addReplyArrayLen(c, n);
    mstime_t now = mstime();
    listIter li;
    listNode *ln;
    listRewind(aclLog, &li);
    for (long i = 0; i < n && (ln = listNext(&li)); i++) {
        aclLogEntry *e = ln->value;
        addReplyMapLen(c, 10);
        addReplyBulkCString(c, "count");
        addReplyLongLong(c, e->count);
        addReplyBulkCString(c, "reason");
        addReplyBulkCString(c, reasonName(e->reason));
        addReplyBulkCString(c, "context");
        addReplyBulkCString(c, e->context == LOG_CTX_LUA ? "lua" : e->context == LOG_CTX_MULTI ? "multi" : "toplevel");
        addReplyBulkCString(c, "object");
        addReplyBulkCBuffer(c, e->object, bstrLen(e->object));
        addReplyBulkCString(c, "username");
        addReplyBulkCBuffer(c, e->username, bstrLen(e->username));
        addReplyBulkCString(c, "age-seconds");
        addReplyDouble(c, (double)(now - e->ctime) / 1000.0);
        addReplyBulkCString(c, "client-info");
        addReplyBulkCBuffer(c, e->cinfo, bstrLen(e->cinfo));
        addReplyBulkCString(c, "entry-id");
        addReplyLongLong(c, e->id);
        addReplyBulkCString(c, "timestamp-created");
        addReplyLongLong(c, e->created);
        addReplyBulkCString(c, "timestamp-last-updated");
        addReplyLongLong(c, e->ctime);
    }
}

/* ---------- ACL command ---------- */

static void aclSetuserCommand(client *c) {
    bstr name = objPtr(c->argv[2]);
    if (aclHasSpaces(name, bstrLen(name))) {
        addReplyError(c, "ERR Usernames can't contain spaces or null characters");
        return;
    }
    bstr err = NULL;
    aclUser *u = NULL;
    bstr *rules = zmalloc(sizeof(bstr) * (size_t)(c->argc > 3 ? c->argc - 3 : 1));
    for (int j = 3; j < c->argc; j++) rules[j - 3] = objPtr(c->argv[j]);
    int r = aclSetUserRules(name, bstrLen(name), rules, c->argc - 3, &err, &u, 0);
    zfree(rules);
    if (r != 0) {
        addReplyErrorSdsSafe(c, err);
        return;
    }
    aclKillSubscribersWhoLostChannels(u, c);
    addReply(c, shared.ok);
}

static void aclGetuserCommand(client *c) {
    bstr name = objPtr(c->argv[2]);
    aclUser *u = aclGetUser(name, bstrLen(name));
    if (!u) {
        addReplyNull(c);
        return;
    }
    addReplyMapLen(c, 6);
    addReplyBulkCString(c, "flags");
    int nf = 0;
    for (int i = 0; userFlagNames[i].name; i++) nf += (u->flags & userFlagNames[i].flag) != 0;
    addReplySetLen(c, nf);
    for (int i = 0; userFlagNames[i].name; i++)
        if (u->flags & userFlagNames[i].flag) addReplyBulkCString(c, userFlagNames[i].name);
    addReplyBulkCString(c, "passwords");
    addReplyArrayLen(c, (long)listLength(u->passwords));
    listIter li;
    listNode *ln;
    listRewind(u->passwords, &li);
    while ((ln = listNext(&li))) addReplyBulkCBuffer(c, ln->value, bstrLen(ln->value));
    aclSelector *root = userRoot(u);
    addReplyBulkCString(c, "commands");
    addReplyBulkBstr(c, aclSelDescribeCommands(root));
    addReplyBulkCString(c, "keys");
    addReplyBulkBstr(c, aclSelDescribeKeys(root));
    addReplyBulkCString(c, "channels");
    addReplyBulkBstr(c, aclSelDescribeChannels(root));
    addReplyBulkCString(c, "selectors");
    addReplyArrayLen(c, (long)listLength(u->selectors) - 1);
    listRewind(u->selectors, &li);
    while ((ln = listNext(&li))) {
        aclSelector *s = ln->value;
        if (s->flags & SEL_ROOT) continue;
        addReplyMapLen(c, 3);
        addReplyBulkCString(c, "commands");
        addReplyBulkBstr(c, aclSelDescribeCommands(s));
        addReplyBulkCString(c, "keys");
        addReplyBulkBstr(c, aclSelDescribeKeys(s));
        addReplyBulkCString(c, "channels");
        addReplyBulkBstr(c, aclSelDescribeChannels(s));
    }
}

static void aclDeluserCommand(client *c) {
    long long deleted = 0;
    for (int j = 2; j < c->argc; j++) {
        if (!strcmp(objPtr(c->argv[j]), "default")) {
            addReplyError(c, "ERR The 'default' user cannot be removed");
            return;
        }
    }
    for (int j = 2; j < c->argc; j++) {
        bstr name = objPtr(c->argv[j]);
        aclUser *u = aclGetUser(name, bstrLen(name));
        if (!u) continue;
        aclKillClientsOfUser(u, c);
        htDelete(aclUsers, name);
        aclUserFree(u);
        deleted++;
    }
    addReplyLongLong(c, deleted);
}

static void aclUsersCommand(client *c) {
    size_t n;
    bstr *names = aclSortedUserNames(&n);
    addReplyArrayLen(c, (long)n);
    for (size_t i = 0; i < n; i++) addReplyBulkCBuffer(c, names[i], bstrLen(names[i]));
    zfree(names);
}

static void aclListCommand(client *c) {
    size_t n;
    bstr *names = aclSortedUserNames(&n);
    addReplyArrayLen(c, (long)n);
    for (size_t i = 0; i < n; i++) addReplyBulkBstr(c, aclUserListLine(htFetchValue(aclUsers, names[i])));
    zfree(names);
}

static void aclWhoamiCommand(client *c) {
    if (c->user) addReplyBulkCBuffer(c, c->user, bstrLen(c->user));
    else addReplyBulkCString(c, "default");
}

struct catList { client *c; uint64_t mask; long n; };

static void addIfInCategory(serverCommand *cmd, void *priv) {
    struct catList *cl = priv;
    if (!(cmd->acl_categories & cl->mask)) return;
    addReplyBulkCString(cl->c, cmd->fullname);
    cl->n++;
}

static void aclCatCommand(client *c) {
    if (tooManyArgs(c, 3)) return;
    if (c->argc == 2) {
        int n = 0;
        while (commandAclCategoryName(n)) n++;
        addReplyArrayLen(c, n);
        for (int i = 0; i < n; i++) addReplyBulkCString(c, commandAclCategoryName(i));
        return;
    }
    int idx = commandAclCategoryIndex(objPtr(c->argv[2]));
    if (idx < 0) {
        addReplyErrorFormat(c, "ERR Unknown category '%.128s'", (char *)objPtr(c->argv[2]));
        return;
    }
    struct catList cl = {c, 1ULL << idx, 0};
    void *node = addReplyDeferredLen(c);
    aclForEachCommand(addIfInCategory, &cl);
    setDeferredArrayLen(c, node, cl.n);
}

static void aclGenpassCommand(client *c) {
    long bits = 256;
    if (tooManyArgs(c, 3)) return;
    if (c->argc == 3 && getLongFromObjectOrReply(c, c->argv[2], &bits, NULL) != 0) return;
    if (bits <= 0 || bits > 4096) {
        addReplyError(c, "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
                         "number up to 4096");
        return;
    }
    size_t chars = (size_t)(bits + 3) / 4;
    unsigned char raw[512];
    size_t need = (chars + 1) / 2, got = 0;
    while (got < need) {
        ssize_t r = getrandom(raw + got, need - got, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            addReplyError(c, "ERR Failed to get random bytes");
            return;
        }
        got += (size_t)r;
    }
    static const char hex[] = "0123456789abcdef";
    char out[1025];
    for (size_t i = 0; i < chars; i++) out[i] = hex[(raw[i / 2] >> ((i % 2) ? 0 : 4)) & 15];
    addReplyBulkCBuffer(c, out, chars);
}

static void aclDryrunCommand(client *c) {
    bstr name = objPtr(c->argv[2]);
    aclUser *u = aclGetUser(name, bstrLen(name));
    if (!u) {
        addReplyErrorFormat(c, "ERR User '%s' not found", name);
        return;
    }
    serverCommand *cmd = lookupCommand(c->argv + 3, c->argc - 3);
    if (!cmd) {
        addReplyErrorFormat(c, "ERR Command '%s' not found", (char *)objPtr(c->argv[3]));
        return;
    }
    int argc = c->argc - 3;
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        addReplyErrorFormat(c, "ERR wrong number of arguments for '%s' command", cmd->fullname);
        return;
    }
    int pos = 0;
    int r = aclUserCheckCommand(u, cmd, c->argv + 3, argc, &pos);
    if (r == ACL_OK) {
        addReply(c, shared.ok);
        return;
    }
    bstr msg;
    if (r == ACL_DENIED_CMD) {
        msg = bstrCatPrintf(bstrEmpty(), "User %s has no permissions to run the '%s' command", u->name, cmd->fullname);
    } else {
        char buf[32];
        const char *a;
        size_t al;
        aclArgBytes(c->argv[3 + pos], buf, sizeof(buf), &a, &al);
        msg = bstrCatPrintf(bstrEmpty(), "No permissions to access the '%.*s' %s", (int)al, a,
                            r == ACL_DENIED_KEY ? "key" : "channel");
    }
    addReplyBulkBstr(c, msg);
}

static int aclFileConfigured(client *c) {
    if (server.acl_filename && server.acl_filename[0]) return 1;
    addReplyError(c, "ERR This instance is not configured to use an ACL file. You may want to specify users via the "
                     "ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a configuration file "
                     "set) in order to store users in the configuration.");
    return 0;
}

static void aclLoadCommand(client *c) {
    if (!aclFileConfigured(c)) return;
    bstr err = NULL;
    if (aclLoadFromFile(server.acl_filename, c, &err) != 0) {
        addReplyErrorSdsSafe(c, bstrCatPrintf(bstrEmpty(), "ERR %s", err));
        bstrFree(err);
        return;
    }
    addReply(c, shared.ok);
}

static void aclSaveCommand(client *c) {
    if (!aclFileConfigured(c)) return;
    if (aclSaveToFile(server.acl_filename) != 0) {
        addReplyError(c, "ERR There was an error trying to save the ACLs. Please check the server logs for more "
                         "information");
        return;
    }
    addReply(c, shared.ok);
}

static void aclHelpCommand(client *c) {
    const char *help[] = {
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        NULL};
    addReplyHelp(c, help);
}

#define ACLSUB(n, proc, arity, flags, summary, args) \
    {n, proc, arity, flags, 0, 0, 0, "server", summary, "6.0.0", "O(1)", NULL, NULL, args}

static const serverCommandDef aclSubcommands[] = {
    ACLSUB("cat", aclCatCommand, -2, "noscript loading stale sentinel", "Lists the ACL categories, or the commands inside a category.", "[category]"),
    ACLSUB("deluser", aclDeluserCommand, -3, "admin noscript loading stale sentinel", "Deletes ACL users, and terminates their connections.", "username [username ...]"),
    {"dryrun", aclDryrunCommand, -4, "admin noscript loading stale sentinel", 0, 0, 0, "server", "Simulates the execution of a command by a user, without executing the command.", "7.0.0", "O(1).", NULL, NULL, "username command [arg [arg ...]]"},
    ACLSUB("genpass", aclGenpassCommand, -2, "noscript loading stale sentinel", "Generates a pseudorandom, secure password that can be used to identify ACL users.", "[bits]"),
    ACLSUB("getuser", aclGetuserCommand, 3, "admin noscript loading stale sentinel", "Lists the ACL rules of a user.", "username"),
    ACLSUB("help", aclHelpCommand, 2, "loading stale sentinel", "Returns helpful text about the different subcommands.", ""),
    ACLSUB("list", aclListCommand, 2, "admin noscript loading stale sentinel", "Dumps the effective rules in ACL file format.", ""),
    ACLSUB("load", aclLoadCommand, 2, "admin noscript loading stale sentinel", "Reloads the rules from the configured ACL file.", ""),
    ACLSUB("log", aclLogCommand, -2, "admin noscript loading stale sentinel", "Lists recent security events generated due to ACL rules.", "[count|RESET]"),
    ACLSUB("save", aclSaveCommand, 2, "admin noscript loading stale sentinel", "Saves the effective ACL rules in the configured ACL file.", ""),
    ACLSUB("setuser", aclSetuserCommand, -3, "admin noscript loading stale sentinel", "Creates and modifies an ACL user and its rules.", "username [rule [rule ...]]"),
    ACLSUB("users", aclUsersCommand, 2, "admin noscript loading stale sentinel", "Lists all ACL users.", ""),
    ACLSUB("whoami", aclWhoamiCommand, 2, "noscript loading stale sentinel", "Returns the authenticated username of the current connection.", ""),
    {0}};

const serverCommandDef aclCommandTable[] = {
    {"acl", NULL, -2, "sentinel", 0, 0, 0, "server", "A container for Access List Control commands.", "6.0.0", "Depends on subcommand.", NULL, aclSubcommands, "subcommand [arg ...]"},
    {0}};
