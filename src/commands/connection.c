/* connection: per-connection commands: PING, ECHO, SELECT, QUIT, RESET,
 * HELLO, AUTH and the CLIENT family. */
#include "server/server.h"
#include <string.h>
#include <limits.h>

static void pingCommand(client *c) {
    if (c->argc > 2) {
        addReplyErrorArity(c);
        return;
    }
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2) {
        addReply(c, shared.mbulkhdr[2]);
        addReplyBulkCBuffer(c, "pong", 4);
        if (c->argc == 1) addReplyBulkCBuffer(c, "", 0);
        else addReplyBulk(c, c->argv[1]);
    } else if (c->argc == 1) {
        addReply(c, shared.pong);
    } else {
        addReplyBulk(c, c->argv[1]);
    }
}

static void echoCommand(client *c) { addReplyBulk(c, c->argv[1]); }

static void selectCommand(client *c) {
    int id;
    if (getIntFromObjectOrReply(c, c->argv[1], &id, NULL) != 0) return;
    if (server.cluster_enabled && id != 0) {
        addReplyError(c, "ERR SELECT is not allowed in cluster mode");
        return;
    }
    if (selectDb(c, id) != 0) {
        addReplyError(c, "ERR DB index is out of range");
        return;
    }
    addReply(c, shared.ok);
}

static void quitCommand(client *c) {
    addReply(c, shared.ok);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

void pubsubUnsubscribeAllForClient(client *c);

static void resetCommand(client *c) {
    if (c->flags & CLIENT_MULTI) discardTransaction(c);
    unwatchAllKeys(c);
    if (c->flags & CLIENT_TRACKING) disableTracking(c);
    selectDb(c, 0);
    c->resp = 2;
    if (c->name) { decrRefCount(c->name); c->name = NULL; }
    pubsubUnsubscribeAllForClient(c);
    c->flags &= ~(CLIENT_PUBSUB | CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT | CLIENT_NO_EVICT | CLIENT_NO_TOUCH | CLIENT_ASKING | CLIENT_READONLY);
    bstrFree(c->user);
    c->user = NULL;
    c->authenticated = aclNewClientIsAuthenticated();
    addReplyStatus(c, "RESET");
}

/* Users and passwords are the ACL's (security/acl.c); on success the client
 * runs as that user from now on. */
static int checkPassword(client *c, obj *user, obj *pass) {
    return aclAuthenticate(c, user, pass);
}

static void authCommand(client *c) {
    if (c->argc > 3) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    obj *pass = c->argv[c->argc - 1];
    if (c->argc == 2 && aclDefaultUserNoPass()) {
        addReplyError(c, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        return;
    }
    obj *user = c->argc == 3 ? c->argv[1] : createStringObject("default", 7);
    int ok = checkPassword(c, user, pass);
    if (c->argc == 2) decrRefCount(user);
    if (ok) {
        addReply(c, shared.ok);
    } else {
        addReplyError(c, "WRONGPASS invalid username-password pair or user is disabled.");
    }
}

static bstr validClientName(obj *name) {
    const char *p = objPtr(name);
    size_t len = bstrLen(objPtr(name));
    for (size_t j = 0; j < len; j++)
        if (p[j] < '!' || p[j] > '~') return NULL;
    return (bstr)p;
}

static int clientSetName(client *c, obj *name, const char **err) {
    if (bstrLen(objPtr(name)) == 0) {
        if (c->name) decrRefCount(c->name);
        c->name = NULL;
        return 0;
    }
    if (!validClientName(name)) {
        *err = "ERR Client names cannot contain spaces, newlines or special characters.";
        return -1;
    }
    if (c->name) decrRefCount(c->name);
    c->name = name;
    incrRefCount(name);
    return 0;
}

static void addReplyHelloInfo(client *c) {
    addReplyMapLen(c, 7);
    addReplyBulkCString(c, "server");
    addReplyBulkCString(c, "valkey");
    addReplyBulkCString(c, "version");
    addReplyBulkCString(c, VALKEY_VERSION);
    addReplyBulkCString(c, "proto");
    addReplyLongLong(c, c->resp);
    addReplyBulkCString(c, "id");
    addReplyLongLong(c, (long long)c->id);
    addReplyBulkCString(c, "mode");
    addReplyBulkCString(c, server.cluster_enabled ? "cluster" : "standalone");
    addReplyBulkCString(c, "role");
    addReplyBulkCString(c, server.primary_host ? "replica" : "master");
    addReplyBulkCString(c, "modules");
    addReplyArrayLen(c, 0);
}

static void helloCommand(client *c) {
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (getLongLongFromObject(c->argv[1], &ver) != 0) {
            addReplyError(c, "ERR Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            addReplyError(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    obj *username = NULL, *password = NULL, *clientname = NULL;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - j - 1;
        const char *opt = objPtr(c->argv[j]);
        if (!strcasecmp(opt, "AUTH") && more >= 2) {
            username = c->argv[j + 1];
            password = c->argv[j + 2];
            j += 2;
        } else if (!strcasecmp(opt, "SETNAME") && more >= 1) {
            clientname = c->argv[j + 1];
            j++;
        } else {
            addReplyErrorFormat(c, "ERR Syntax error in HELLO option '%s'", opt);
            return;
        }
    }
    if (username) {
        if (!checkPassword(c, username, password)) {
            addReplyError(c, "WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
    }
    if (aclAuthRequired(c)) {
        addReplyError(c, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if (clientname) {
        const char *err = NULL;
        if (clientSetName(c, clientname, &err) != 0) {
            addReplyError(c, err);
            return;
        }
    }
    if (ver) c->resp = (int)ver;
    addReplyHelloInfo(c);
}

/* ---------- CLIENT ---------- */
bstr catClientInfoString(bstr s, client *c);
const char *getClientPeerId(client *c);

static bstr getAllClientsInfoString(int type, client *only) {
    bstr o = bstrEmpty();
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *cl = ln->value;
        if (type != -1 && getClientType(cl) != type) continue;
        o = catClientInfoString(o, cl);
        o = bstrCatLen(o, "\n", 1);
    }
    (void)only;
    return o;
}

static int clientTypeByName(const char *name) {
    if (!strcasecmp(name, "normal")) return CLIENT_TYPE_NORMAL;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica")) return CLIENT_TYPE_REPLICA;
    if (!strcasecmp(name, "pubsub")) return CLIENT_TYPE_PUBSUB;
    if (!strcasecmp(name, "master") || !strcasecmp(name, "primary")) return CLIENT_TYPE_PRIMARY;
    return -1;
}

static void clientListCommand(client *c) {
    int type = -1;
    if (c->argc == 4 && !strcasecmp(objPtr(c->argv[2]), "type")) {
        type = clientTypeByName(objPtr(c->argv[3]));
        if (type == -1) {
            addReplyErrorFormat(c, "ERR Unknown client type '%s'", (char *)objPtr(c->argv[3]));
            return;
        }
    } else if (c->argc > 3 && !strcasecmp(objPtr(c->argv[2]), "id")) {
        bstr o = bstrEmpty();
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (getLongLongFromObject(c->argv[j], &id) != 0 || id < 1) {
                bstrFree(o);
                addReplyError(c, "ERR Invalid client ID");
                return;
            }
            client *cl = lookupClientByID((uint64_t)id);
            if (cl) {
                o = catClientInfoString(o, cl);
                o = bstrCatLen(o, "\n", 1);
            }
        }
        addReplyVerbatim(c, o, bstrLen(o), "txt");
        bstrFree(o);
        return;
    } else if (c->argc != 2) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    bstr o = getAllClientsInfoString(type, NULL);
    addReplyVerbatim(c, o, bstrLen(o), "txt");
    bstrFree(o);
}

static void clientKillCommand(client *c) {
    if (c->argc == 3) {
        /* Old form: CLIENT KILL addr:port */
        listIter li;
        listNode *ln;
        listRewind(server.clients, &li);
        while ((ln = listNext(&li))) {
            client *cl = ln->value;
            if (!strcmp(getClientPeerId(cl), objPtr(c->argv[2]))) {
                if (cl == c) c->flags |= CLIENT_CLOSE_AFTER_REPLY;
                else freeClientAsync(cl);
                addReply(c, shared.ok);
                return;
            }
        }
        addReplyError(c, "ERR No such client");
        return;
    }
    if ((c->argc - 2) % 2 != 0) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    long long id = 0;
    int type = -1, skipme = 1;
    const char *addr = NULL, *laddr = NULL, *user = NULL;
    long long maxage = 0;
    for (int i = 2; i < c->argc; i += 2) {
        const char *opt = objPtr(c->argv[i]);
        obj *val = c->argv[i + 1];
        if (!strcasecmp(opt, "id")) {
            if (getLongLongFromObject(val, &id) != 0 || id <= 0) {
                addReplyError(c, "ERR client-id should be greater than 0");
                return;
            }
        } else if (!strcasecmp(opt, "type")) {
            type = clientTypeByName(objPtr(val));
            if (type == -1) {
                addReplyErrorFormat(c, "ERR Unknown client type '%s'", (char *)objPtr(val));
                return;
            }
        } else if (!strcasecmp(opt, "addr")) {
            addr = objPtr(val);
        } else if (!strcasecmp(opt, "laddr")) {
            laddr = objPtr(val);
        } else if (!strcasecmp(opt, "user")) {
            user = objPtr(val);
            if (!aclUserExists(user, bstrLen(objPtr(val)))) {
                addReplyErrorFormat(c, "ERR No such user '%s'", user);
                return;
            }
        } else if (!strcasecmp(opt, "skipme")) {
            if (!strcasecmp(objPtr(val), "yes")) skipme = 1;
            else if (!strcasecmp(objPtr(val), "no")) skipme = 0;
            else { addReplyErrorObject(c, shared.syntaxerr); return; }
        } else if (!strcasecmp(opt, "maxage")) {
            if (getLongLongFromObject(val, &maxage) != 0 || maxage <= 0) {
                addReplyError(c, "ERR maxage should be greater than 0");
                return;
            }
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    const char *getClientSockname(client *c);
    long long killed = 0;
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *cl = ln->value;
        if (id && cl->id != (uint64_t)id) continue;
        if (type != -1 && getClientType(cl) != type) continue;
        if (addr && strcmp(getClientPeerId(cl), addr)) continue;
        if (laddr && strcmp(getClientSockname(cl), laddr)) continue;
        if (user && strcmp(cl->user ? cl->user : "default", user)) continue;
        if (maxage && (long long)(server.unixtime - cl->ctime) < maxage) continue;
        if (cl == c && skipme) continue;
        if (cl == c) c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        else freeClientAsync(cl);
        killed++;
    }
    addReplyLongLong(c, killed);
}

static void clientCommand(client *c) {
    const char *sub = objPtr(c->argv[1]);
    if (c->argc == 2 && !strcasecmp(sub, "help")) {
        const char *help[] = {
            "CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME", "    Return the name of the current connection.",
            "ID", "    Return the ID of the current connection.",
            "INFO", "    Return information about the current client connection.",
            "KILL <ip:port>", "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)", "      Kill connections by type.",
            "    * USER <username>", "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
            "    * ID <client-id>", "      Kill connections by client id.",
            "    * MAXAGE <maxage>", "      Kill connections older than the specified age.",
            "LIST [options ...]", "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)", "      Return clients of specified type.",
            "UNPAUSE", "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
            "SETNAME <name>", "    Assign the name <name> to the current connection.",
            "SETINFO <option> <value>", "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO", "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
            "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
            NULL};
        addReplyHelp(c, help);
    } else if (c->argc == 2 && !strcasecmp(sub, "id")) {
        addReplyLongLong(c, (long long)c->id);
    } else if (c->argc == 2 && !strcasecmp(sub, "info")) {
        bstr o = catClientInfoString(bstrEmpty(), c);
        o = bstrCatLen(o, "\n", 1);
        addReplyVerbatim(c, o, bstrLen(o), "txt");
        bstrFree(o);
    } else if (!strcasecmp(sub, "list")) {
        clientListCommand(c);
    } else if (!strcasecmp(sub, "kill") && c->argc >= 3) {
        clientKillCommand(c);
    } else if (c->argc == 3 && !strcasecmp(sub, "setname")) {
        const char *err = NULL;
        if (clientSetName(c, c->argv[2], &err) != 0) addReplyError(c, err);
        else addReply(c, shared.ok);
    } else if (c->argc == 2 && !strcasecmp(sub, "getname")) {
        if (c->name) addReplyBulk(c, c->name);
        else addReplyNull(c);
    } else if (c->argc == 4 && !strcasecmp(sub, "setinfo")) {
        const char *attr = objPtr(c->argv[2]);
        obj **dst = NULL;
        if (!strcasecmp(attr, "lib-name")) dst = &c->lib_name;
        else if (!strcasecmp(attr, "lib-ver")) dst = &c->lib_ver;
        if (!dst) {
            addReplyErrorFormat(c, "ERR Unrecognized option '%s'", attr);
            return;
        }
        if (!validClientName(c->argv[3])) {
            addReplyErrorFormat(c, "ERR %s cannot contain spaces, newlines or special characters.", attr);
            return;
        }
        if (*dst) decrRefCount(*dst);
        *dst = bstrLen(objPtr(c->argv[3])) ? c->argv[3] : NULL;
        if (*dst) incrRefCount(*dst);
        addReply(c, shared.ok);
    } else if (c->argc == 3 && !strcasecmp(sub, "reply")) {
        const char *mode = objPtr(c->argv[2]);
        if (!strcasecmp(mode, "on")) {
            c->flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF);
            addReply(c, shared.ok);
        } else if (!strcasecmp(mode, "off")) {
            c->flags |= CLIENT_REPLY_OFF;
        } else if (!strcasecmp(mode, "skip")) {
            if (!(c->flags & CLIENT_REPLY_OFF)) c->flags |= CLIENT_REPLY_SKIP_NEXT;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
        }
    } else if ((c->argc == 3 || c->argc == 4) && !strcasecmp(sub, "unblock")) {
        long long id;
        int as_error = 0;
        if (getLongLongFromObjectOrReply(c, c->argv[2], &id, NULL) != 0) return;
        if (c->argc == 4) {
            if (!strcasecmp(objPtr(c->argv[3]), "timeout")) as_error = 0;
            else if (!strcasecmp(objPtr(c->argv[3]), "error")) as_error = 1;
            else {
                addReplyError(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        client *target = lookupClientByID((uint64_t)id);
        if (target && (target->flags & CLIENT_BLOCKED) && target->bstate.btype != BLOCKED_WAIT &&
            target->bstate.btype != BLOCKED_POSTPONE) {
            if (as_error) unblockClientOnError(target, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
            else unblockClientOnTimeout(target);
            addReply(c, shared.cone);
        } else {
            addReply(c, shared.czero);
        }
    } else if (c->argc == 3 && (!strcasecmp(sub, "no-evict") || !strcasecmp(sub, "no-touch"))) {
        uint64_t flag = !strcasecmp(sub, "no-evict") ? CLIENT_NO_EVICT : CLIENT_NO_TOUCH;
        if (!strcasecmp(objPtr(c->argv[2]), "on")) c->flags |= flag;
        else if (!strcasecmp(objPtr(c->argv[2]), "off")) c->flags &= ~flag;
        else { addReplyErrorObject(c, shared.syntaxerr); return; }
        addReply(c, shared.ok);
    } else if ((c->argc == 3 || c->argc == 4) && !strcasecmp(sub, "pause")) {
        long long ms;
        int type = PAUSE_ALL;
        if (getLongLongFromObjectOrReply(c, c->argv[2], &ms, "ERR timeout is not an integer or out of range") != 0) return;
        if (ms < 0) {
            addReplyError(c, "ERR timeout is negative");
            return;
        }
        if (c->argc == 4) {
            if (!strcasecmp(objPtr(c->argv[3]), "write")) type = PAUSE_WRITE;
            else if (strcasecmp(objPtr(c->argv[3]), "all")) {
                addReplyError(c, "ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        mstime_t now = mstime();
        pauseClients(ms > LLONG_MAX - now ? LLONG_MAX : now + ms, type);
        addReply(c, shared.ok);
    } else if (c->argc == 2 && !strcasecmp(sub, "unpause")) {
        unpauseClients();
        addReply(c, shared.ok);
    } else if (c->argc >= 3 && !strcasecmp(sub, "capa")) {
        /* Unknown capabilities are ignored, so clients can offer newer ones. */
        for (int j = 2; j < c->argc; j++)
            if (!strcasecmp(objPtr(c->argv[j]), "redirect")) c->flags |= CLIENT_CAPA_REDIRECT;
        addReply(c, shared.ok);
    } else if (c->argc == 2 && !strcasecmp(sub, "getredir")) {
        clientGetredirCommand(c);
    } else if (!strcasecmp(sub, "tracking") && c->argc >= 3) {
        clientTrackingCommand(c);
    } else if (c->argc == 3 && !strcasecmp(sub, "caching")) {
        clientCachingCommand(c);
    } else if (c->argc == 2 && !strcasecmp(sub, "trackinginfo")) {
        clientTrackingInfoCommand(c);
    } else {
        addReplySubcommandSyntaxError(c);
    }
}

/* Subcommand rows give dispatch the arity and flags of each subcommand (so
 * CLIENT ID needs no admin rights) and its "unknown subcommand" error; one
 * handler still serves them all. */
static const serverCommandDef clientSubcommands[] = {
    {.name = "capa", .proc = clientCommand, .arity = -3, .flags = "noscript loading stale", .group = "connection",
     .summary = "Declares the client's capabilities to the server.", .since = "8.0.0", .complexity = "O(1)", .args = "capability [capability ...]"},
    {.name = "caching", .proc = clientCommand, .arity = 3, .flags = "noscript loading stale", .group = "connection",
     .summary = "Instructs the server whether to track the keys in the next request.", .since = "6.0.0", .complexity = "O(1)", .args = "YES|NO"},
    {.name = "getname", .proc = clientCommand, .arity = 2, .flags = "noscript loading stale", .group = "connection",
     .summary = "Returns the name of the connection.", .since = "2.6.9", .complexity = "O(1)"},
    {.name = "getredir", .proc = clientCommand, .arity = 2, .flags = "noscript loading stale", .group = "connection",
     .summary = "Returns the client ID to which the connection's tracking notifications are redirected.", .since = "6.0.0", .complexity = "O(1)"},
    {.name = "help", .proc = clientCommand, .arity = 2, .flags = "loading stale", .group = "connection",
     .summary = "Returns helpful text about the different subcommands.", .since = "5.0.0", .complexity = "O(1)"},
    {.name = "id", .proc = clientCommand, .arity = 2, .flags = "noscript loading stale", .group = "connection",
     .summary = "Returns the unique client ID of the connection.", .since = "5.0.0", .complexity = "O(1)"},
    {.name = "info", .proc = clientCommand, .arity = 2, .flags = "noscript loading stale", .group = "connection",
     .summary = "Returns information about the connection.", .since = "6.2.0", .complexity = "O(1)"},
    {.name = "kill", .proc = clientCommand, .arity = -3, .flags = "admin noscript loading stale", .group = "connection",
     .summary = "Terminates open connections.", .since = "2.4.0", .complexity = "O(N) where N is the number of client connections", .args = "ip:port | <filter> value [<filter> value ...]"},
    {.name = "list", .proc = clientCommand, .arity = -2, .flags = "admin noscript loading stale", .group = "connection",
     .summary = "Lists open connections.", .since = "2.4.0", .complexity = "O(N) where N is the number of client connections", .args = "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"},
    {.name = "no-evict", .proc = clientCommand, .arity = 3, .flags = "admin noscript loading stale", .group = "connection",
     .summary = "Sets the client eviction mode of the connection.", .since = "7.0.0", .complexity = "O(1)", .args = "ON|OFF"},
    {.name = "no-touch", .proc = clientCommand, .arity = 3, .flags = "noscript loading stale", .group = "connection",
     .summary = "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", .since = "7.2.0", .complexity = "O(1)", .args = "ON|OFF"},
    {.name = "pause", .proc = clientCommand, .arity = -3, .flags = "admin noscript loading stale", .group = "connection",
     .summary = "Suspends commands processing.", .since = "3.0.0", .complexity = "O(1)", .args = "timeout [WRITE|ALL]"},
    {.name = "reply", .proc = clientCommand, .arity = 3, .flags = "noscript loading stale", .group = "connection",
     .summary = "Instructs the server whether to reply to commands.", .since = "3.2.0", .complexity = "O(1)", .args = "ON|OFF|SKIP"},
    {.name = "setinfo", .proc = clientCommand, .arity = 4, .flags = "noscript loading stale", .group = "connection",
     .summary = "Sets information specific to the client or connection.", .since = "7.2.0", .complexity = "O(1)", .args = "LIB-NAME libname | LIB-VER libver"},
    {.name = "setname", .proc = clientCommand, .arity = 3, .flags = "noscript loading stale", .group = "connection",
     .summary = "Sets the connection name.", .since = "2.6.9", .complexity = "O(1)", .args = "connection-name"},
    {.name = "tracking", .proc = clientCommand, .arity = -3, .flags = "noscript loading stale", .group = "connection",
     .summary = "Controls server-assisted client-side caching for the connection.", .since = "6.0.0", .complexity = "O(1). Some options may introduce additional complexity.", .args = "ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]"},
    {.name = "trackinginfo", .proc = clientCommand, .arity = 2, .flags = "noscript loading stale", .group = "connection",
     .summary = "Returns information about server-assisted client-side caching for the connection.", .since = "6.2.0", .complexity = "O(1)"},
    {.name = "unblock", .proc = clientCommand, .arity = -3, .flags = "admin noscript loading stale", .group = "connection",
     .summary = "Unblocks a client blocked by a blocking command from a different connection.", .since = "5.0.0", .complexity = "O(log N) where N is the number of client connections", .args = "client-id [TIMEOUT|ERROR]"},
    {.name = "unpause", .proc = clientCommand, .arity = 2, .flags = "admin noscript loading stale", .group = "connection",
     .summary = "Resumes processing commands from paused clients.", .since = "6.2.0", .complexity = "O(N) Where N is the number of paused clients"},
    {0}};

const serverCommandDef connectionCommandTable[] = {
    {"ping", pingCommand, -1, "fast sentinel", 0, 0, 0, "connection", "Returns the server's liveliness response.", "1.0.0", "O(1)", NULL, NULL, "[message]"},
    {"echo", echoCommand, 2, "fast", 0, 0, 0, "connection", "Returns the given string.", "1.0.0", "O(1)", NULL, NULL, "message"},
    {"select", selectCommand, 2, "loading stale fast", 0, 0, 0, "connection", "Changes the selected database.", "1.0.0", "O(1)", NULL, NULL, "index"},
    {"quit", quitCommand, -1, "allow_busy noscript loading stale fast no_auth", 0, 0, 0, "connection", "Closes the connection.", "1.0.0", "O(1)", NULL, NULL, ""},
    {"reset", resetCommand, 1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "connection", "Resets the connection.", "6.2.0", "O(1)", NULL, NULL, ""},
    {"hello", helloCommand, -1, "noscript loading stale fast no_auth sentinel allow_busy", 0, 0, 0, "connection", "Handshakes with the server.", "6.0.0", "O(1)", NULL, NULL, "[protover [AUTH username password] [SETNAME clientname]]"},
    {"auth", authCommand, -2, "noscript loading stale fast no_auth sentinel allow_busy", 0, 0, 0, "connection", "Authenticates the connection.", "1.0.0", "O(N) where N is the number of passwords defined for the user", NULL, NULL, "[username] password"},
    {"client", clientCommand, -2, "", 0, 0, 0, "connection", "A container for client connection commands.", "2.4.0", "Depends on subcommand.", NULL, clientSubcommands, "subcommand [arg ...]"},
    {0}};
