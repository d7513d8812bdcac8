/* config_cmd: the CONFIG command family (GET, SET with all-or-nothing
 * rollback, RESETSTAT, REWRITE, HELP) and its command table. The directive
 * table it works on lives in config.c. */
#include "server/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* The core may not provide this yet: call it only when linked in. */
#pragma weak resetServerStats

/* ---------- CONFIG command family ---------- */

static int isLocalClient(client *c) {
    if (c->flags & CLIENT_UNIX_SOCKET || c->conn_type == 1) return 1;
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    if (c->fd < 0 || getpeername(c->fd, (struct sockaddr *)&sa, &len) == -1) return 0;
    if (sa.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&sa;
        return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&sa;
        if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) return 1;
        return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127;
    }
    return 0;
}

static int protectedActionAllowed(int setting, client *c) {
    return setting == PROTECTED_ACTION_ALLOWED_YES || (setting == PROTECTED_ACTION_ALLOWED_LOCAL && isLocalClient(c));
}

typedef struct setItem {
    const configDef *d;
    const char *shown;   /* table spelling of the matched name, for errors */
    const char *value;
    bstr old;
    int sensitive;       /* value must be hidden from SLOWLOG/MONITOR */
} setItem;

static void restoreOldValues(setItem *items, int count) {
    for (int i = 0; i < count; i++) {
        const char *err = NULL;
        if (!configSetValue(items[i].d, items[i].old, &err))
            serverLog(LL_WARNING, "Failed restoring failed CONFIG SET command. Error setting %s to '%s': %s",
                      items[i].d->name, items[i].old, err ? err : "unknown error");
    }
}

static void reapplyAll(int (**fns)(const char **), int nfns) {
    for (int i = 0; i < nfns; i++) {
        const char *err = NULL;
        if (!fns[i](&err))
            serverLog(LL_WARNING, "Failed applying restored failed CONFIG SET command: %s", err ? err : "");
    }
}

/* Validates names and flags before touching anything. Returns 1 when the
 * request may proceed, else replies the error. */
static int configSetCollect(client *c, setItem *items, int count) {
    const char *unknown = NULL, *bad_name = NULL, *errstr = NULL;
    int invalid = 0, loading = 0;
    for (int i = 0; i < count; i++) {
        const char *name = objPtr(c->argv[2 + i * 2]);
        const configDef *d = configLookup(name, &items[i].shown);
        items[i].sensitive = d && (d->flags & CF_SENSITIVE);
        if (!d) {
            if (!invalid) unknown = name;
            invalid = 1;
            continue;
        }
        if (invalid) continue;
        if ((d->flags & CF_IMMUTABLE) ||
            ((d->flags & CF_PROTECTED) && !protectedActionAllowed(server.enable_protected_configs, c))) {
            errstr = (d->flags & CF_IMMUTABLE) ? "can't set immutable config" : "can't set protected config";
            bad_name = name;
            invalid = 1;
            continue;
        }
        if (server.loading && (d->flags & CF_DENY_LOADING)) {
            loading = invalid = 1;
            continue;
        }
        for (int j = 0; j < i; j++) {
            if (items[j].d == d) {
                errstr = "duplicate parameter";
                bad_name = name;
                invalid = 1;
            }
        }
        items[i].d = d;
        items[i].value = objPtr(c->argv[3 + i * 2]);
    }
    if (!invalid) return 1;
    if (loading)
        addReplyError(c, "LOADING Server is loading the dataset in memory");
    else if (unknown)
        addReplyErrorFormat(c, "ERR Unknown option or number of arguments for CONFIG SET - '%s'", unknown);
    else
        addReplyErrorFormat(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", bad_name, errstr);
    return 0;
}

static void replySetFailure(client *c, const char *name, const char *errstr) {
    if (errstr)
        addReplyErrorFormat(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, errstr);
    else
        addReplyErrorFormat(c, "ERR CONFIG SET failed (possibly related to argument '%s')", name);
}

void configSetCommand(client *c) {
    if (c->argc < 4 || (c->argc & 1)) {
        addReplyError(c, "ERR syntax error");
        return;
    }
    int count = (c->argc - 2) / 2, nfns = 0;
    setItem *items = zcalloc(sizeof(setItem) * (size_t)count);
    int (**fns)(const char **) = zcalloc(sizeof(*fns) * (size_t)count);
    int *fn_owner = zcalloc(sizeof(int) * (size_t)count);
    const char *errstr = NULL;
    if (!configSetCollect(c, items, count)) goto done;

    for (int i = 0; i < count; i++) items[i].old = configGetString(items[i].d);
    for (int i = 0; i < count; i++) {
        int res = configSetValue(items[i].d, items[i].value, &errstr);
        if (res == 0) {
            restoreOldValues(items, i + 1);
            replySetFailure(c, items[i].shown, errstr);
            goto done;
        }
        if (res == 1 && items[i].d->apply) {
            int seen = 0;
            for (int j = 0; j < nfns; j++) seen |= fns[j] == items[i].d->apply;
            if (!seen) {
                fn_owner[nfns] = i;
                fns[nfns++] = items[i].d->apply;
            }
        }
    }
    for (int k = 0; k < nfns; k++) {
        if (!fns[k](&errstr)) {
            const configDef *d = items[fn_owner[k]].d;
            serverLog(LL_WARNING,
                      "Failed applying new configuration. Possibly related to new %s setting. Restoring previous "
                      "settings.",
                      d->name);
            restoreOldValues(items, count);
            reapplyAll(fns, nfns);
            replySetFailure(c, items[fn_owner[k]].shown, errstr);
            goto done;
        }
    }
    addReplyStatus(c, "OK");
done:
    for (int i = 0; i < count; i++) bstrFree(items[i].old);
    /* Only now: items[].value pointed into the arguments being replaced. */
    for (int i = 0; i < count; i++)
        if (items[i].sensitive && shared.redacted) rewriteClientCommandArgument(c, 3 + i * 2, shared.redacted);
    zfree(items);
    zfree(fns);
    zfree(fn_owner);
}

typedef struct getMatch {
    const char *name;
    const configDef *d;
} getMatch;

static int addMatch(getMatch *m, int n, const char *name, const configDef *d) {
    for (int i = 0; i < n; i++)
        if (!strcasecmp(m[i].name, name)) return n;
    m[n].name = name;
    m[n].d = d;
    return n + 1;
}

void configGetCommand(client *c) {
    /* At most every name and alias once, plus one exact hit per argument. */
    int cap = configTableCount * 2 + c->argc, n = 0;
    getMatch *m = zmalloc(sizeof(getMatch) * (size_t)cap);
    for (int i = 2; i < c->argc; i++) {
        const char *pat = objPtr(c->argv[i]);
        if (!strpbrk(pat, "[*?")) {
            const configDef *d = configLookup(pat, NULL);
            if (d) n = addMatch(m, n, pat, d);
            continue;
        }
        for (const configDef *d = configTable; d->name; d++) {
            if (d->flags & CF_HIDDEN) continue;
            if (stringmatch(pat, d->name, 1)) n = addMatch(m, n, d->name, d);
            if (d->alias && stringmatch(pat, d->alias, 1)) n = addMatch(m, n, d->alias, d);
        }
    }
    addReplyMapLen(c, n);
    for (int i = 0; i < n; i++) {
        addReplyBulkCString(c, m[i].name);
        addReplyBulkBstr(c, configGetString(m[i].d));
    }
    zfree(m);
}

void configResetStatCommand(client *c) {
    if (resetServerStats) resetServerStats();
    addReplyStatus(c, "OK");
}

void configRewriteCommand(client *c) {
    if (server.configfile == NULL) {
        addReplyError(c, "ERR The server is running without a config file");
        return;
    }
    if (configRewriteFile(server.configfile) == -1) {
        int err = errno;
        serverLog(LL_WARNING, "CONFIG REWRITE failed: %s", strerror(err));
        addReplyErrorFormat(c, "ERR Rewriting config file: %s", strerror(err));
        return;
    }
    serverLog(LL_NOTICE, "CONFIG REWRITE executed with success.");
    addReplyStatus(c, "OK");
}

void configHelpCommand(client *c) {
    static const char *help[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL};
    addReplyHelp(c, help);
}

static const serverCommandDef configSubcommands[] = {
    {.name = "get", .proc = configGetCommand, .arity = -3, .flags = "admin noscript loading stale",
     .group = "server", .summary = "Returns the effective values of configuration parameters.", .since = "2.0.0",
     .complexity = "O(N) when N is the number of configuration parameters provided", .args = "parameter [parameter ...]"},
    {.name = "set", .proc = configSetCommand, .arity = -4, .flags = "admin noscript loading stale",
     .group = "server", .summary = "Sets configuration parameters in-flight.", .since = "2.0.0",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .args = "parameter value [parameter value ...]"},
    {.name = "resetstat", .proc = configResetStatCommand, .arity = 2, .flags = "admin noscript loading stale",
     .group = "server", .summary = "Resets the server's statistics.", .since = "2.0.0", .complexity = "O(1)"},
    {.name = "rewrite", .proc = configRewriteCommand, .arity = 2, .flags = "admin noscript loading stale",
     .group = "server", .summary = "Persists the effective configuration to file.", .since = "2.8.0",
     .complexity = "O(1)"},
    {.name = "help", .proc = configHelpCommand, .arity = 2, .flags = "loading stale", .group = "server",
     .summary = "Returns helpful text about the different subcommands.", .since = "5.0.0", .complexity = "O(1)"},
    {0}};

const serverCommandDef configCommandTable[] = {
    {.name = "config", .proc = NULL, .arity = -2, .flags = "", .group = "server",
     .summary = "A container for server configuration commands.", .since = "2.0.0",
     .complexity = "Depends on subcommand.", .subcommands = configSubcommands},
    {0}};
