/* multi: transactions (MULTI/EXEC/DISCARD) and optimistic locking (WATCH).
 * Queued commands run as one execution unit: replicas receive them wrapped in
 * MULTI/EXEC, and "now" is frozen for the whole EXEC. */
#include "server/server.h"
#include <string.h>

void initClientMultiState(client *c) {
    c->mstate.commands = NULL;
    c->mstate.count = c->mstate.alloc = 0;
}

void freeClientMultiState(client *c) {
    for (int j = 0; j < c->mstate.count; j++) {
        struct multiCmd *mc = &c->mstate.commands[j];
        for (int i = 0; i < mc->argc; i++) decrRefCount(mc->argv[i]);
        zfree(mc->argv);
    }
    zfree(c->mstate.commands);
    initClientMultiState(c);
}

void queueMultiCommand(client *c, uint64_t cmd_flags) {
    if (c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)) return;
    if (c->mstate.count == c->mstate.alloc) {
        c->mstate.alloc = c->mstate.alloc ? c->mstate.alloc * 2 : 4;
        c->mstate.commands = zrealloc(c->mstate.commands, sizeof(struct multiCmd) * (size_t)c->mstate.alloc);
    }
    struct multiCmd *mc = &c->mstate.commands[c->mstate.count++];
    mc->cmd = c->cmd;
    mc->argc = c->argc;
    mc->argv = c->argv;
    /* The queued command owns the argv now. */
    c->argv = NULL;
    c->argc = 0;
    c->argv_len = 0;
    c->argv_len_sum = 0;
}

void discardTransaction(client *c) {
    freeClientMultiState(c);
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
    unwatchAllKeys(c);
}

void flagTransaction(client *c) {
    if (c->flags & CLIENT_MULTI) c->flags |= CLIENT_DIRTY_EXEC;
}

static void multiCommand(client *c) {
    if (c->flags & CLIENT_MULTI) {
        addReplyError(c, "ERR MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    addReply(c, shared.ok);
}

static void discardCommand(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        addReplyError(c, "ERR DISCARD without MULTI");
        return;
    }
    discardTransaction(c);
    addReply(c, shared.ok);
}

static void execCommand(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        addReplyError(c, "ERR EXEC without MULTI");
        return;
    }
    if (isWatchedKeyExpired(c)) c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)) {
        if (c->flags & CLIENT_DIRTY_EXEC) addReplyErrorObject(c, shared.execaborterr);
        else addReplyNullArray(c);
        discardTransaction(c);
        return;
    }
    unwatchAllKeys(c);
    server.in_exec = 1;
    int orig_argc = c->argc, orig_argv_len = c->argv_len;
    obj **orig_argv = c->argv;
    serverCommand *orig_cmd = c->cmd;
    addReplyArrayLen(c, c->mstate.count);
    for (int j = 0; j < c->mstate.count; j++) {
        struct multiCmd *mc = &c->mstate.commands[j];
        c->argc = mc->argc;
        c->argv = mc->argv;
        c->argv_len = mc->argc;
        c->cmd = c->realcmd = mc->cmd;
        /* Writes refused now (e.g. became a replica) fail individually. */
        const char *acl_denied = NULL;
        if (server.primary_host && server.repl_replica_ro && !mustObeyClient(c) && (c->cmd->flags & CMD_WRITE)) {
            addReplyErrorObject(c, shared.roreplicaerr);
        } else if ((acl_denied = aclExecDenialReason(c))) {
            addReplyErrorFormat(c, "NOPERM ACLs rules changed between the moment the transaction was accumulated "
                                   "and the EXEC call. This command is no longer allowed for the following reason: %s",
                                acl_denied);
        } else {
            call(c, CMD_CALL_FULL);
        }
        /* The command may have rewritten its argv (propagation). */
        mc->argc = c->argc;
        mc->argv = c->argv;
        mc->cmd = c->cmd;
    }
    c->argv = orig_argv;
    c->argc = orig_argc;
    c->argv_len = orig_argv_len;
    c->cmd = c->realcmd = orig_cmd;
    discardTransaction(c);
    server.in_exec = 0;
    /* EXEC itself is never propagated; the commands were (wrapped by the unit). */
    preventCommandPropagation(c);
}

/* ---------- WATCH ---------- */
typedef struct watchedKey {
    obj *key;
    serverDb *db;
    int expired;   /* the key was already logically expired when watched */
} watchedKey;

static void watchForKey(client *c, obj *key) {
    listIter li;
    listNode *ln;
    listRewind(c->watched_keys, &li);
    while ((ln = listNext(&li))) {
        watchedKey *wk = ln->value;
        if (wk->db == c->db && equalStringObjects(key, wk->key)) return;
    }
    list *clients = htFetchValue(c->db->watched_keys, key);
    if (!clients) {
        clients = listCreate();
        incrRefCount(key);
        htAdd(c->db->watched_keys, key, clients);
    }
    listAddNodeTail(clients, c);
    watchedKey *wk = zmalloc(sizeof(*wk));
    wk->key = key;
    wk->db = c->db;
    wk->expired = keyIsExpired(c->db, key);
    incrRefCount(key);
    listAddNodeTail(c->watched_keys, wk);
    server.watching_clients += listLength(c->watched_keys) == 1;
}

void unwatchAllKeys(client *c) {
    if (!c->watched_keys || listLength(c->watched_keys) == 0) return;
    listIter li;
    listNode *ln;
    listRewind(c->watched_keys, &li);
    while ((ln = listNext(&li))) {
        watchedKey *wk = ln->value;
        list *clients = htFetchValue(wk->db->watched_keys, wk->key);
        if (clients) {
            listNode *n = listSearchKey(clients, c);
            if (n) listDelNode(clients, n);
            if (listLength(clients) == 0) htDelete(wk->db->watched_keys, wk->key);
        }
        decrRefCount(wk->key);
        zfree(wk);
    }
    listEmpty(c->watched_keys);
    server.watching_clients--;
}

int isWatchedKeyExpired(client *c) {
    listIter li;
    listNode *ln;
    listRewind(c->watched_keys, &li);
    while ((ln = listNext(&li))) {
        watchedKey *wk = ln->value;
        if (wk->expired) continue;
        if (keyIsExpired(wk->db, wk->key)) return 1;
    }
    return 0;
}

void touchWatchedKey(serverDb *db, obj *key) {
    if (htSize(db->watched_keys) == 0) return;
    list *clients = htFetchValue(db->watched_keys, key);
    if (!clients) return;
    listIter li;
    listNode *ln;
    listRewind(clients, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        c->flags |= CLIENT_DIRTY_CAS;
    }
}

/* FLUSHDB/FLUSHALL/SWAPDB: every watched key that existed (or will exist) is touched. */
void touchAllWatchedKeysInDb(serverDb *emptied, serverDb *replaced_with) {
    if (htSize(emptied->watched_keys) == 0) return;
    htIterator it;
    htInitIterator(&it, emptied->watched_keys);
    htEntry *e;
    while ((e = htNext(&it))) {
        obj *key = e->key;
        int exists_in_emptied = kvtFind(emptied->keys, objPtr(key)) != NULL;
        int exists_in_new = replaced_with && kvtFind(replaced_with->keys, objPtr(key)) != NULL;
        if (!exists_in_emptied && !exists_in_new) continue;
        list *clients = e->v.val;
        listIter li;
        listNode *ln;
        listRewind(clients, &li);
        while ((ln = listNext(&li))) ((client *)ln->value)->flags |= CLIENT_DIRTY_CAS;
    }
    htResetIterator(&it);
}

static void watchCommand(client *c) {
    if (c->flags & CLIENT_MULTI) {
        addReplyError(c, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    if (c->flags & CLIENT_DIRTY_CAS) {
        addReply(c, shared.ok);
        return;
    }
    for (int j = 1; j < c->argc; j++) watchForKey(c, c->argv[j]);
    addReply(c, shared.ok);
}

static void unwatchCommand(client *c) {
    unwatchAllKeys(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    addReply(c, shared.ok);
}

const serverCommandDef multiCommandTable[] = {
    {"multi", multiCommand, 1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions", "Starts a transaction.", "1.2.0", "O(1)", NULL, NULL, ""},
    {"exec", execCommand, 1, "noscript loading stale skip_slowlog", 0, 0, 0, "transactions", "Executes all commands in a transaction.", "1.2.0", "Depends on commands in the transaction", NULL, NULL, ""},
    {"discard", discardCommand, 1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions", "Discards a transaction.", "2.0.0", "O(N), when N is the number of queued commands", NULL, NULL, ""},
    {"watch", watchCommand, -2, "noscript loading stale fast allow_busy", 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction.", "2.2.0", "O(1) for every key.", NULL, NULL, "key [key ...]"},
    {"unwatch", unwatchCommand, 1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions", "Forgets about watched keys of a transaction.", "2.2.0", "O(1)", NULL, NULL, ""},
    {0}};
